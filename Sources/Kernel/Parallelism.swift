// Owns the execution setting that says how many threads engine work may use (`replay --jobs`):
// it is passed down explicitly to every helper that could hand work to another thread, and a
// per-thread count of hand-offs lets tests check that serial work stayed on its thread.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How many threads a piece of engine work may use.
///
/// `.serial` keeps everything on the calling thread (parallel maps become plain maps, background
/// jobs run inline where they are started); `.allCores` lets Kernel's helpers spread work over the
/// machine's cores and overlap pure jobs with the caller. Results are the same either way: only
/// where the work runs differs.
public enum Parallelism: Sendable, Equatable {
    case serial
    case allCores
}

/// Counts, per thread, how often Kernel's helpers handed work from that thread to another one.
///
/// A diagnostic for tests (“this serial replay never left its thread”): per thread, so what other
/// threads do at the same time does not count.
public enum ThreadHandOffs {
    /// Hand-offs made from the calling thread so far.
    public static var onThisThread: Int { Int(bitPattern: pthread_getspecific(handOffKey)) }

    /// Notes one hand-off from the calling thread.
    static func record() {
        pthread_setspecific(handOffKey, UnsafeRawPointer(bitPattern: onThisThread + 1))
    }
}

private let handOffKey: pthread_key_t = {
    var key = pthread_key_t()
    guard pthread_key_create(&key, nil) == 0 else { preconditionFailure("no thread-specific key left") }
    return key
}()
