// swift-tools-version:6.1
//
// FinRec: financing recommendations for 专精特新 (SRDI) SMEs.
// See README.md for the two set-up commands and "How the code is organised".

import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "FinRec",
    products: [
        .library(name: "FinRec", targets: ["FinRec"]),
        .executable(name: "finrec", targets: ["FinRecCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: - C system libraries

        // OpenBLAS through pkg-config, as GRDB declares SQLite. Only BLASKernel.swift imports it.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),

        // MARK: - Library

        .target(
            name: "FinRec",
            dependencies: ["CBLAS"],
            swiftSettings: strictSettings
        ),

        // MARK: - Executable

        .executableTarget(
            name: "FinRecCLI",
            dependencies: [
                "FinRec",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: - Tests

        .testTarget(
            name: "FinRecTests",
            dependencies: ["FinRec"],
            exclude: ["Fixtures"],  // read from the source tree by path
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FinRecCLITests",
            dependencies: ["FinRecCLI", "FinRec"],
            swiftSettings: strictSettings
        ),
    ]
)
