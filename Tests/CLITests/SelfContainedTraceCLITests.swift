// Traces are self-contained records (issue #12 item 1), through the built binary: an EnerPort trace
// recorded from the package root replays, verifies, exports and audits identically after it is moved
// to another folder; an edited stored feeder file fails verification; `--feeder` with other files is
// reported as differing; the same audit of copies of one trace in two folders is byte-identical.
import CSQLite
import CZlib
import Foundation
import TestSupport
import Testing

@Suite struct SelfContainedTraceCLITests {
    /// What the trace commands say about one trace, run in one folder.
    struct Verdicts {
        var replayStatus: Int32
        var replay: String
        var verifyStatus: Int32
        var verify: String
        var exportStatus: Int32
        /// Master.dss without its first line (which names the trace's path).
        var master: String
        var exportedFeederFiles: [String]
        var auditStatus: Int32
        var audit: NSDictionary
        var findings: Data
    }

    /// Runs replay, verify, export-dss and audit on `trace` from `folder`; exports to `output/dss`,
    /// writes the findings to `output/findings.gtrace`.
    static func verdicts(trace: String, in folder: URL, output: URL) throws -> Verdicts {
        let dss = output.appendingPathComponent("dss"), findings = output.appendingPathComponent("findings.gtrace")
        let replay = try CLI.run(["replay", trace], in: folder)
        let verify = try CLI.run(["verify", trace, "--json"], in: folder)
        let export = try CLI.run(["export-dss", trace, dss.path], in: folder)
        let master = (try? String(contentsOf: dss.appendingPathComponent("Master.dss"), encoding: .utf8)) ?? ""
        let feederFiles = (FileManager.default.enumerator(atPath: dss.appendingPathComponent("feeder").path)?.allObjects as? [String]) ?? []
        let audit = try CLI.run(["audit", trace, "--json", "--out", findings.path], in: folder)
        var auditJSON = (try? JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any]) ?? [:]
        for pathKey in ["trace", "audit_trace"] { auditJSON[pathKey] = nil }  // where the files are, not what they say
        return Verdicts(
            replayStatus: replay.status, replay: replay.stdout + replay.stderr, verifyStatus: verify.status, verify: verify.stdout,
            exportStatus: export.status, master: master.split(separator: "\n").dropFirst().joined(separator: "\n"),
            exportedFeederFiles: feederFiles.sorted(), auditStatus: audit.status, audit: NSDictionary(dictionary: auditJSON),
            findings: (try? Data(contentsOf: findings)) ?? Data())
    }

    @Test func enerPortTraceRecordedAtTheRootWorksFromAnotherFolder() throws {
        guard SharedData.path("feeders/enerport/M_summer.dss") != nil else { return }
        let scratch = try CLI.scratch()
        let recorded = scratch.appendingPathComponent("recorded")
        let run = try CLI.run(["run", "scenarios/enerport-summer.toml", "--intervals", "2", "--out", recorded.path],
                              in: SharedData.packageRoot)
        #expect(run.status == 0, "\(run.stderr)")
        let trace = recorded.appendingPathComponent("p2p.gtrace")
        let rootOutput = scratch.appendingPathComponent("root-output")
        let atRoot = try Self.verdicts(trace: trace.path, in: SharedData.packageRoot, output: rootOutput)
        // Elsewhere: no ../shared next to it, and the folder it was recorded into is gone.
        let elsewhere = scratch.appendingPathComponent("elsewhere/deeper")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: trace, to: elsewhere.appendingPathComponent("moved.gtrace"))
        try FileManager.default.removeItem(at: recorded)
        let moved = try Self.verdicts(trace: "moved.gtrace", in: elsewhere, output: elsewhere)

        for verdicts in [atRoot, moved] {
            #expect(verdicts.replayStatus == 0 && verdicts.replay.hasPrefix("identical: all "), "\(verdicts.replay)")
            #expect(verdicts.verifyStatus == 0 && verdicts.verify.hasPrefix(#"{"checks":"#) && verdicts.verify.contains(#""passed":true}"#))
            #expect(verdicts.exportStatus == 0 && verdicts.master.contains("Compile \"feeder/M_summer.dss\""))
            #expect(verdicts.exportedFeederFiles.contains("Daily_1min_100profiles/Summer_profile_1.txt"))
            #expect(verdicts.exportedFeederFiles.contains("LoadShapes_Summer.txt"))
            #expect(verdicts.auditStatus == 0 && verdicts.audit["flagged"] != nil)
        }
        #expect(moved.replay == atRoot.replay)
        #expect(moved.verify == atRoot.verify)
        #expect(moved.master == atRoot.master)
        #expect(moved.exportedFeederFiles == atRoot.exportedFeederFiles)
        #expect(moved.audit == atRoot.audit)
        #expect(!moved.findings.isEmpty && moved.findings == atRoot.findings, "the findings traces differ")
    }

    @Test func editedStoredFeederFileFailsVerification() throws {
        let scratch = try CLI.scratch()
        let scenario = try MiniFeeder.write(into: scratch)
        let run = try CLI.run(["run", scenario, "--variant", "p2p", "--out", "out"], in: scratch)
        #expect(run.status == 0, "\(run.stderr)")
        let trace = scratch.appendingPathComponent("out/p2p.gtrace").path
        #expect(try CLI.run(["trace", "verify", trace]).stdout.hasPrefix("sealed"))
        var edited = Array(MiniFeeder.profile.utf8)
        edited[2] = UInt8(ascii: "5")  // 0.4 → 0.5 in hour 0, same size
        try MiniFeeder.replaceStoredFile(trace: trace, path: "profiles/home.txt", with: edited)

        let chain = try CLI.run(["trace", "verify", trace])
        #expect(chain.status == 1)
        #expect(chain.stdout.contains("corrupt at seq 0: stored feeder file profiles/home.txt does not match its recorded SHA-256"))
        let verify = try CLI.run(["verify", trace])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("FAIL  hash chain and seal: corrupt at seq 0: stored feeder file profiles/home.txt"))
        let replay = try CLI.run(["replay", trace])
        #expect(replay.status == 2 && replay.stderr.contains("does not verify"), "\(replay.stdout)\(replay.stderr)")
    }

    @Test func substitutedFeederIsReportedAsDiffering() throws {
        let scratch = try CLI.scratch()
        let scenario = try MiniFeeder.write(into: scratch)
        #expect(try CLI.run(["run", scenario, "--variant", "p2p", "--out", "out"], in: scratch).status == 0)
        let copy = scratch.appendingPathComponent("copy")
        try FileManager.default.copyItem(at: scratch.appendingPathComponent("feeder"), to: copy)

        let same = try CLI.run(["replay", "out/p2p.gtrace", "--feeder", "copy/Master.dss"], in: scratch)
        #expect(same.status == 0)
        #expect(same.stdout.contains("note: --feeder copy/Master.dss is identical to the recorded feeder (digest "))

        let edited = MiniFeeder.profile.replacingOccurrences(of: "0.", with: "0.0")  // every load below 1 kW tenfold lower
        try edited.write(to: copy.appendingPathComponent("profiles/home.txt"), atomically: true, encoding: .utf8)
        let other = try CLI.run(["replay", "out/p2p.gtrace", "--feeder", "copy/Master.dss"], in: scratch)
        #expect(other.stdout.contains("note: the feeder differs from the recorded one: --feeder copy/Master.dss has digest "))
        #expect(other.stdout.contains("1 file differs: changed profiles/home.txt"))
        #expect(other.status == 1 && other.stdout.contains("diverged at seq"), "the loads changed: \(other.stdout)")
        let export = try CLI.run(["export-dss", "out/p2p.gtrace", "dss", "--feeder", "copy/Master.dss"], in: scratch)
        #expect(export.status == 0 && export.stdout.contains("note: the feeder differs from the recorded one"))
        let master = try String(contentsOf: scratch.appendingPathComponent("dss/Master.dss"), encoding: .utf8)
        #expect(master.contains("copy/Master.dss\""))
    }

    @Test func recordingFromAnotherFolderGivesTheSameBytes() throws {
        let scratch = try CLI.scratch()
        let scenario = try MiniFeeder.write(into: scratch)
        let here = try CLI.run(["run", "mini.toml", "--variant", "p2p", "--out", "here"], in: scratch)
        let there = try CLI.run(["run", scenario, "--variant", "p2p", "--out", scratch.appendingPathComponent("there").path],
                                in: SharedData.packageRoot)
        #expect(here.status == 0 && there.status == 0, "\(here.stderr)\(there.stderr)")
        let bytes = try ["here", "there"].map { try Data(contentsOf: scratch.appendingPathComponent("\($0)/p2p.gtrace")) }
        #expect(bytes[0].count > 8192 && bytes[0] == bytes[1])
    }

    @Test func auditsOfCopiesInTwoFoldersAreByteIdentical() throws {
        let scratch = try CLI.scratch()
        let reference = SharedData.packageRoot.appendingPathComponent("traces/default-12/p2p.gtrace")
        var findings: [Data] = []
        for folder in ["one", "two/nested/deeper"] {
            let directory = scratch.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: reference, to: directory.appendingPathComponent("p2p.gtrace"))
            let audit = try CLI.run(["audit", "p2p.gtrace"], in: directory)
            #expect(audit.status == 0, "\(audit.stderr)")
            findings.append(try Data(contentsOf: directory.appendingPathComponent("p2p.gtrace.audit.gtrace")))
        }
        #expect(findings[0].count > 4096 && findings[0] == findings[1])
        let info = try CLI.run(["trace", "export", "--jsonl", scratch.appendingPathComponent("one/p2p.gtrace.audit.gtrace").path])
        let header = try #require(info.stdout.split(separator: "\n").first.map(String.init))
        #expect(header.contains(#"audited_final_hash"#) && !header.contains("p2p.gtrace"), "\(header)")
    }
}

/// A three-home OpenDSS feeder written by the test: an entry script, a redirected file and a
/// load-shape data file in a subfolder.
enum MiniFeeder {
    static let profile = ["0.4", "0.35", "0.3", "0.3", "0.35", "0.5", "0.9", "1.2", "1.0", "0.8", "0.7", "0.7",
                          "0.8", "0.7", "0.6", "0.7", "0.9", "1.4", "1.8", "1.6", "1.3", "1.0", "0.7", "0.5"]
        .map { $0 + "\n" }.joined()

    static let master = """
        Clear
        Set DefaultBaseFrequency=50
        New Circuit.mini basekV=11 pu=1.0 ISC3=3000 ISC1=5
        New Transformer.tr1 windings=2 buses=[sourcebus lv] conns=[delta wye] kVs=[11 0.416] kVAs=[250 250] XHL=4 %Rs=[0.5 0.5]
        Redirect lines.dss
        New LoadShape.home npts=24 interval=1 mult=(file=profiles/home.txt) useactual=yes
        New Load.home_1 bus1=h1.1 phases=1 kV=0.24 kW=1 pf=0.95 daily=home
        New Load.home_2 bus1=h2.2 phases=1 kV=0.24 kW=1 pf=0.95 daily=home
        New Load.home_3 bus1=h3.3 phases=1 kV=0.24 kW=1 pf=0.95 daily=home
        Set voltagebases=[11 0.416]
        Calcvoltagebases

        """

    static let lines = (1...3).map {
        "New Line.l\($0) bus1=lv bus2=h\($0) phases=3 r1=0.2 x1=0.08 r0=0.6 x0=0.3 length=0.05 units=km\n"
    }.joined()

    static let scenario = """
        [run]
        name = "mini"
        seed = 7
        intervals = 3

        [feeder]
        kind = "opendss"
        path = "feeder/Master.dss"

        [profiles]
        source = "feeder"

        [chain]
        nodes = 10
        miners = 3
        degree = 3

        """

    /// Writes `feeder/` and `mini.toml` into `directory`; returns the scenario's path.
    static func write(into directory: URL) throws -> String {
        let feeder = directory.appendingPathComponent("feeder")
        try FileManager.default.createDirectory(at: feeder.appendingPathComponent("profiles"), withIntermediateDirectories: true)
        try master.write(to: feeder.appendingPathComponent("Master.dss"), atomically: true, encoding: .utf8)
        try lines.write(to: feeder.appendingPathComponent("lines.dss"), atomically: true, encoding: .utf8)
        try profile.write(to: feeder.appendingPathComponent("profiles/home.txt"), atomically: true, encoding: .utf8)
        let scenarioPath = directory.appendingPathComponent("mini.toml")
        try scenario.write(to: scenarioPath, atomically: true, encoding: .utf8)
        return scenarioPath.path
    }

    /// Replaces a stored file's compressed bytes behind the trace's back (the recorded digest stays).
    static func replaceStoredFile(trace: String, path: String, with bytes: [UInt8]) throws {
        var capacity = compressBound(uLong(bytes.count))
        var compressed = [UInt8](repeating: 0, count: Int(capacity))
        #expect(compress2(&compressed, &capacity, bytes, uLong(bytes.count), 9) == Z_OK)
        let hex = compressed.prefix(Int(capacity)).map { String(format: "%02x", $0) }.joined()
        var database: OpaquePointer?
        #expect(sqlite3_open_v2(trace, &database, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK)
        defer { sqlite3_close_v2(database) }
        #expect(sqlite3_exec(database, "UPDATE feeder_files SET zlib = X'\(hex)' WHERE path = '\(path)'", nil, nil, nil) == SQLITE_OK)
        #expect(sqlite3_changes(database) == 1)
    }
}

/// Traces of format version 1 (written by gridtrace 33b7c6d, before traces stored their feeder;
/// `traces/format-1/`, never regenerated) are still read, verified and replayed where possible, and
/// refused with how to re-record them where not.
@Suite struct FormatOneCLITests {
    static let folder = SharedData.packageRoot.appendingPathComponent("traces/format-1")

    @Test func syntheticFormatOneTraceStillVerifiesAndReplays() throws {
        let trace = Self.folder.appendingPathComponent("default-1-p2p.gtrace").path
        let info = try CLI.run(["trace", "info", trace, "--json"])
        let object = try #require(JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any])
        #expect(object["format_version"] as? Int == 1 && object["sealed"] as? Bool == true)
        let replay = try CLI.run(["replay", trace])
        #expect(replay.status == 0 && replay.stdout.hasPrefix("identical: all \(object["events"] as? Int ?? -1) recorded events"))
        #expect(try CLI.run(["verify", trace]).status == 0)
    }

    @Test func openDSSFormatOneTraceIsRefusedWithHowToReRecordIt() throws {
        let scratch = try CLI.scratch()
        let trace = Self.folder.appendingPathComponent("mini-1-p2p.gtrace").path
        let refused = try CLI.run(["replay", trace], in: scratch)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("trace format version 1 does not store its feeder"), "\(refused.stderr)")
        #expect(refused.stderr.contains("gridtrace run SCENARIO.toml --seed 7 --intervals 1"))
        _ = try MiniFeeder.write(into: scratch)
        let substituted = try CLI.run(["replay", trace, "--feeder", "feeder/Master.dss"], in: scratch)
        #expect(substituted.status == 0, "\(substituted.stdout)\(substituted.stderr)")
        #expect(substituted.stdout.contains("note: --feeder feeder/Master.dss is identical to the recorded feeder"))
    }
}
