// Owns the local engine: a pool of `gridtrace sweep exec SWEEPDIR --runs N` processes, at most
// `jobs` at a time, one run per process (so a crash costs one run, and the runs' traces are what
// separate `gridtrace run` processes give). Each child's output goes to logs/NNNN.log. Parallelism
// is between processes only; each run is deterministic on its own.
import Dispatch
import Foundation

public struct LocalEngine: Sendable {
    public var executablePath: String
    public var jobs: Int

    public init(executablePath: String, jobs: Int) {
        self.executablePath = executablePath
        self.jobs = max(1, jobs)
    }

    /// Runs `indices` to completion. A child that ends without a result (a crash, a kill) gets a
    /// failed result.json naming its exit and log. `finished(index)` is called as each run ends.
    public func run(layout: SweepLayout, indices: [Int], finished: (Int) -> Void) throws(SweepError) {
        do {
            try FileManager.default.createDirectory(atPath: layout.path("logs"), withIntermediateDirectories: true)
        } catch {
            throw .unusableFolder("\(layout.path("logs")): cannot create: \(error)")
        }
        let ended = EndedRuns()
        var queue = indices[...]
        var running: [(index: Int, process: Process)] = []
        while !queue.isEmpty || !running.isEmpty {
            while running.count < jobs, let index = queue.popFirst() {
                if let process = start(index, layout: layout, ended: ended) {
                    running.append((index, process))
                } else {
                    finished(index)
                }
            }
            if running.isEmpty { continue }  // every start failed: nothing to wait for
            for index in ended.wait() {
                guard let position = running.firstIndex(where: { $0.index == index }) else { continue }
                let process = running.remove(at: position).process
                process.waitUntilExit()
                recordCrash(index, process: process, layout: layout)
                finished(index)
            }
        }
    }

    /// Starts the child for run `index`; nil (with a failed result written) when it cannot start.
    private func start(_ index: Int, layout: SweepLayout, ended: EndedRuns) -> Process? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executablePath)
        process.arguments = ["sweep", "exec", layout.directory, "--runs", String(index)]
        // A stale result must not stand for this attempt if the child dies before writing its own.
        try? FileManager.default.removeItem(atPath: layout.resultPath(index))
        let logPath = layout.logPath(index)
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        if let log = FileHandle(forWritingAtPath: logPath) {
            process.standardOutput = log
            process.standardError = log
        }
        process.terminationHandler = { _ in ended.add(index) }
        do {
            try process.run()
            return process
        } catch {
            writeFailure(index, layout: layout, message: "cannot start \(executablePath): \(error)")
            return nil
        }
    }

    /// A child that exited without writing its run's result (killed, crashed) leaves a failed one.
    private func recordCrash(_ index: Int, process: Process, layout: SweepLayout) {
        if FileManager.default.fileExists(atPath: layout.resultPath(index)) { return }
        let how = process.terminationReason == .uncaughtSignal ? "was killed by signal \(process.terminationStatus)"
            : "exited with status \(process.terminationStatus)"
        writeFailure(index, layout: layout, message: "sweep exec \(how) without a result; see logs/\(SweepLayout.folderName(index)).log")
    }

    private func writeFailure(_ index: Int, layout: SweepLayout, message: String) {
        guard let manifest = try? SweepManifest.read(layout), let run = manifest.runs.first(where: { $0.index == index }) else { return }
        let result = RunResult(runIndex: index, status: .failed, error: message, wallSeconds: 0, engine: "local", seeds: run.seeds,
                               parameters: run.parameters, traces: [], metrics: [])
        try? result.write(layout)
    }
}

/// Runs whose child process ended, handed from Foundation's termination handlers to the pool's loop.
private final class EndedRuns: @unchecked Sendable {
    private let lock = NSLock()
    private let signal = DispatchSemaphore(value: 0)
    private var indices: [Int] = []

    func add(_ index: Int) {
        lock.withLock { indices.append(index) }
        signal.signal()
    }

    /// Blocks until at least one run has ended; returns every run ended since the last call.
    func wait() -> [Int] {
        signal.wait()
        return lock.withLock {
            let ended = indices
            indices.removeAll()
            return ended
        }
    }
}
