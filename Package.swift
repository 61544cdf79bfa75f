// swift-tools-version:6.0
// gridtrace: deterministic record / replay / verification of a blockchain P2P electricity market
// co-simulated with a three-phase LV distribution network. Module dependencies point one way:
// Kernel ← Trace ← Feeder ← PowerFlow ← Chain ← Market ← CoSim ← Verify ← gridtrace.
import PackageDescription

let package = Package(
    name: "gridtrace",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gridtrace", targets: ["gridtrace"]),
        // The library modules, for the libFuzzer package in Fuzz/ (scripts/fuzz.sh).
        .library(name: "GridTraceLibraries", targets: ["Kernel", "Trace", "Feeder", "CoSim", "Verify", "Study"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // System libraries (Debian: libsqlite3-dev, libxml2-dev, libsuitesparse-dev, zlib1g-dev).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CKLU", providers: [.apt(["libsuitesparse-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        .target(name: "Kernel"),
        .target(name: "Trace", dependencies: [
            "Kernel", "CSQLite", "CZlib",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Feeder", dependencies: [
            "Kernel",
            .product(name: "ComplexModule", package: "swift-numerics"),
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .target(name: "PowerFlow", dependencies: [
            "Kernel", "Feeder", "CKLU",
            .product(name: "ComplexModule", package: "swift-numerics"),
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .target(name: "Plot"),
        .target(name: "Chain", dependencies: ["Kernel", "Plot"], exclude: ["README.md"]),
        .target(name: "Market", dependencies: [
            "Kernel",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "CoSim", dependencies: [
            "Kernel", "Trace", "Feeder", "PowerFlow", "Chain", "Market",
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Verify", dependencies: ["Kernel", "Trace", "Feeder", "PowerFlow", "Chain", "Market", "CoSim", "CLibXML2"]),
        .target(name: "Report", dependencies: ["Kernel", "PowerFlow", "Chain", "Market", "CoSim", "Plot"]),
        // Sweeps over parameters and seeds: plans, the local and Slurm engines, sweep.sqlite and its report.
        .target(name: "Study", dependencies: [
            "Kernel", "Trace", "Chain", "CoSim", "Verify", "Report", "Plot", "CSQLite",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        // Release builds link the Swift runtime and Foundation statically: the process then starts
        // without loading ~20 shared libraries (issue 11, start-up; BENCHMARKS.md). Debug builds,
        // which the test targets link against, stay dynamic.
        .executableTarget(name: "gridtrace", dependencies: [
            "Kernel", "Trace", "Feeder", "PowerFlow", "Chain", "Market", "CoSim", "Verify", "Plot", "Report", "Study",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))],
        linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]),

        .target(name: "TestSupport", dependencies: ["Trace", "CSQLite"], path: "Tests/TestSupport"),
        .testTarget(name: "KernelTests", dependencies: ["Kernel"]),
        .testTarget(name: "TraceTests", dependencies: ["Trace", "Kernel", "CSQLite", "TestSupport"]),
        .testTarget(name: "FeederTests", dependencies: ["Feeder", "TestSupport"]),
        .testTarget(name: "PowerFlowTests", dependencies: ["PowerFlow", "Feeder", "TestSupport"]),
        .testTarget(name: "ChainTests", dependencies: ["Chain", "Kernel"]),
        .testTarget(name: "PlotTests", dependencies: ["Plot"]),
        .testTarget(name: "MarketTests", dependencies: ["Market", "Kernel"]),
        .testTarget(name: "CoSimTests", dependencies: ["CoSim", "Trace", "TestSupport"]),
        .testTarget(name: "VerifyTests", dependencies: ["Verify", "CoSim", "Trace", "Feeder", "PowerFlow", "TestSupport", "gridtrace"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "CoSim", "Chain"]),
        .testTarget(name: "StudyTests", dependencies: ["Study", "CoSim", "Trace", "Report", "Plot", "TestSupport", "CSQLite", "gridtrace"]),
        .testTarget(name: "CLITests", dependencies: ["gridtrace", "TestSupport", "Trace", "CSQLite", "CZlib"]),
    ]
)
