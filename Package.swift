// swift-tools-version: 6.0
// AutoencoderZoo: autoencoder collaborative-filtering models in Swift.
// No package dependencies (design card): only the toolchain's Foundation, Dispatch, XCTest and
// Swift Testing. System libraries (OpenBLAS, zlib) are loaded at run time with dlopen.
// Every target lists exactly the modules its files import; `.ci/run` builds with
// `--explicit-target-dependency-import-check error`, so an undeclared import fails the build.
import PackageDescription

/// The zoo's model modules, in catalog order. Adding a model adds its name here (its target, the
/// catalog's dependency and the tests' come from this list) and its entry in `Sources/ZooCatalog`.
let zooModules = [
    "MultVAEModule",
    "MultDAEModule",
    "VampPriorModule",
    "RecVAEModule",
    "AutoRecModule",
    "DeepAutoEncoderModule",
    "PopularityModule",
    "EASEModule",
]

/// What a model module may import: the framework, the data and task types, the zoo contract.
let modelDependencies: [Target.Dependency] = ["TensorCore", "NeuralNet", "RecCore", "ModelKit"]

let package = Package(
    name: "AutoencoderZoo",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .library(name: "Kernels", targets: ["Kernels"]),
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .library(name: "RecCore", targets: ["RecCore"]),
        .library(name: "ModelKit", targets: ["ModelKit"]),
        .library(name: "ZooCatalog", targets: ["ZooCatalog"]),
        .executable(name: "CompareModels", targets: ["CompareModels"]),
        .executable(name: "Benchmarks", targets: ["Benchmarks"]),
        .executable(name: "Recommend", targets: ["Recommend"]),
        .executable(name: "Report", targets: ["Report"]),
    ],
    targets: [
        // Layer 1: storage, randomness, run-time switches; no numeric loops beyond element access.
        .target(name: "TensorCore", path: "Sources/TensorCore"),
        // Layer 2: every numeric loop of the package, with the run-time backend choice.
        .target(name: "Kernels", dependencies: ["TensorCore", "CBF16Kernels", "CSparseKernels"], path: "Sources/Kernels"),
        // Layer 2's C part: the AVX512_BF16 GEMM (intrinsics Swift cannot spell, behind target
        // attributes and a CPUID check) and the per-thread product precision. Our code, no dependency.
        .target(name: "CBF16Kernels", dependencies: ["CCPUFeatures"], path: "Sources/CBF16Kernels"),
        // Layer 2's C part for the CSR products of the rating models: AVX-512F loops behind a target
        // attribute and a CPUID check, the same sums as the Swift loops. Our code, no dependency.
        .target(name: "CSparseKernels", dependencies: ["CCPUFeatures"], path: "Sources/CSparseKernels"),
        // The one CPUID/XGETBV check both C kernel targets start their dispatch from (AVX-512F
        // present and its register state saved by the OS). Our code, no dependency.
        .target(name: "CCPUFeatures", path: "Sources/CCPUFeatures"),
        // Layer 3: the differentiable framework (Layer, Likelihood, Prior, Optimizer, Trainer).
        .target(name: "NeuralNet", dependencies: ["TensorCore", "Kernels"], path: "Sources/NeuralNet"),
        // Data-parallel training over MPI: the system MPI opened at run time (dlopen), as the
        // trainer's `DataParallelGroup` (Documentation/Scaling.md). Nothing is linked at build time.
        .target(name: "MPIBackend", dependencies: ["NeuralNet"], path: "Sources/MPIBackend"),
        // Layer 3': recommender data, splits, metrics, the tasks and the Recommender protocol.
        .target(name: "RecCore", dependencies: ["TensorCore", "Kernels"], path: "Sources/RecCore"),
        // Named data sets (ml-1m, ml-20m, …): the registry, the download cache and the fetcher
        // (the toolchain's FoundationNetworking), apart from RecCore so loading data needs no networking.
        .target(name: "DataSets", dependencies: ["TensorCore", "RecCore"], path: "Sources/DataSets"),
        // Layer 4: the zoo's model contract (ZooModel, StepTrainedModel, ModelEntry, ModelZoo).
        .target(name: "ModelKit", dependencies: ["TensorCore", "NeuralNet", "RecCore"], path: "Sources/ModelKit"),
    ] + zooModules.map { module in
        // Layer 5: one module per model.
        .target(name: module, dependencies: modelDependencies, path: "Sources/\(module)")
    } + [
        // Layer 6: the one list of every model.
        .target(name: "ZooCatalog", dependencies: ["ModelKit"] + zooModules.map { .target(name: $0) },
                path: "Sources/ZooCatalog"),
        // Checkpoints (safetensors weights + configuration + training state) and their atomic files.
        .target(name: "Checkpoints", dependencies: ["TensorCore", "NeuralNet", "RecCore", "ModelKit"],
                path: "Sources/Checkpoints"),
        // Top-K recommendations from a checkpoint (known and new users) and the Recommend program as a library.
        .target(name: "Recommendation", dependencies: ["TensorCore", "Kernels", "RecCore", "ModelKit", "Checkpoints"],
                path: "Sources/Recommendation"),
        .executableTarget(name: "Recommend", dependencies: ["RecCore", "Recommendation", "ZooCatalog"], path: "Examples/Recommend"),
        // The CompareModels job as a library, so it is testable end to end.
        .target(name: "ModelComparison", dependencies: ["TensorCore", "Kernels", "NeuralNet", "RecCore", "ModelKit",
                                                        "ZooCatalog", "Checkpoints", "DataSets", "MPIBackend"],
                path: "Sources/ModelComparison"),
        .executableTarget(name: "CompareModels", dependencies: ["ModelComparison"], path: "Examples/CompareModels"),
        // The --report page again from a saved results file, without training.
        .executableTarget(name: "Report", dependencies: ["ModelComparison"], path: "Examples/Report"),
        .executableTarget(name: "Benchmarks", dependencies: ["TensorCore", "Kernels", "RecCore", "ModelKit", "MultVAEModule", "MPIBackend",
                                                            "ZooCatalog", "Checkpoints", "Recommendation"],
                          path: "Examples/Benchmarks"),

        // Test support: the finite-difference gradient checker, the toy data of every task, and
        // catalog entries built with their tiny test settings.
        .target(name: "TestSupport", dependencies: ["TensorCore", "Kernels", "NeuralNet", "RecCore", "ModelKit"],
                path: "Tests/TestSupport"),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"], path: "Tests/TensorCoreTests"),
        .testTarget(name: "KernelsTests", dependencies: ["TensorCore", "Kernels"], path: "Tests/KernelsTests"),
        .testTarget(name: "NeuralNetTests", dependencies: ["TensorCore", "Kernels", "NeuralNet", "TestSupport"],
                    path: "Tests/NeuralNetTests"),
        .testTarget(name: "RecCoreTests", dependencies: ["TensorCore", "RecCore"], path: "Tests/RecCoreTests"),
        // The fetcher against a loopback HTTP server (Tests/TestSupport/LoopbackHTTPServer.swift).
        .testTarget(name: "DataSetsTests", dependencies: ["TensorCore", "RecCore", "DataSets", "TestSupport"],
                    path: "Tests/DataSetsTests"),
        .testTarget(name: "ModelKitTests", dependencies: ["TensorCore", "NeuralNet", "RecCore", "ModelKit"],
                    path: "Tests/ModelKitTests"),
        // Every catalog entry: conformance, its own training step by finite differences, checkpoints, resuming.
        .testTarget(name: "ZooTests", dependencies: ["TensorCore", "Kernels", "NeuralNet", "RecCore", "ModelKit",
                                                     "ZooCatalog", "TestSupport"],
                    path: "Tests/ZooTests"),
        // Model-specific checks beyond the catalog's (optimisers, kinks, the papers' objectives).
        .testTarget(name: "AutoRecTests", dependencies: ["TensorCore", "Kernels", "NeuralNet", "RecCore", "ModelKit",
                                                         "AutoRecModule", "DeepAutoEncoderModule"],
                    path: "Tests/AutoRecTests"),
        .testTarget(name: "VampPriorTests", dependencies: ["TensorCore", "Kernels", "NeuralNet", "RecCore", "ModelKit",
                                                           "VampPriorModule", "TestSupport"],
                    path: "Tests/VampPriorTests"),
        .testTarget(name: "EASETests", dependencies: ["TensorCore", "NeuralNet", "RecCore", "ModelKit", "EASEModule"],
                    path: "Tests/EASETests"),
        .testTarget(name: "RecVAETests", dependencies: ["TensorCore", "NeuralNet", "RecCore", "ModelKit", "RecVAEModule", "TestSupport"],
                    path: "Tests/RecVAETests"),
        .testTarget(name: "ModelComparisonTests", dependencies: ["TensorCore", "Kernels", "NeuralNet", "RecCore", "ModelKit", "ZooCatalog",
                                                                 "Checkpoints", "ModelComparison", "TestSupport", "DataSets"],
                    path: "Tests/ModelComparisonTests"),
        // Data-parallel training: the trainer's shards in one process (threads), and equality with one
        // process under `mpirun` (skipped with a message where MPI is absent).
        .executableTarget(name: "DataParallelCheck", dependencies: ["TensorCore", "Kernels", "NeuralNet", "RecCore", "ModelKit", "ZooCatalog",
                                                                    "MPIBackend", "ModelComparison", "TestSupport"],
                          path: "Tests/DataParallelCheck"),
        .testTarget(name: "DataParallelTests", dependencies: ["TensorCore", "Kernels", "NeuralNet", "RecCore", "ModelKit", "ZooCatalog",
                                                              "MPIBackend", "TestSupport"],
                    path: "Tests/DataParallelTests"),
        .testTarget(name: "CheckpointTests", dependencies: ["TensorCore", "NeuralNet", "RecCore", "ModelKit",
                                                            "ZooCatalog", "Checkpoints", "TestSupport"],
                    path: "Tests/CheckpointTests"),
        .testTarget(name: "RecommendTests", dependencies: ["TensorCore", "Kernels", "NeuralNet", "RecCore", "ModelKit",
                                                           "ZooCatalog", "Checkpoints", "Recommendation", "Recommend",
                                                           "TestSupport"],
                    path: "Tests/RecommendTests"),

        // Fuzz targets (issue 20): libFuzzer entry points for the readers of untrusted files. `.ci/fuzz`
        // builds them with -sanitize=fuzzer -DFUZZING; a plain build makes each one replay the
        // input files it is given (see Documentation/Testing.md, "Fuzzing").
        .target(name: "FuzzSupport", path: "Tests/Fuzz/Support"),
        .executableTarget(name: "FuzzDelimitedLoaders", dependencies: ["FuzzSupport", "TensorCore", "RecCore"],
                          path: "Tests/Fuzz/DelimitedLoaders"),
        .executableTarget(name: "FuzzVAECFSplit", dependencies: ["FuzzSupport", "TensorCore", "RecCore"],
                          path: "Tests/Fuzz/VAECFSplit"),
        .executableTarget(name: "FuzzCheckpoint", dependencies: ["FuzzSupport", "TensorCore", "NeuralNet", "RecCore", "ModelKit", "Checkpoints"],
                          path: "Tests/Fuzz/Checkpoint"),
        .executableTarget(name: "FuzzTrainingState", dependencies: ["FuzzSupport", "TensorCore", "NeuralNet", "RecCore", "ModelKit", "Checkpoints"],
                          path: "Tests/Fuzz/TrainingState"),
    ],
    swiftLanguageModes: [.v6]
)
