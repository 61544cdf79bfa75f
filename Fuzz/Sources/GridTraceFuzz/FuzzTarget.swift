// Owns the list of fuzz targets and how each one feeds an input to the library's real entry
// point: the same functions the CLI calls on a file, given the bytes from memory where the library
// can read from memory (scripts, scenarios, XML, JSON, --until), through a scratch file where it
// reads only files (golden CSV folders, traces).
import Feeder
import CoSim
import Trace
import Verify

enum FuzzTarget: String, CaseIterable {
    /// OpenDSS script text, compiled from a stored file set (no disk access).
    case feeder
    /// A TOML scenario, parsed as `run` / `replay` read it.
    case scenario
    /// A golden-folder comparison (`golden compare`) of CSV or metrics.json files.
    case golden
    /// CIM100 XML read into objects and the network view `--cim` checks against.
    case cim
    /// A trace file: its chain and seal checked, then every event scanned as `verify` does.
    case trace
    /// One event's payload JSON read with its kind's typed reader.
    case payload
    /// A `replay --until` expression.
    case until

    func run(_ bytes: [UInt8]) {
        switch self {
        case .feeder: FeederFuzz.run(bytes)
        case .scenario: _ = try? Scenario.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.toml", baseFolder: nil)
        case .golden: GoldenFuzz.run(bytes)
        case .cim: CIMFuzz.run(bytes)
        case .trace: TraceFuzz.run(bytes)
        case .payload: PayloadFuzz.run(bytes)
        case .until: _ = ReplayStop(String(decoding: bytes, as: UTF8.self))
        }
    }
}

/// Splits at the first NUL byte: (before, after). Without a NUL the second part is nil.
func splitAtNul(_ bytes: [UInt8]) -> (first: [UInt8], rest: [UInt8]?) {
    guard let nul = bytes.firstIndex(of: 0) else { return (bytes, nil) }
    return (Array(bytes[..<nul]), Array(bytes[(nul + 1)...]))
}
