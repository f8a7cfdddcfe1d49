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

// The library's modules are optimised in debug builds too (the tests' build): the suite spends
// most of its time training and scoring, which -Onone makes many times slower. Assertions and
// DEBUG-only checks stay on (debug configuration), as does `@testable import`.
let librarySettings: [SwiftSetting] = strictSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]


let package = Package(
    name: "FinRec",
    products: [
        .library(name: "FinRec", targets: ["FinRec"]),
        .executable(name: "finrec", targets: ["FinRecCLI"]),
        .executable(name: "finrec-desk", targets: ["FinRecDesk"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The officer's desk (`finrec serve`, `finrec audit`): HTTP, the audit log, the page's
        // templates, the /metrics text. Hummingbird without its default traits (no
        // swift-configuration, whose build is not needed here).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // `swift package generate-documentation --target FinRec`: the library's DocC catalog
        // (Sources/FinRec/FinRec.docc). A command plugin: nothing of it is built by `swift build`.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // MARK: - C system libraries

        // OpenBLAS through pkg-config, as GRDB declares SQLite. Only BLASKernel.swift (FinRecLinear) imports it.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),

        // libxlsxwriter (Debian's libxlsxwriter-dev) for the .xlsx outputs. Only XLSXWorkbook.swift
        // imports it.
        .systemLibrary(
            name: "CXLSXWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"])]
        ),

        // libdeflate (Debian's libdeflate-dev): the audit log's stored results, deflated in one call
        // on the request's thread. Only AuditChain.swift imports it.
        .systemLibrary(
            name: "CDeflate",
            pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"])]
        ),

        // glibc's malloc.h, for mallopt. Only ProcessMemory.swift imports it.
        .systemLibrary(name: "CMalloc"),
        // SHA-256 blocks with the x86 SHA extensions, chosen at run time. Only SHA256.swift imports it.
        .target(name: "CSHA256"),

        // MARK: - Library: a stack of modules, each importing only those below it, so an upward
        // use does not compile. `FinRec` on top holds the use cases and re-exports the rest.

        // Dates, language, JSON, files, parallel helpers, SHA-256, text helpers.
        .target(name: "FinRecBase", dependencies: [.target(name: "CMalloc", condition: .when(platforms: [.linux])), "CSHA256"],
                swiftSettings: librarySettings),
        // The enterprise schema and the CSV, JSON and Excel readers (zlib through CXLSXWriter):
        // records in column chunks.
        .target(name: "FinRecRecords", dependencies: ["FinRecBase", "CXLSXWriter"], swiftSettings: librarySettings),
        // Matrices, the BLAS and reference kernels, the linear model and its scorer.
        .target(name: "FinRecLinear", dependencies: ["FinRecRecords", "CBLAS"], swiftSettings: librarySettings),
        // The expression language, feature specs, fitted features and bins.
        .target(name: "FinRecFeatures", dependencies: ["FinRecLinear"], swiftSettings: librarySettings),
        // Offer kinds, offers, eligibility rules, gaps and paths.
        .target(name: "FinRecCatalog", dependencies: ["FinRecFeatures"], swiftSettings: librarySettings),
        // The model file and training (objective, solvers, cross-validation, calibration).
        .target(name: "FinRecModel", dependencies: ["FinRecCatalog"], swiftSettings: librarySettings),
        // Scoring offers, the applicant's assessment, pool top lists and near-misses.
        .target(name: "FinRecInference", dependencies: ["FinRecModel"], swiftSettings: librarySettings),
        // A model's evaluation on labelled data and population stability.
        .target(name: "FinRecEvaluation", dependencies: ["FinRecInference"], swiftSettings: librarySettings),
        // Plans under quotas: choosing firms for programmes exactly (a minimum-cost flow).
        .target(name: "FinRecPlanning", dependencies: ["FinRecEvaluation"], swiftSettings: librarySettings),
        // Typed documents and their renderers (table, CSV, JSON, xlsx, HTML, SVG).
        .target(name: "FinRecReports", dependencies: ["FinRecPlanning"], swiftSettings: librarySettings),
        // The model and its rules as PMML and SQL.
        .target(name: "FinRecExport", dependencies: ["FinRecReports"], swiftSettings: librarySettings),
        // The synthetic Shandong world (`finrec synth`): a leaf beside the stack.
        .target(name: "FinRecSynthetic", dependencies: ["FinRecRecords"], swiftSettings: librarySettings),
        // The use-case layer (score, rank) and its pipelines; re-exports the modules below.
        .target(
            name: "FinRec",
            dependencies: ["FinRecExport", "FinRecSynthetic"],
            swiftSettings: librarySettings
        ),

        // The HTTP service, its page and its audit log, on top of the library.
        .target(
            name: "FinRecServer",
            dependencies: [
                "FinRec",
                // libdeflate deflates the audit log's stored results; zlib (which libxlsxwriter
                // links) inflates them.
                "CDeflate",
                "CXLSXWriter",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),

        // What both executables' commands share: option groups, the default model's location.
        .target(
            name: "FinRecCLISupport",
            dependencies: [
                "FinRec",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: - Executables

        // `finrec`: every command but the desk's, without the service's libraries, so that a
        // one-applicant `finrec score` starts fast. It hands `serve`, `token` and `audit` to
        // `finrec-desk` in its own folder. (Not a dependency here: SwiftPM would then link the
        // desk's libraries into `finrec`. `swift build` builds both.)
        .executableTarget(
            name: "FinRecCLI",
            dependencies: [
                "FinRec",
                "FinRecCLISupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings,
            // The release build links the Swift runtime, standard library and
            // FoundationEssentials (with the two helper archives its static library needs) into
            // the executable: nothing of theirs for the dynamic loader to relocate at each start
            // (score p50 19.4 -> 16.2 ms here). Debug builds (the tests) link them dynamically,
            // as the test runner does.
            linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(configuration: .release)),
                             .linkedLibrary("_FoundationCShims", .when(configuration: .release)),
                             .linkedLibrary("_FoundationCollections", .when(configuration: .release))]
        ),

        // `finrec-desk`: `finrec serve`, `finrec token`, `finrec audit`.
        .executableTarget(
            name: "FinRecDesk",
            dependencies: [
                "FinRec",
                "FinRecCLISupport",
                "FinRecServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: - Benchmark and fuzz drivers (Benchmarks/*.sh build them in release)

        // In this package, not in Benchmarks/, because they time and fuzz the library's package
        // internals (the kernels, the readers, the scorer), which another package cannot see.
        .executableTarget(name: "finrec-bench", dependencies: ["FinRec"], path: "Benchmarks/Sources/FinRecBench",
                          swiftSettings: strictSettings),
        .executableTarget(name: "finrec-fuzz", dependencies: ["FinRec"], path: "Benchmarks/Sources/FinRecFuzz",
                          swiftSettings: strictSettings),

        // MARK: - Tests

        .testTarget(
            name: "FinRecTests",
            dependencies: ["FinRec"],
            exclude: ["Fixtures"],  // read from the source tree by path
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FinRecCLITests",
            dependencies: ["FinRecCLI", "FinRecDesk", "FinRecCLISupport", "FinRec", "FinRecServer"],
            swiftSettings: strictSettings
        ),
    ]
)
