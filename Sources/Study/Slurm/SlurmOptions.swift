// Owns the Slurm engine's options (`sweep --engine slurm --partition --time --max-parallel`) and
// their validation: each is checked where it enters, before anything is written or submitted, so a
// typo is a clear error here rather than a job that Slurm rejects or runs in the wrong place.
import Foundation

/// How the sweep's runs are submitted to Slurm.
public struct SlurmOptions: Sendable, Equatable {
    /// `sbatch --partition`: one partition name or a comma list; nil uses the cluster's default.
    public var partition: String?
    /// `sbatch --time` for each array task: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS, or
    /// UNLIMITED; nil uses the partition's default.
    public var timeLimit: String?
    /// Array tasks running at once (`--array=0-N%maxParallel`); nil lets Slurm decide.
    public var maxParallel: Int?
    /// Runs per array task (the shard size): each task runs its runs one after another.
    public var runsPerTask: Int

    public init(partition: String? = nil, timeLimit: String? = nil, maxParallel: Int? = nil, runsPerTask: Int = 1) {
        self.partition = partition
        self.timeLimit = timeLimit
        self.maxParallel = maxParallel
        self.runsPerTask = runsPerTask
    }

    /// Throws `SlurmError.invalidOption` naming the first option that Slurm would reject or misread.
    public func validate() throws(SlurmError) {
        if let partition { try Self.validatePartition(partition) }
        if let timeLimit { try Self.validateTimeLimit(timeLimit) }
        if let maxParallel, maxParallel < 1 {
            throw .invalidOption(option: "--max-parallel", value: String(maxParallel), reason: "must be at least 1")
        }
        guard runsPerTask >= 1 else {
            throw .invalidOption(option: "runs per task", value: String(runsPerTask), reason: "must be at least 1")
        }
    }

    /// Partition names: letters, digits, `_`, `-`, `.`; several separated by single commas.
    static func validatePartition(_ value: String) throws(SlurmError) {
        let names = value.split(separator: ",", omittingEmptySubsequences: false)
        for name in names {
            guard !name.isEmpty, name.count <= 64 else {
                throw .invalidOption(option: "--partition", value: value, reason: "a partition name must be 1–64 characters (commas separate names)")
            }
            if let bad = name.unicodeScalars.first(where: { !isNameCharacter($0) }) {
                throw .invalidOption(option: "--partition", value: value,
                                     reason: "\"\(bad)\" is not allowed in a partition name (letters, digits, _ - . only)")
            }
        }
    }

    static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "_" || scalar == "-" || scalar == ".")
    }

    /// Slurm's time formats; minutes and seconds after a colon must be below 60, hours after a day below 24.
    static func validateTimeLimit(_ value: String) throws(SlurmError) {
        let upper = value.uppercased()
        if upper == "UNLIMITED" || upper == "INFINITE" { return }
        let formats = "minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS or UNLIMITED"
        let dayParts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard dayParts.count <= 2 else { throw .invalidOption(option: "--time", value: value, reason: "expected \(formats)") }
        var fields: [Int] = []
        var total = 0
        let clock = dayParts.count == 2 ? dayParts[1] : dayParts[0]
        for part in clock.split(separator: ":", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.count <= 7, part.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(part) else {
                throw .invalidOption(option: "--time", value: value, reason: "expected \(formats)")
            }
            fields.append(number)
        }
        if dayParts.count == 2 {
            guard !dayParts[0].isEmpty, dayParts[0].count <= 5, dayParts[0].allSatisfy({ $0.isASCII && $0.isNumber }),
                  let days = Int(dayParts[0]), fields.count <= 3, fields[0] < 24, fields.dropFirst().allSatisfy({ $0 < 60 }) else {
                throw .invalidOption(option: "--time", value: value, reason: "expected \(formats) (hours below 24 after a day, minutes and seconds below 60)")
            }
            total = days + fields.reduce(0, +)
        } else {
            guard fields.count <= 3, fields.dropFirst().allSatisfy({ $0 < 60 }) else {
                throw .invalidOption(option: "--time", value: value, reason: "expected \(formats) (minutes and seconds after a colon below 60)")
            }
            total = fields.reduce(0, +)
        }
        guard total > 0 else {
            throw .invalidOption(option: "--time", value: value, reason: "a zero time limit means no limit to Slurm; write UNLIMITED if that is meant")
        }
    }
}
