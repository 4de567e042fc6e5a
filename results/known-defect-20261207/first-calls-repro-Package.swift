// swift-tools-version:6.2
// The reproducer as a package of its own: put this file as Package.swift and
// first-calls-repro.swift as Sources/repro/main.swift in an empty folder, and set
// NNK_PROJECT_PATH to the project's checkout (the default is the folder two levels up).
// SwiftPM names a path dependency after its folder: `package: "main"` below is that name.
import Foundation
import PackageDescription
let project = ProcessInfo.processInfo.environment["NNK_PROJECT_PATH"] ?? "../.."
let package = Package(
    name: "repro",
    dependencies: [.package(path: project)],
    targets: [.executableTarget(name: "repro", dependencies: [.product(name: "NNKernels", package: "main")])]
)
