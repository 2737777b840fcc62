// swift-tools-version: 6.0
import Foundation
import PackageDescription

let package = Package(
    name: "Evictor",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "evictor", targets: ["evictor"]),
        .library(name: "LuaRuntime", targets: ["LuaRuntime"]),
        .library(name: "EvictorCore", targets: ["EvictorCore"]),
        .library(name: "RegistryAPI", targets: ["RegistryAPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    ],
    targets: [
        // MARK: - Lua 5.4 through C
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        .target(
            name: "CLuaShim",
            dependencies: ["CLua"]
        ),
        // Its own Lua (the sandbox) is in Lua/, compiled in as EngineLua.files by the
        // EmbedBuiltInPlugins build-tool plugin (below); excluded from the Swift sources.
        .target(
            name: "LuaRuntime",
            dependencies: [
                "CLuaShim", "CLua",
            ],
            exclude: ["Lua"],
            plugins: ["EmbedBuiltInPlugins"]
        ),

        // MARK: - Engine
        // MARK: - Platform calls (dirent, glob, file reads) behind one C API
        .target(name: "CEvictorPlatform"),

        .target(
            name: "EvictorCore",
            dependencies: [
                "CEvictorPlatform",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // MARK: - Registry access
        .target(
            name: "RegistryAPI",
            dependencies: [
                "EvictorCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ]
        ),

        // MARK: - Object storage: S3 requests signed with SigV4 (knows nothing of registries)
        .target(
            name: "ObjectStorage",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),

        // MARK: - Registry storage on disk or in a bucket
        .target(
            name: "RegistryStorage",
            dependencies: ["EvictorCore", "ObjectStorage"]
        ),

        // MARK: - Snapshots, plan execution, journal and restore against a live registry
        .target(
            name: "Eviction",
            dependencies: ["EvictorCore", "RegistryAPI", "RegistryStorage"]
        ),

        // MARK: - Plugins and policies
        .target(
            name: "EvictorScripting",
            dependencies: [
                "LuaRuntime", "EvictorCore", "RegistryStorage",
                .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["Lua"],
            plugins: ["EmbedBuiltInPlugins"]
        ),
        // The engine's own Lua (each target's Lua/ folder, as EngineLua.files) and the built-in
        // sources, fixers, libraries and policies (plugins/ and policies/, as
        // BuiltInPlugins.files in EvictorScripting), compiled in at build time. The plugin lives
        // in BuildPlugins/, not the conventional Plugins/: on a case-insensitive file system that
        // would be the same folder as the Lua plugins/.
        .executableTarget(name: "EmbedLua"),
        .plugin(name: "EmbedBuiltInPlugins", capability: .buildTool(), dependencies: ["EmbedLua"], path: "BuildPlugins/EmbedBuiltInPlugins"),

        // MARK: - Use cases: what the CLI (and later a scheduler and a server) drive
        .target(
            name: "EvictorEngine",
            dependencies: [
                "EvictorCore", "RegistryAPI", "RegistryStorage", "ObjectStorage", "Eviction", "EvictorScripting", "LuaRuntime",
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),

        // MARK: - `evictor serve`: scheduler, history (SQLite), HTTP endpoints, metrics, web report
        .target(
            name: "EvictorServer",
            dependencies: [
                "EvictorEngine", "EvictorCore", "Eviction", "RegistryAPI", "RegistryStorage", "EvictorScripting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // MARK: - CLI
        .executableTarget(
            name: "evictor",
            dependencies: [
                "LuaRuntime", "EvictorCore", "RegistryAPI", "RegistryStorage", "Eviction", "EvictorScripting", "EvictorEngine", "EvictorServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: - Test support (real registry, skopeo, OCI layouts)
        .target(
            name: "EvictorTestSupport",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tests/EvictorTestSupport"
        ),

        // MARK: - Tests
        .testTarget(name: "CLuaShimTests", dependencies: ["CLuaShim", "CLua"]),
        .testTarget(name: "LuaRuntimeTests", dependencies: ["LuaRuntime"]),
        .testTarget(name: "EvictorCoreTests", dependencies: ["EvictorCore"]),
        .testTarget(
            name: "EvictorScriptingTests",
            dependencies: ["EvictorScripting", "EvictorCore", "LuaRuntime", "RegistryStorage", "EvictorTestSupport"]
        ),
        .testTarget(name: "RegistryAPITests", dependencies: ["RegistryAPI", "EvictorCore", "EvictorTestSupport"]),
        .testTarget(
            name: "EvictorEngineTests",
            dependencies: ["EvictorEngine", "EvictorCore", "EvictorScripting", "RegistryAPI", "Eviction", "EvictorTestSupport"]),
        .testTarget(
            name: "EvictorCLITests",
            dependencies: ["evictor", "EvictorCore", "Eviction", "EvictorTestSupport", "ObjectStorage", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "EndToEndTests", dependencies: ["EvictorTestSupport"]),
        .testTarget(name: "EvictorServerTests", dependencies: ["EvictorServer", "EvictorEngine", "EvictorCore", "Eviction"]),
        .testTarget(name: "RegistryStorageTests", dependencies: ["RegistryStorage", "ObjectStorage", "EvictorCore", "EvictorTestSupport"]),
        .testTarget(name: "ObjectStorageTests", dependencies: ["ObjectStorage", "EvictorTestSupport"]),
        .testTarget(name: "EvictionTests", dependencies: ["Eviction", "RegistryAPI", "RegistryStorage", "EvictorCore", "EvictorTestSupport"]),
    ]
)

// The libFuzzer harness (fuzz/run) exists only when asked for: it has no `main` of its own
// (libFuzzer brings one), so a normal build could not link it.
if ProcessInfo.processInfo.environment["EVICTOR_LIBFUZZER"] == "1" {
    package.targets.append(.executableTarget(name: "evictor-fuzz", dependencies: ["EvictorCore"], path: "fuzz/harness"))
}
