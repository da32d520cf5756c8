// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "calcflow",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "calcflow-api", targets: ["calcflow-api"]),
        .executable(name: "calcflowctl", targets: ["calcflowctl"]),
        .executable(name: "calcflow-agent", targets: ["calcflow-agent"]),
        .executable(name: "calcflow-models", targets: ["calcflow-models"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // C libraries from Debian, one system-library target each, nothing but a modulemap and a shim.
        .systemLibrary(name: "CFastCGI", path: "Sources/CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CMariaDB", path: "Sources/CMariaDB", pkgConfig: "libmariadb", providers: [.apt(["libmariadb-dev"])]),
        .systemLibrary(name: "CJansson", path: "Sources/CJansson", pkgConfig: "jansson", providers: [.apt(["libjansson-dev"])]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CArgon2", path: "Sources/CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),

        // The only Swift code that sees C: small safe wrappers.
        .target(name: "FastCGI", dependencies: ["CFastCGI"]),
        .target(name: "MariaDB", dependencies: ["CMariaDB"]),
        .target(name: "JSON", dependencies: ["CJansson"]),
        .target(name: "HTTPClient", dependencies: ["CCurl"]),
        .target(name: "Crypto", dependencies: ["CCrypto", "CArgon2"]),

        // The one place that starts processes and sends signals: swift-subprocess, and POSIX kill(2)
        // for a process an earlier agent started.
        .target(name: "ChildProcesses", dependencies: [
            .product(name: "Subprocess", package: "swift-subprocess"),
            .product(name: "SystemPackage", package: "swift-system"),
        ]),

        // One config file format for every daemon: key = value lines and CALCFLOW_* overrides.
        .target(name: "CalcflowConfiguration"),

        // The one log formatter of every daemon: key=value lines, every value escaped.
        .target(name: "CalcflowLogging", dependencies: ["CalcflowCore", .product(name: "Logging", package: "swift-log")]),

        // The domain, without I/O.
        .target(name: "CalcflowCore", dependencies: ["JSON"]),

        // The API: router, auth, resources.
        .target(name: "CalcflowAPI", dependencies: [
            "CalcflowCore", "CalcflowConfiguration", "CalcflowLogging", "FastCGI", "MariaDB", "JSON", "Crypto", "HTTPClient",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ], exclude: ["Resources"]),

        .target(name: "CalcflowAgent", dependencies: [
            "CalcflowCore", "CalcflowConfiguration", "CalcflowLogging", "HTTPClient", "JSON", "Crypto", "ChildProcesses",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "SystemPackage", package: "swift-system"),
        ]),

        // calcflow-models: the container engine client and the controller that keeps models in their desired state.
        .target(name: "CalcflowModels", dependencies: [
            "CalcflowCore", "CalcflowConfiguration", "CalcflowLogging", "HTTPClient", "JSON",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "calcflow-models", dependencies: [
            "CalcflowModels", "CalcflowConfiguration", "CalcflowLogging", "JSON",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .executableTarget(name: "calcflow-agent", dependencies: [
            "CalcflowAgent", "CalcflowConfiguration", "CalcflowCore", "CalcflowLogging", "JSON",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "calcflow-api", dependencies: [
            "CalcflowAPI", "CalcflowConfiguration",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "calcflowctl", dependencies: [
            "CalcflowAPI", "CalcflowConfiguration", "CalcflowCore", "MariaDB", "Crypto", "HTTPClient", "JSON",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .target(name: "CalcflowTestSupport", dependencies: ["HTTPClient", "JSON", "MariaDB"], path: "Tests/CalcflowTestSupport"),
        .testTarget(name: "CalcflowCoreTests", dependencies: ["CalcflowCore", "CalcflowLogging", "JSON",
                                                              .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "CalcflowAgentTests", dependencies: ["CalcflowAgent", "CalcflowCore", "JSON"]),
        .testTarget(name: "WrapperTests", dependencies: ["JSON", "Crypto", "MariaDB", "ChildProcesses", "CalcflowTestSupport"]),
        .testTarget(name: "CalcflowAPITests", dependencies: ["CalcflowAPI", "CalcflowTestSupport", "HTTPClient", "JSON", "Crypto", "MariaDB"]),
    ],
    swiftLanguageModes: [.v6]
)
