// Benchmarks: a small subcommand dispatcher. Every executable prints the kernel backend first.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Kernels

/// One benchmark family: its command-line name, a one-line summary, and its entry point.
struct BenchmarkCommand: Sendable {
    let name: String
    let summary: String
    let run: @Sendable ([String]) -> Int32
}

/// Every subcommand; add a line here to add one.
let commands: [BenchmarkCommand] = [
    BenchmarkCommand(name: "kernels",
                     summary: "GEMM at the Mult-VAE decoder shapes and CSR×dense, for every available backend",
                     run: KernelsBenchmark.run),
    BenchmarkCommand(name: "load", summary: "load a ratings file: seconds, bytes per interaction, peak RSS",
                     run: { runThrowing(LoadBenchmark.run, $0) }),
    BenchmarkCommand(name: "multvae-epoch",
                     summary: "Mult-VAE epochs on an ML-20M-style ratings.csv: seconds, GFLOP/s, evaluation, RSS",
                     run: { runThrowing(MultVAEEpochBenchmark.run, $0) }),
    BenchmarkCommand(name: "zoo-epoch",
                     summary: "training cost per epoch of ranking zoo entries on a vae_cf split, relative to the first",
                     run: { runThrowing(ZooEpochBenchmark.run, $0) }),
    BenchmarkCommand(name: "recommend", summary: "batch top-K for a checkpoint's known users: users/second",
                     run: { runThrowing(RecommendBenchmark.run, $0) }),
]

/// Runs a throwing benchmark, printing its error and returning exit status 1 on failure.
func runThrowing(_ body: ([String]) throws -> Void, _ arguments: [String]) -> Int32 {
    do { try body(arguments); return 0 } catch { print("error: \(error)"); return 1 }
}

func printUsage(_ commands: [BenchmarkCommand]) {
    print("usage: swift run -c release Benchmarks <command> [options]\n\ncommands:")
    for command in commands { print("  \(command.name.padding(12))\(command.summary)") }
    print("\nRun `Benchmarks <command> --help` for a command's options.")
}

extension String {
    /// Self padded with spaces to `width` characters.
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(1, width - count)) }
}

print(Kernels.backendDescription)
var arguments = Array(CommandLine.arguments.dropFirst())
if arguments.isEmpty || arguments[0] == "--help" || arguments[0] == "-h" || arguments[0] == "help" {
    printUsage(commands)
    exit(arguments.isEmpty ? 1 : 0)
}
let name = arguments.removeFirst()
guard let command = commands.first(where: { $0.name == name }) else {
    print("unknown command '\(name)'")
    printUsage(commands)
    exit(1)
}
exit(command.run(arguments))
