// swift-tools-version:6.2
import PackageDescription
let package = Package(
    name: "repro",
    dependencies: [.package(path: "/work/main")],
    targets: [.executableTarget(name: "repro", dependencies: [.product(name: "NNKernels", package: "main")])]
)
