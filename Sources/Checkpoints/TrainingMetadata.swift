import Foundation
import NeuralNet
import TensorCore

/// The scalar part of a `TrainingState` as the JSON text of the `training` metadata entry. Reals are
/// stored as the hexadecimal bit pattern of the Double (a learning rate: of the Float) so they
/// round-trip exactly. The epoch reports are one object of columns, `epoch_reports`: `epoch`,
/// `loss`, `validation_metric` (null where none ran), `seconds`, `updates`, `kl_weight` and
/// `learning_rate`, one entry per epoch, and the one `epoch_count`; absent when there are none
/// (and in files written before they were kept).
struct TrainingMetadata {
    var state: TrainingState

    init(_ state: TrainingState) { self.state = state }

    /// A JSON-compatible dictionary (the tensors go into the file separately).
    var dictionary: [String: Any] {
        let generator = state.generator.state
        var result: [String: Any] = [
            "next_epoch": state.nextEpoch, "updates": state.updates, "optimizer_steps": state.optimizerSteps,
            "generator": [generator.0, generator.1, generator.2, generator.3].map { String($0, radix: 16) },
            "has_best_values": state.bestValues != nil,
            "optimizer_kind": state.optimizer.kind, "optimizer_integers": state.optimizer.integers,
            "optimizer_reals": state.optimizer.reals.mapValues { String($0.bitPattern, radix: 16) },
            "seconds": String(state.seconds.bitPattern, radix: 16),
        ]
        if let epoch = state.bestEpoch { result["best_epoch"] = epoch }
        if let metric = state.bestMetric { result["best_metric"] = String(metric.bitPattern, radix: 16) }
        if let first = state.epochReports.first {
            let reports = state.epochReports
            func hex(_ value: Double) -> String { String(value.bitPattern, radix: 16) }
            result["epoch_reports"] = [
                "epoch_count": first.epochCount, "epoch": reports.map(\.epoch), "loss": reports.map { hex($0.loss) },
                "validation_metric": reports.map { report -> Any in report.validationMetric.map(hex) ?? NSNull() },
                "seconds": reports.map { hex($0.seconds) }, "updates": reports.map(\.updates),
                "kl_weight": reports.map { hex($0.klWeight) },
                "learning_rate": reports.map { String($0.learningRate.bitPattern, radix: 16) },
            ] as [String: Any]
        }
        return result
    }

    /// Parses the `training` entry of the file at `path`, range-checking every number where it is
    /// read: counts are exact integers ≥ 0 (below 9·10¹⁵), `best_epoch` lies in `0..<next_epoch`
    /// and comes with a finite `best_metric`, reals are finite (`seconds` ≥ 0). A value that breaks
    /// a rule is `CheckpointError.badMetadata` naming the key (`training.next_epoch`, …) and the value.
    /// The epoch reports' columns are arrays of one length, their values of their kind, and together
    /// they follow `TrainingState.epochReportsProblem` (numbered up to `next_epoch`, finite losses,
    /// …), an error naming the entry (`training.epoch_reports.loss[2]`); without them the state has
    /// none, as in files written before they were kept.
    /// (Whether `next_epoch` fits the epoch plan is the trainer's check: the plan is not in this entry.)
    static func parse(_ text: String, path: String) throws -> TrainingMetadata {
        func bad(_ what: String) -> CheckpointError {
            CheckpointError.badMetadata(file: path, key: "training", value: text.count > 200 ? String(text.prefix(200)) + "…" : text,
                                        expected: what)
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            throw bad("a JSON object")
        }
        let reader = Reader(path: path)
        guard let words = (object["generator"] as? [String])?.compactMap({ UInt64($0, radix: 16) }), words.count == 4,
              words != [0, 0, 0, 0], let kind = object["optimizer_kind"] as? String else {
            throw bad("next_epoch, updates, optimizer_steps, generator (4 hex words, not all zero), optimizer_kind")
        }
        let nextEpoch = try reader.count("next_epoch", object["next_epoch"])
        let updates = try reader.count("updates", object["updates"])
        let steps = try reader.count("optimizer_steps", object["optimizer_steps"])
        var integers: [String: Int] = [:], reals: [String: Double] = [:]
        for (key, value) in try reader.object("optimizer_integers", object["optimizer_integers"]) {
            integers[key] = try reader.count("optimizer_integers." + key, value)
        }
        for (key, value) in try reader.object("optimizer_reals", object["optimizer_reals"]) {
            reals[key] = try reader.real("optimizer_reals." + key, value)
        }
        var bestEpoch: Int? = nil, bestMetric: Double? = nil
        if let value = object["best_epoch"] {
            let epoch = try reader.count("best_epoch", value)
            guard epoch < nextEpoch else {
                throw reader.bad("best_epoch", value, "an epoch before next_epoch (\(nextEpoch))")
            }
            bestEpoch = epoch
        }
        if let value = object["best_metric"] { bestMetric = try reader.real("best_metric", value) }
        guard (bestEpoch == nil) == (bestMetric == nil) else {
            throw bad("best_epoch and best_metric together or neither")
        }
        var seconds = 0.0                                  // absent in files written before it existed
        if let value = object["seconds"] {
            seconds = try reader.real("seconds", value)
            guard seconds >= 0 else { throw reader.bad("seconds", value, "a non-negative hex Double") }
        }
        let state = TrainingState(
            nextEpoch: nextEpoch, updates: updates, optimizerSteps: steps,
            generator: RandomGenerator(state: (words[0], words[1], words[2], words[3])),
            bestEpoch: bestEpoch, bestMetric: bestMetric,
            bestValues: (object["has_best_values"] as? Bool ?? false) ? [:] : nil,
            optimizer: OptimizerState(kind: kind, integers: integers, reals: reals), seconds: seconds,
            epochReports: try epochReports(object["epoch_reports"], nextEpoch: nextEpoch, reader: reader))
        if let problem = state.epochReportsProblem() { throw reader.bad(problem.field, problem.value, problem.expected) }
        return TrainingMetadata(state)
    }

    /// The reports of the `epoch_reports` columns (none when absent), each value checked for its
    /// kind; how they fit together is `TrainingState.epochReportsProblem`'s check.
    private static func epochReports(_ value: Any?, nextEpoch: Int, reader: Reader) throws -> [EpochReport] {
        guard let value else { return [] }                  // absent in files written before they were kept
        let columns = try reader.object("epoch_reports", value)
        guard let epochs = columns["epoch"] as? [Any], !epochs.isEmpty else {
            throw reader.bad("epoch_reports.epoch", columns["epoch"] ?? "(missing)", "an array of one epoch number per report")
        }
        guard epochs.count <= nextEpoch else {
            throw reader.bad("epoch_reports.epoch", "\(epochs.count) reports", "at most next_epoch (\(nextEpoch)), one per epoch run")
        }
        /// The column `name`: an array with one value per report.
        func column(_ name: String) throws -> [Any] {
            guard let values = columns[name] as? [Any], values.count == epochs.count else {
                throw reader.bad("epoch_reports." + name, columns[name] ?? "(missing)", "an array of \(epochs.count) values, one per report")
            }
            return values
        }
        let epochCount = try reader.count("epoch_reports.epoch_count", columns["epoch_count"])
        let losses = try column("loss"), metrics = try column("validation_metric"), seconds = try column("seconds")
        let updates = try column("updates"), weights = try column("kl_weight"), rates = try column("learning_rate")
        return try (0..<epochs.count).map { index in
            func key(_ name: String) -> String { "epoch_reports.\(name)[\(index)]" }
            let metric: Double?
            if metrics[index] is NSNull { metric = nil } else {
                // Whatever the validation rule returned, NaN included: the exact bits.
                guard let hex = metrics[index] as? String, let bits = UInt64(hex, radix: 16) else {
                    throw reader.bad(key("validation_metric"), metrics[index], "a hex Double or null")
                }
                metric = Double(bitPattern: bits)
            }
            guard let rateHex = rates[index] as? String, let rateBits = UInt32(rateHex, radix: 16),
                  Float(bitPattern: rateBits).isFinite else {
                throw reader.bad(key("learning_rate"), rates[index], "a finite hex Float")
            }
            return EpochReport(epoch: try reader.count(key("epoch"), epochs[index]), epochCount: epochCount,
                               loss: try reader.real(key("loss"), losses[index]), validationMetric: metric,
                               seconds: try reader.real(key("seconds"), seconds[index]),
                               updates: try reader.count(key("updates"), updates[index]),
                               klWeight: try reader.real(key("kl_weight"), weights[index]),
                               learningRate: Float(bitPattern: rateBits))
        }
    }

    /// Checks the optimizer's counts against the tensors the file holds, so that restoring never
    /// loops over a count the file cannot back: L-BFGS's `pairs` must equal the curvature pairs
    /// stored (`s/K/…`, K = 0..<pairs) and `gradients` the `g/I` tensors; a pair's missing `y/K/…`
    /// is then the optimizer's own typed error when it restores.
    static func checkOptimizerCounts(_ optimizer: OptimizerState, path: String) throws {
        guard optimizer.kind == "lbfgs" else { return }
        func indices(_ prefix: String) -> Set<Int> {
            Set(optimizer.tensors.keys.compactMap { key -> Int? in
                guard key.hasPrefix(prefix) else { return nil }
                return Int(key.dropFirst(prefix.count).prefix { $0 != "/" })
            })
        }
        /// Whether the indices found are exactly 0..<count.
        func exactly(_ found: Set<Int>, _ count: Int) -> Bool {
            found.count == count && found.allSatisfy { $0 >= 0 && $0 < count }
        }
        let reader = Reader(path: path)
        let pairs = optimizer.integers["pairs"] ?? 0
        if !exactly(indices("s/"), pairs) {
            throw reader.bad("optimizer_integers.pairs", pairs,
                             "the number of stored curvature pairs (\(indices("s/").count) 's/K/…' tensors)")
        }
        if let gradients = optimizer.integers["gradients"], !exactly(indices("g/"), gradients) {
            throw reader.bad("optimizer_integers.gradients", gradients,
                             "the number of stored gradient tensors (\(indices("g/").count) 'g/I')")
        }
    }

    /// Reads checked values of the `training` entry; errors name the file, `training.KEY` and the value.
    private struct Reader {
        let path: String

        func bad(_ key: String, _ value: Any, _ expected: String) -> CheckpointError {
            let shown = "\(value)"
            return CheckpointError.badMetadata(file: path, key: "training." + key,
                                               value: shown.count > 80 ? String(shown.prefix(80)) + "…" : shown,
                                               expected: expected)
        }

        /// A non-negative exact integer.
        func count(_ key: String, _ value: Any?) throws -> Int {
            guard let value else { throw bad(key, "(missing)", "an integer ≥ 0") }
            guard let number = SafeTensors.exactInteger(value), number >= 0 else {
                throw bad(key, value, "an integer ≥ 0 (below 9e15)")
            }
            return number
        }

        /// A finite Double stored as the hex bit pattern.
        func real(_ key: String, _ value: Any) throws -> Double {
            guard let hex = value as? String, let bits = UInt64(hex, radix: 16) else { throw bad(key, value, "a hex Double") }
            let real = Double(bitPattern: bits)
            guard real.isFinite else { throw bad(key, "\(hex) (\(real))", "a finite hex Double") }
            return real
        }

        /// An object (absent: empty).
        func object(_ key: String, _ value: Any?) throws -> [String: Any] {
            guard let value else { return [:] }
            guard let object = value as? [String: Any] else { throw bad(key, value, "a JSON object") }
            return object
        }
    }
}
