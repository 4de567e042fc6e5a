// swift-tools-version:6.2
import Foundation
import PackageDescription

// MARK: - Build configuration

/// The CPU that release builds of the kernels are compiled for. Without a target CPU,
/// `SIMD*.addProduct` lowers to one libm `fmaf` call per lane instead of `vfmadd`.
/// Build for another machine with `NNK_TARGET_CPU=x86-64-v3 swift build -c release`.
let targetCPU = ProcessInfo.processInfo.environment["NNK_TARGET_CPU"] ?? "native"

let kernelSwiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-target-cpu", targetCPU], .when(configuration: .release)),
]

// Debug builds call `fmaf` for SIMD FMA, which lives in libm.
let kernelLinkerSettings: [LinkerSetting] = [.linkedLibrary("m")]

// MARK: - Package

let package = Package(
    name: "SwiftNNKernels",
    products: [
        .library(name: "NNKernels", targets: ["NNKernels"]),
        .executable(name: "bench", targets: ["bench"]),
    ],
    targets: [
        // MARK: System libraries and shims
        .systemLibrary(name: "CHwloc", path: "Sources/CHwloc", pkgConfig: "hwloc",
                       providers: [.apt(["libhwloc-dev"])]),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        // oneDNN, a yardstick of the bench only (BLIS, the other, is opened at run time): its
        // GEMM through the module, its convolution primitive through a C shim.
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .target(name: "OneDNNShim", path: "Benchmarks/OneDNNShim", linkerSettings: [.linkedLibrary("dnnl")]),
        .target(name: "_KernelShims", path: "Sources/_KernelShims"),
        .target(name: "GBenchShim", path: "Benchmarks/GBenchShim",
                cxxSettings: [.unsafeFlags(["-O2"])],
                linkerSettings: [.linkedLibrary("benchmark"), .linkedLibrary("pthread")]),

        // MARK: Kernels
        .target(name: "NNKernels",
                dependencies: ["CHwloc", "_KernelShims"],
                path: "Sources/NNKernels",
                swiftSettings: kernelSwiftSettings,
                linkerSettings: kernelLinkerSettings),

        // MARK: Benchmark harness
        .target(name: "BenchHarness",
                dependencies: ["NNKernels", "GBenchShim", "COpenBLAS", "CDNNL", "OneDNNShim"],
                path: "Benchmarks/Harness",
                resources: [.copy("Workloads")],
                swiftSettings: kernelSwiftSettings,
                linkerSettings: kernelLinkerSettings),
        .executableTarget(name: "bench",
                          dependencies: ["BenchHarness"],
                          path: "Benchmarks/bench",
                          swiftSettings: kernelSwiftSettings),

        // MARK: Tests
        .testTarget(name: "NNKernelsTests", dependencies: ["NNKernels"],
                    swiftSettings: kernelSwiftSettings),
        .testTarget(name: "BenchHarnessTests", dependencies: ["BenchHarness", "NNKernels"],
                    swiftSettings: kernelSwiftSettings),
    ],
    cxxLanguageStandard: .cxx17
)
