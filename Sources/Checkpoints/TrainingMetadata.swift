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

    /// Parses the `training` entry of the file at `path`.
    static func parse(_ text: String, path: String) throws -> TrainingMetadata {
        func bad(_ what: String) -> CheckpointError {
            CheckpointError.badMetadata(file: path, key: "training", value: text.count > 200 ? String(text.prefix(200)) + "…" : text,
                                        expected: what)
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            throw bad("a JSON object")
        }
        guard let nextEpoch = (object["next_epoch"] as? NSNumber)?.intValue,
              let updates = (object["updates"] as? NSNumber)?.intValue,
              let steps = (object["optimizer_steps"] as? NSNumber)?.intValue,
              let words = (object["generator"] as? [String])?.compactMap({ UInt64($0, radix: 16) }), words.count == 4,
              words != [0, 0, 0, 0], let kind = object["optimizer_kind"] as? String else {
            throw bad("next_epoch, updates, optimizer_steps, generator (4 hex words, not all zero), optimizer_kind")
        }
        var integers: [String: Int] = [:], reals: [String: Double] = [:]
        for (key, value) in object["optimizer_integers"] as? [String: Any] ?? [:] {
            guard let number = value as? NSNumber else { throw bad("integer optimizer_integers.\(key)") }
            integers[key] = number.intValue
        }
        for (key, value) in object["optimizer_reals"] as? [String: Any] ?? [:] {
            guard let hex = value as? String, let bits = UInt64(hex, radix: 16) else { throw bad("hex optimizer_reals.\(key)") }
            reals[key] = Double(bitPattern: bits)
        }
        var bestMetric: Double? = nil
        if let hex = object["best_metric"] {
            guard let hex = hex as? String, let bits = UInt64(hex, radix: 16) else { throw bad("hex best_metric") }
            bestMetric = Double(bitPattern: bits)
        }
        var seconds = 0.0                                  // absent in files written before it existed
        if let hex = object["seconds"] {
            guard let hex = hex as? String, let bits = UInt64(hex, radix: 16) else { throw bad("hex seconds") }
            seconds = Double(bitPattern: bits)
        }
        let state = TrainingState(
            nextEpoch: nextEpoch, updates: updates, optimizerSteps: steps,
            generator: RandomGenerator(state: (words[0], words[1], words[2], words[3])),
            bestEpoch: (object["best_epoch"] as? NSNumber)?.intValue, bestMetric: bestMetric,
            bestValues: (object["has_best_values"] as? Bool ?? false) ? [:] : nil,
            optimizer: OptimizerState(kind: kind, integers: integers, reals: reals), seconds: seconds)
        return TrainingMetadata(state)
    }
}
