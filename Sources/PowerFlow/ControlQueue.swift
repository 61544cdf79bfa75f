// Owns OpenDSS's solution clock and control queue: actions pushed at the present time plus a
// delay, kept in time order (a new action goes before the first one due no earlier), popped in
// list order, deleted by handle.

/// A point on OpenDSS's solution clock: whole hours plus seconds into the hour.
public struct SolutionClock: Sendable, Equatable, Codable {
    public var hour: Int
    public var seconds: Double

    public init(hour: Int, seconds: Double) {
        self.hour = hour
        self.seconds = seconds
    }

    /// The clock at `hour` (fractional hours become seconds), as `Set hour=` and `sec=` place it.
    public init(hours: Double, seconds: Double = 0) {
        let whole = hours.rounded(.down)
        self.init(hour: Int(whole), seconds: (hours - whole) * 3600 + seconds)
    }

    /// Hours since hour 0 (OpenDSS's dblHour), the hour load shapes are read at.
    public var hours: Double { Double(hour) + seconds / 3600 }

    /// Seconds since hour 0, the key the control queue orders by.
    public var totalSeconds: Double { Double(hour) * 3600 + seconds }

    /// OpenDSS's Increment_time: add the step, carry whole hours.
    public mutating func advance(bySeconds step: Double) {
        seconds += step
        while seconds >= 3600 {
            hour += 1
            seconds -= 3600
        }
    }

    /// Time of day in hours (0...24), as a time-type CapControl reads it (OpenDSS's NormalizeToTOD).
    var hourOfDay: Double {
        let hourOfDay = hour > 24 ? hour - ((hour - 1) / 24) * 24 : hour
        let result = Double(hourOfDay) + seconds / 3600
        return result - 24 > 1e-12 ? result - 24 : result
    }
}

/// Which control owns a queued action (index into the model's RegControls or CapControls).
enum ControlOwner: Equatable, Codable {
    case regulator(Int)
    case capacitor(Int)
}

/// What a queued action does when it comes due.
enum QueuedAction: Equatable, Codable {
    case tapChange
    case reversePowerToggle
    case capacitorSwitch
}

/// OpenDSS's control queue.
struct ControlQueue: Codable {
    struct Entry: Codable {
        var hour: Int
        var seconds: Double
        var handle: Int
        var owner: ControlOwner
        var action: QueuedAction
        var timeSeconds: Double { Double(hour) * 3600 + seconds }
    }

    private(set) var entries: [Entry] = []
    private var lastHandle = 0

    var isEmpty: Bool { entries.isEmpty }

    /// Queues an action `delaySeconds` after `clock`; returns its handle.
    mutating func push(at clock: SolutionClock, delaySeconds: Double, owner: ControlOwner, action: QueuedAction) -> Int {
        lastHandle += 1
        var hour = clock.hour
        var seconds = clock.seconds + delaySeconds
        // OpenDSS normalizes only past the full hour (strictly), then keeps seconds below 3600.
        if seconds > 3600 {
            repeat {
                hour += 1
                seconds -= 3600
            } while !(seconds < 3600)
        }
        let entry = Entry(hour: hour, seconds: seconds, handle: lastHandle, owner: owner, action: action)
        let position = entries.firstIndex { entry.timeSeconds <= $0.timeSeconds } ?? entries.count
        entries.insert(entry, at: position)
        return lastHandle
    }

    /// Removes the action with this handle, if still queued.
    mutating func delete(handle: Int) {
        if let i = entries.firstIndex(where: { $0.handle == handle }) { entries.remove(at: i) }
    }

    /// Removes and returns the first action (in list order) due at or before `timeSeconds`.
    mutating func pop(dueBy timeSeconds: Double) -> Entry? {
        guard let i = entries.firstIndex(where: { $0.timeSeconds <= timeSeconds }) else { return nil }
        return entries.remove(at: i)
    }

    mutating func clear() { entries.removeAll() }
}
