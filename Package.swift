// swift-tools-version: 6.0
// AutoencoderZoo: autoencoder collaborative-filtering models in Swift.
// No package dependencies (design card): only the toolchain's Foundation, Dispatch, XCTest and
// Swift Testing. System libraries (OpenBLAS, zlib) are loaded at run time with dlopen.
import PackageDescription

let package = Package(
    name: "AutoencoderZoo",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .library(name: "Kernels", targets: ["Kernels"]),
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .library(name: "RecCore", targets: ["RecCore"]),
        .library(name: "ZooCatalog", targets: ["ZooCatalog"]),
        .executable(name: "CompareModels", targets: ["CompareModels"]),
        .executable(name: "Benchmarks", targets: ["Benchmarks"]),
        .executable(name: "Recommend", targets: ["Recommend"]),
    ],
    targets: [
        // Layer 1: storage and randomness, no numeric loops beyond element access.
        .target(name: "TensorCore", path: "Sources/TensorCore"),
        // Layer 2: every numeric loop of the package, with the run-time backend choice.
        .target(name: "Kernels", dependencies: ["TensorCore"], path: "Sources/Kernels"),
        // Layer 3: the differentiable framework (Layer, Likelihood, Prior, Optimizer, Trainer).
        .target(name: "NeuralNet", dependencies: ["TensorCore", "Kernels"], path: "Sources/NeuralNet"),
        // Layer 4: recommender data, splits, metrics, evaluation.
        .target(name: "RecCore", dependencies: ["TensorCore", "Kernels"], path: "Sources/RecCore"),

        // Layer 5: what every zoo model shares (Trainer ↔ Recommender bridge, batched scoring).
        .target(name: "ModelKit", dependencies: ["TensorCore", "Kernels", "NeuralNet", "RecCore"],
                path: "Sources/ModelKit"),
        // Layer 6: one module per model.
        .target(name: "MultVAEModule", dependencies: ["TensorCore", "Kernels", "NeuralNet", "RecCore", "ModelKit"],
                path: "Sources/MultVAEModule"),
        .target(name: "MultDAEModule", dependencies: ["TensorCore", "Kernels", "NeuralNet", "RecCore", "ModelKit"],
                path: "Sources/MultDAEModule"),
        .target(name: "AutoRecModule", dependencies: ["TensorCore", "Kernels", "NeuralNet", "RecCore", "ModelKit"],
                path: "Sources/AutoRecModule"),
        .target(name: "DeepAutoEncoderModule", dependencies: ["TensorCore", "Kernels", "NeuralNet", "RecCore", "ModelKit"],
                path: "Sources/DeepAutoEncoderModule"),
        .target(name: "VampPriorModule", dependencies: ["TensorCore", "Kernels", "NeuralNet", "RecCore", "ModelKit"],
                path: "Sources/VampPriorModule"),
        // Layer 7: the one list of every model.
        .target(name: "ZooCatalog", dependencies: ["RecCore", "MultVAEModule", "MultDAEModule",
                                                 "VampPriorModule", "AutoRecModule", "DeepAutoEncoderModule"],
                path: "Sources/ZooCatalog"),
        // Checkpoints (safetensors weights + configuration + training state) and their atomic files.
        .target(name: "Checkpoints", dependencies: ["TensorCore", "NeuralNet", "RecCore", "ModelKit"],
                path: "Sources/Checkpoints"),
        // Top-K recommendations from a checkpoint (known and new users) and the Recommend program as a library.
        .target(name: "Recommendation", dependencies: ["TensorCore", "Kernels", "RecCore", "ModelKit", "Checkpoints"],
                path: "Sources/Recommendation"),
        .executableTarget(name: "Recommend", dependencies: ["Recommendation", "ZooCatalog"], path: "Examples/Recommend"),
        // The CompareModels job as a library, so it is testable end to end.
        .target(name: "ModelComparison", dependencies: ["TensorCore", "Kernels", "RecCore", "ZooCatalog", "ModelKit", "Checkpoints"],
                path: "Sources/ModelComparison"),
        .executableTarget(name: "CompareModels", dependencies: ["ModelComparison", "ZooCatalog", "Kernels"],
                          path: "Examples/CompareModels"),

        .executableTarget(name: "Benchmarks", dependencies: ["TensorCore", "Kernels", "NeuralNet", "RecCore", "MultVAEModule",
                                                       "Checkpoints", "Recommendation", "ZooCatalog"],
                          path: "Examples/Benchmarks"),

        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"], path: "Tests/TensorCoreTests"),
        .testTarget(name: "KernelsTests", dependencies: ["TensorCore", "Kernels"], path: "Tests/KernelsTests"),
        // The finite-difference gradient checker, shared by every suite that checks gradients.
        .target(name: "GradientChecking", dependencies: ["TensorCore", "Kernels", "NeuralNet"],
                path: "Tests/GradientChecking"),
        .testTarget(name: "NeuralNetTests", dependencies: ["TensorCore", "Kernels", "NeuralNet", "GradientChecking"],
                    path: "Tests/NeuralNetTests"),
        .testTarget(name: "ZooConformanceTests",
                    dependencies: ["TensorCore", "Kernels", "NeuralNet", "RecCore", "ModelKit", "ZooCatalog",
                                   "MultVAEModule", "MultDAEModule", "VampPriorModule", "AutoRecModule",
                                   "DeepAutoEncoderModule"],
                    path: "Tests/ZooConformanceTests"),
        .testTarget(name: "AutoRecTests",
                    dependencies: ["TensorCore", "Kernels", "NeuralNet", "RecCore", "ModelKit",
                                   "AutoRecModule", "DeepAutoEncoderModule"],
                    path: "Tests/AutoRecTests"),
        .testTarget(name: "VampPriorTests",
                    dependencies: ["TensorCore", "Kernels", "NeuralNet", "RecCore", "VampPriorModule",
                                   "GradientChecking"],
                    path: "Tests/VampPriorTests"),
        .testTarget(name: "ModelComparisonTests", dependencies: ["ModelComparison", "RecCore", "TensorCore", "ZooCatalog", "Checkpoints",
                                                             "NeuralNet", "ModelKit"],
                    path: "Tests/ModelComparisonTests"),
        .testTarget(name: "CheckpointTests",
                    dependencies: ["TensorCore", "Kernels", "NeuralNet", "RecCore", "ModelKit", "ZooCatalog", "Checkpoints"],
                    path: "Tests/CheckpointTests"),
        .testTarget(name: "RecommendTests",
                    dependencies: ["TensorCore", "Kernels", "RecCore", "NeuralNet", "ModelKit", "ZooCatalog", "Checkpoints",
                                   "Recommendation", "Recommend"],
                    path: "Tests/RecommendTests"),
        .testTarget(name: "RecCoreTests", dependencies: ["TensorCore", "Kernels", "RecCore"],
                    path: "Tests/RecCoreTests"),
    ],
    swiftLanguageModes: [.v6]
)

