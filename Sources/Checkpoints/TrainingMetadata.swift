import Foundation
import NeuralNet
import TensorCore

/// The scalar part of a `TrainingState` as the JSON text of the `training` metadata entry. Reals are
/// stored as the hexadecimal bit pattern of the Double so they round-trip exactly.
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
        return result
    }

    /// Parses the `training` entry of the file at `path`, range-checking every number where it is
    /// read: counts are exact integers ≥ 0 (below 9·10¹⁵), `best_epoch` lies in `0..<next_epoch`
    /// and comes with a finite `best_metric`, reals are finite (`seconds` ≥ 0). A value that breaks
    /// a rule is `CheckpointError.badMetadata` naming the key (`training.next_epoch`, …) and the value.
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
            optimizer: OptimizerState(kind: kind, integers: integers, reals: reals), seconds: seconds)
        return TrainingMetadata(state)
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
