// Owns the reader for the EnerPort 1-minute household profiles (load, PV and EV per home, one
// value per line, 1440 lines, kW) and their conversion into `HouseholdProfile`s.
import Foundation
import Kernel

/// Errors reading profile files; each names the file and, where relevant, the line.
public enum ProfileError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case badValue(path: String, line: Int, text: String)
    case wrongLength(path: String, count: Int, expected: Int)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): cannot read profile (\(reason))"
        case .badValue(let path, let line, let text): return "\(path):\(line): not a number: \"\(text)\""
        case .wrongLength(let path, let count, let expected):
            return "\(path): \(count) values, expected \(expected) (one per minute of a day)"
        }
    }
}

/// The EnerPort profile sets: the base set (`load_/PV_/EV_profile_N.txt`) and the seasonal ones.
public enum EnerPortSeason: String, Sendable, CaseIterable {
    case base, summer, winter

    var fileNames: (load: String, pv: String, ev: String) {
        switch self {
        case .base: return ("load_profile", "PV_profile", "EV_profile")
        case .summer: return ("Summer_profile", "SummerPV_profile", "SummerEV_profile")
        case .winter: return ("Winter_profile", "WinterPV_profile", "WinterEV_profile")
        }
    }
}

public enum EnerPortProfiles {
    /// Reads one 1440-line profile file (kW per minute).
    public static func readPerMinute(path: String) throws -> [Double] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ProfileError.unreadable(path: path, reason: String(describing: error))
        }
        var values: [Double] = []
        values.reserveCapacity(1440)
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            guard let value = Double(trimmed), value.isFinite else {
                throw ProfileError.badValue(path: path, line: lineNumber, text: trimmed)
            }
            values.append(value)
        }
        let expected = marketIntervalsPerDay * marketIntervalMinutes
        guard values.count == expected else { throw ProfileError.wrongLength(path: path, count: values.count, expected: expected) }
        return values
    }

    /// Households 1…`count` from `directory` (the `Daily_1min_100profiles` folder), averaged to 5 minutes.
    ///
    /// EV sessions come from the EV profile's charging runs; the dwell after each run (2–8 h) is drawn
    /// from the stream `"market.evdwell"` of `rootSeed`, one sub-stream per home. PV rating is the
    /// profile's maximum 1-minute value.
    public static func households(directory: String, season: EnerPortSeason, count: Int,
                                  rootSeed: UInt64) throws -> [HouseholdProfile] {
        let names = season.fileNames
        let dwellSeeds = SeedStreams(rootSeed: rootSeed).substreams("market.evdwell")
        var homes: [HouseholdProfile] = []
        for index in 0..<count {
            let number = index + 1
            let load = try readPerMinute(path: "\(directory)/\(names.load)_\(number).txt")
            let pv = try readPerMinute(path: "\(directory)/\(names.pv)_\(number).txt")
            let ev = try readPerMinute(path: "\(directory)/\(names.ev)_\(number).txt")
            var dwell = dwellSeeds.stream("home:\(index)")
            let sessions = evSessions(fromChargingKilowatts: fiveMinuteAverages(ofPerMinute: ev)) { _ in
                dwell.uniformInt(in: 2 * 12...8 * 12)
            }
            homes.append(HouseholdProfile(home: index, baseLoadKilowatts: fiveMinuteAverages(ofPerMinute: load),
                                          pvKilowatts: fiveMinuteAverages(ofPerMinute: pv),
                                          pvRatedKilowatts: pv.max() ?? 0, evChargerKilowatts: 3, evSessions: sessions))
        }
        return homes
    }
}
