// The importer's file sources: compiling from disk records every file the scripts read (relative to
// the entry's folder, `../` included), and compiling that file set from memory gives the same model
// without touching the disk; a file the set lacks is an error naming it.
import Feeder
import Foundation
import Testing

@Suite struct ScriptFilesTests {
    /// `root/feeder/Master.dss` redirecting `../common/lines.dss`, a shape file in a subfolder, BusCoords.
    static func writeFeeder(_ name: String = #function) throws -> URL {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("gridtrace-scriptfiles-\(getpid())-\(name.filter { $0.isLetter })")
        try? FileManager.default.removeItem(at: root)
        for folder in ["feeder/shapes", "common"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let master = """
            Clear
            New Circuit.t basekV=11 pu=1.0 ISC3=3000 ISC1=5
            Redirect ../common/lines.dss
            New LoadShape.s npts=4 interval=6 mult=(file=shapes/s.txt)
            New Load.home_1 bus1=b1.1 phases=1 kV=6.35 kW=10 pf=0.95 daily=s
            Set voltagebases=[11]
            Calcvoltagebases
            BusCoords coords.csv

            """
        try master.write(to: root.appendingPathComponent("feeder/Master.dss"), atomically: true, encoding: .utf8)
        try "New Line.l1 bus1=sourcebus bus2=b1 phases=3 r1=0.2 x1=0.08 r0=0.6 x0=0.3 length=1 units=km\n"
            .write(to: root.appendingPathComponent("common/lines.dss"), atomically: true, encoding: .utf8)
        try "0.5\n1.0\n0.75\n0.25\n".write(to: root.appendingPathComponent("feeder/shapes/s.txt"), atomically: true, encoding: .utf8)
        try "sourcebus, 0, 0\nb1, 100, 0\n".write(to: root.appendingPathComponent("feeder/coords.csv"), atomically: true, encoding: .utf8)
        return root
    }

    @Test func recordsEveryFileReadRelativeToTheEntry() throws {
        let root = try Self.writeFeeder()
        let (model, files) = try FeederImporter.compileRecordingFiles(path: root.appendingPathComponent("feeder/Master.dss").path)
        #expect(files.entry == "Master.dss")
        #expect(files.files.map(\.path) == ["../common/lines.dss", "Master.dss", "coords.csv", "shapes/s.txt"])
        #expect(files.file("shapes/s.txt")?.bytes == Array("0.5\n1.0\n0.75\n0.25\n".utf8))
        #expect(model.loadShapes.first?.multipliers == [0.5, 1.0, 0.75, 0.25])
    }

    @Test func storedFilesCompileToTheSameModelWithoutTheDisk() throws {
        let root = try Self.writeFeeder()
        let (model, files) = try FeederImporter.compileRecordingFiles(path: root.appendingPathComponent("feeder/Master.dss").path)
        try FileManager.default.removeItem(at: root)  // nothing on disk any more
        let stored = try FeederImporter.compile(files: files)
        #expect(stored.loadShapes.first?.multipliers == model.loadShapes.first?.multipliers)
        #expect(stored.lines.map(\.name) == model.lines.map(\.name) && stored.lines.count == 1)
        #expect(stored.loads.map(\.name) == ["home_1"])
        #expect(stored.busCoordinates.count == 2)
    }

    @Test func aFileTheSetLacksIsAnErrorNamingIt() throws {
        let root = try Self.writeFeeder()
        let (_, files) = try FeederImporter.compileRecordingFiles(path: root.appendingPathComponent("feeder/Master.dss").path)
        let partial = FeederFileSet(entry: files.entry, files: files.files.filter { $0.path != "shapes/s.txt" })
        do {
            _ = try FeederImporter.compile(files: partial)
            Issue.record("a missing stored file compiled")
        } catch {
            #expect("\(error)".contains("shapes/s.txt"), "\(error)")
        }
    }

    @Test func pathsAreNormalizedLexically() {
        #expect(FilePaths.normalize("/a/b/../c/./d") == "/a/c/d")
        #expect(FilePaths.normalize("a/../../b") == "../b")
        #expect(FilePaths.relative("/x/common/l.dss", from: "/x/feeder") == "../common/l.dss")
        #expect(FilePaths.relative("/x/feeder/s/t.txt", from: "/x/feeder") == "s/t.txt")
    }
}
