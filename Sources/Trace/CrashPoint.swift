// Owns the crash-test hook: with GRIDTRACE_KILL_AT set, the trace writer kills its own process
// (SIGKILL: no cleanup, no flush, as a power cut or `kill -9` would) at an exact point, so a test
// can stop a writer at chosen moments deterministically instead of racing a timer.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Where the writer kills itself when `GRIDTRACE_KILL_AT` names the point.
///
/// `create:N` stops during trace creation: 1 the `.partial` file opened, 2 schema written
/// (uncommitted), 3 header and stored files written (uncommitted), 4 committed but not renamed,
/// 5 renamed but not reopened. `events:K` stops once K events are appended, when the writer is
/// about to append the next one or to seal. Unset (or malformed), the writer never stops.
public enum CrashPoint: Equatable, Sendable {
    case creating(stage: Int)
    case afterEvents(Int64)

    /// The environment variable that arms the hook.
    public static let environmentKey = "GRIDTRACE_KILL_AT"

    /// The armed point, read once per process.
    static let armed: CrashPoint? = CrashPoint(ProcessInfo.processInfo.environment[environmentKey] ?? "")

    /// Parses `create:N` or `events:K`.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        switch parts[0] {
        case "create":
            guard let stage = Int(parts[1]), (1...5).contains(stage) else { return nil }
            self = .creating(stage: stage)
        case "events":
            guard let events = Int64(parts[1]), events >= 0 else { return nil }
            self = .afterEvents(events)
        default:
            return nil
        }
    }

    /// The value of `GRIDTRACE_KILL_AT` that arms this point.
    public var text: String {
        switch self {
        case .creating(let stage): return "create:\(stage)"
        case .afterEvents(let events): return "events:\(events)"
        }
    }

    /// Kills the process if `point` is the armed one.
    static func check(_ point: CrashPoint) {
        guard let armed = Self.armed, armed == point else { return }
        kill(getpid(), SIGKILL)
    }
}
