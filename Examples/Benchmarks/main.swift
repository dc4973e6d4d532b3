import Foundation
import Kernels

print(Kernels.backendDescription)
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "load": try LoadBenchmark.run(Array(arguments.dropFirst()))
case "multvae-epoch": try MultVAEEpochBenchmark.run(Array(arguments.dropFirst()))
default:
    print("usage: Benchmarks load PATH [movielens|csv] | multvae-epoch PATH [--heldout N] [--epochs E]")
}
