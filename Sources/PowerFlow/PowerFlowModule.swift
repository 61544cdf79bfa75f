// Owns the PowerFlow module entry (temporary).
import Kernel
