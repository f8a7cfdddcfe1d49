// swift-tools-version:6.1
// Benchmarks for FinRec, kept out of the main package so its build stays lean.
// Run ./scoring.sh, ./csv.sh, ./features.sh, ./rank.sh or ./train.sh: each builds this in release mode, runs the Python peer in the same session
// and prints the ratio table (see README.md here).

import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, which differs between clones
// (main, a CI checkout, ...): derive it instead of hard-coding it.
let finrecFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let finrecPackage = finrecFolder.lastPathComponent

let package = Package(
    name: "FinRecBenchmarks",
    dependencies: [
        .package(path: "../"),
    ],
    targets: [
        .executableTarget(
            name: "finrec-bench",
            dependencies: [.product(name: "FinRec", package: finrecPackage)],
            path: "Sources/FinRecBench"
        ),
        .executableTarget(
            name: "finrec-fuzz",
            dependencies: [.product(name: "FinRec", package: finrecPackage)],
            path: "Sources/FinRecFuzz"
        ),
    ]
)
