// Owns the Market module (see ../shared/DESIGN.md, "Parts"). Placeholder until its issue lands.
import Kernel
