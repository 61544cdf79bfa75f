// Owns libFuzzer's entry point: picks the target named by GRIDTRACE_FUZZ_TARGET once, then hands
// every input to it. A thrown error is the reader doing its job (bad input refused); only a trap,
// a sanitizer report, a leak, a timeout or running out of memory is a finding.
#if canImport(Glibc)
import Glibc
#endif

/// The target this process fuzzes, read once (libFuzzer calls in from one thread).
let selectedTarget: FuzzTarget = {
    guard let name = getenv("GRIDTRACE_FUZZ_TARGET").map({ String(cString: $0) }),
          let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        fputs("GridTraceFuzz: set GRIDTRACE_FUZZ_TARGET to one of: \(names)\n", stderr)
        exit(64)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size > 0 ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    selectedTarget.run(bytes)
    return 0
}
