import Foundation
import Kernels
import MPIBackend
import ModelKit
import MultVAEModule
import RecCore
import TensorCore

/// `Benchmarks multvae-epoch PATH [--heldout N] [--epochs E] [--hidden 600,200] [--batches N]`: loads an
/// ML-20M-style `ratings.csv` and makes the Liang et al. split — or, when PATH is a folder, reads it
/// as a vae_cf split (the same split a peer trains on) — trains Mult-VAE (paper settings) for
/// E epochs without validation, then scores the N test users; prints seconds per epoch, the
/// achieved GFLOP/s (counted from the layer shapes), evaluation time and peak RSS. `--batches N`
/// trains on the first N·500 training users only (N batches per epoch), prints seconds per batch
/// and skips the evaluation: a quick loop for speed work. Under `mpirun -np N` the ranks train
/// together (data-parallel, Documentation/Scaling.md); rank 0 prints, adding the seconds spent in
/// MPI calls (`mpi_seconds`) and the bytes each rank sent per step.
enum MultVAEEpochBenchmark {
    static func run(_ arguments: [String]) throws {
        guard let path = arguments.first, !path.hasPrefix("--") else {
            print("usage: Benchmarks multvae-epoch RATINGS_CSV|VAE_CF_FOLDER [--heldout 10000] [--epochs 1] [--hidden 600,200] [--batches N] [--precision fp32|bf16]")
            return
        }
        var heldOut = 10_000, epochs = 1, hidden = "600,200"
        var batchLimit: Int? = nil
        var precision = Kernels.defaultProductPrecision
        var index = 1
        while index + 1 < arguments.count {
            switch arguments[index] {
            case "--heldout": heldOut = Int(arguments[index + 1]) ?? heldOut
            case "--epochs": epochs = Int(arguments[index + 1]) ?? epochs
            case "--hidden": hidden = arguments[index + 1]
            case "--batches": batchLimit = Int(arguments[index + 1])
            case "--precision":
                guard let value = ProductPrecision(argument: arguments[index + 1]) else {
                    print("--precision takes fp32 or bf16, not '\(arguments[index + 1])'"); return
                }
                precision = value
            default: print("unknown option \(arguments[index])"); return
            }
            index += 2
        }
        let group = try MPICommunicator.start(environment: ProcessInfo.processInfo.environment)
        defer { group?.finish() }
        try Kernels.withProductPrecision(precision) {
            if let group, group.rank != 0 {
                return try trainQuietly(path: path, epochs: epochs, hidden: hidden, batchLimit: batchLimit, group: group)
            }
            if let group { print(group.banner) }
            print(Kernels.productPrecisionDescription(precision))
            try run(path: path, heldOut: heldOut, epochs: epochs, hidden: hidden, batchLimit: batchLimit, group: group)
        }
    }

    /// The benchmark proper, at the calling thread's product precision (rank 0 under `mpirun`).
    static func run(path: String, heldOut: Int, epochs: Int, hidden: String, batchLimit: Int?, group: MPICommunicator?) throws {
        let clock = ContinuousClock()
        var started = clock.now
        var isFolder: ObjCBool = false
        let split: StrongGeneralizationSplit
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            split = try StrongGeneralizationSplit.loadVAECF(folder: path)
            print(String(format: "load_vae_cf_split_seconds %.2f", seconds(since: started, clock)))
        } else {
            let interactions = try Interactions.loadMovieLens(path: path)
            print(String(format: "load_seconds %.2f", seconds(since: started, clock)))
            started = clock.now
            split = StrongGeneralizationSplit.make(from: interactions, heldOutUsers: heldOut)
            print(String(format: "split_seconds %.2f", seconds(since: started, clock)))
        }
        let options = ModelOptions(seed: 1, epochs: epochs, overrides: ["hidden": hidden])
        let configuration = try MultVAEConfiguration.from(options)
        var train = split.train
        if let batchLimit, batchLimit > 0 {
            train = train.rows(in: 0..<min(train.rows, batchLimit * configuration.batchSize))
        }
        print("train_users \(train.rows) items \(split.itemCount) clicks \(train.nonZeroCount)")

        let model = MultVAE(itemCount: split.itemCount, configuration: configuration)
        let flop = epochFLOP(users: train.rows, clicks: train.nonZeroCount, items: split.itemCount,
                             hidden: configuration.hiddenSizes)
        let batchesPerEpoch = (train.rows + configuration.batchSize - 1) / configuration.batchSize
        var epochSeconds: [Double] = []
        var request = FitRequest(train: train, progress: { progress in
            epochSeconds.append(progress.seconds)
            print(String(format: "epoch %d seconds %.2f loss %.2f GFLOP/s %.1f seconds/batch %.4f", progress.epoch,
                         progress.seconds, progress.loss, flop / progress.seconds / 1e9,
                         progress.seconds / Double(max(1, batchesPerEpoch))))
            if let group {
                print(String(format: "mpi_seconds %.2f calls %d bytes_per_step %.0f", group.traffic.seconds, group.traffic.calls,
                             Double(group.traffic.bytes) / Double(max(1, group.traffic.calls / 2))))
            }
        })
        request.dataParallel = group
        _ = try model.fit(request)
        let median = epochSeconds.sorted()[epochSeconds.count / 2]
        print(String(format: "epoch_seconds_median %.2f  epoch_TFLOP %.2f  GFLOP/s %.1f", median, flop / 1e12,
                     flop / median / 1e9))
        if batchLimit != nil {
            print("peak_rss_kib \(LoadBenchmark.peakResidentKiB().map(String.init) ?? "unknown")")
            return
        }

        started = clock.now
        let report = RankingEvaluation.evaluate(foldIn: split.test.foldIn, target: split.test.target,
                                                cutoffs: [20, 50, 100], batchSize: 2_000) { model.scores(for: $0) }
        print(String(format: "evaluate_users %d seconds %.2f NDCG@100 %.4f", split.test.userCount,
                     seconds(since: started, clock), report.ndcg(at: 100)?.mean ?? .nan))
        print("peak_rss_kib \(LoadBenchmark.peakResidentKiB().map(String.init) ?? "unknown")")
    }

    /// A rank other than 0: the same load and fit, printing nothing.
    static func trainQuietly(path: String, epochs: Int, hidden: String, batchLimit: Int?, group: MPICommunicator) throws {
        var isFolder: ObjCBool = false
        let split = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
            ? try StrongGeneralizationSplit.loadVAECF(folder: path)
            : StrongGeneralizationSplit.make(from: try Interactions.loadMovieLens(path: path), heldOutUsers: 10_000)
        let configuration = try MultVAEConfiguration.from(ModelOptions(seed: 1, epochs: epochs, overrides: ["hidden": hidden]))
        var train = split.train
        if let batchLimit, batchLimit > 0 { train = train.rows(in: 0..<min(train.rows, batchLimit * configuration.batchSize)) }
        var request = FitRequest(train: train)
        request.dataParallel = group
        _ = try MultVAE(itemCount: split.itemCount, configuration: configuration).fit(request)
    }

    /// Floating-point operations of one training epoch: for each dense layer [a → b] over U users,
    /// forward, weight-gradient and input-gradient products (3 · 2·U·a·b, the first layer's input
    /// gradient skipped), plus the sparse first layer's forward and weight gradient (2 · 2·nnz·H₁).
    static func epochFLOP(users: Int, clicks: Int, items: Int, hidden: [Int]) -> Double {
        let latent = hidden[hidden.count - 1]
        let encoder = [hidden[0]] + hidden.dropLast().dropFirst() + [2 * latent]
        let decoder = [latent] + hidden.dropLast().reversed() + [items]
        var total = 4.0 * Double(clicks) * Double(hidden[0])
        for widths in [encoder, decoder] {
            for (a, b) in zip(widths.dropLast(), widths.dropFirst()) { total += 6.0 * Double(users) * Double(a) * Double(b) }
        }
        return total
    }

    private static func seconds(since start: ContinuousClock.Instant, _ clock: ContinuousClock) -> Double {
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}
