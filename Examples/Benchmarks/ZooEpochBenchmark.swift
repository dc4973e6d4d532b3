import Foundation
import ModelKit
import Kernels
import RecCore
import TensorCore
import ZooCatalog

/// `Benchmarks zoo-epoch VAE_CF_FOLDER --models a,b,… [--users N] [--set model.key=value …]`: the
/// training cost of ranking zoo entries side by side. Each model trains one epoch (no validation)
/// on the first N training users of the split — the per-update cost does not depend on how many
/// users there are, so seconds per user × all training users estimates a full epoch without paying
/// for one (a VampPrior epoch at the ML-20M shape is ~15 minutes). Prints measured seconds, the
/// estimated full-epoch seconds and the ratio to the first model listed, and peak RSS.
enum ZooEpochBenchmark {
    static func run(_ arguments: [String]) throws {
        guard let path = arguments.first, !path.hasPrefix("--") else {
            print("usage: Benchmarks zoo-epoch VAE_CF_FOLDER --models mult-vae,vampprior-vae [--users 10000] [--set MODEL.KEY=VALUE]")
            return
        }
        var models = ["mult-vae"], users = 10_000
        var overrides: [String: [String: String]] = [:]
        var index = 1
        while index + 1 < arguments.count {
            let value = arguments[index + 1]
            switch arguments[index] {
            case "--models": models = value.split(separator: ",").map(String.init)
            case "--users":
                guard let n = Int(value), n > 0 else { throw BenchmarkOptionError(option: "--users", value: value) }
                users = n
            case "--set":
                let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
                let key = parts.first?.split(separator: ".", maxSplits: 1).map(String.init) ?? []
                guard parts.count == 2, key.count == 2 else { throw BenchmarkOptionError(option: "--set", value: value) }
                overrides[key[0], default: [:]][key[1]] = parts[1]
            default: throw BenchmarkOptionError(option: arguments[index], value: value)
            }
            index += 2
        }
        let clock = ContinuousClock()
        let started = clock.now
        let split = try StrongGeneralizationSplit.loadVAECF(folder: path)
        print(String(format: "load_vae_cf_split_seconds %.2f", seconds(since: started, clock)))
        let sample = split.train.rows(in: 0..<min(users, split.train.rows))
        print("train_users \(split.train.rows) items \(split.itemCount); timing one epoch on the first \(sample.rows) users")

        var baseline: Double?
        for name in models {
            let entry = try ModelZoo.standard.entry(named: name)
            let model = try entry.make(split.shape, ModelOptions(seed: 1, epochs: 1, overrides: overrides[name] ?? [:]))
            let begin = clock.now
            _ = try model.fit(FitRequest(train: sample))
            let measured = seconds(since: begin, clock)
            let epoch = measured / Double(sample.rows) * Double(split.train.rows)
            let ratio = baseline.map { epoch / $0 } ?? 1
            if baseline == nil { baseline = epoch }
            print(String(format: "%@ params %d measured_seconds %.2f estimated_epoch_seconds %.1f ratio_to_%@ %.2f",
                         name, model.parameterCount, measured, epoch, models[0], ratio))
        }
        print("peak_rss_kib \(LoadBenchmark.peakResidentKiB().map(String.init) ?? "unknown")")
    }
}

/// A benchmark option with an unusable value.
struct BenchmarkOptionError: Error, CustomStringConvertible {
    let option: String
    let value: String
    var description: String { "option \(option): cannot use '\(value)'" }
}

extension ZooEpochBenchmark {
    private static func seconds(since start: ContinuousClock.Instant, _ clock: ContinuousClock) -> Double {
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}
