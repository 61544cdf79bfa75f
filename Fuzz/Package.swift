// swift-tools-version:5.4
// libFuzzer harness for gridtrace's input readers; built and run by scripts/fuzz.sh, never by the
// root package's `swift build` / `swift test` (a binary whose main comes from libFuzzer does not link
// without -sanitize=fuzzer). Tools version 5.4 on purpose: later versions rename an executable's
// entry point to `<module>_main` and link `main` to it, which collides with libFuzzer's own `main`.
import PackageDescription

let package = Package(
    name: "GridTraceFuzz",
    dependencies: [
        .package(name: "gridtrace", path: ".."),
    ],
    targets: [
        // One binary for every target (one sanitized link instead of seven); the target is chosen by
        // the environment variable GRIDTRACE_FUZZ_TARGET (see FuzzTarget.swift).
        .executableTarget(
            name: "GridTraceFuzz",
            dependencies: [.product(name: "GridTraceLibraries", package: "gridtrace")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
