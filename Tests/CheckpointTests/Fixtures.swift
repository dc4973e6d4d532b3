import Foundation
import ModelKit
import NeuralNet
import RecCore
import TensorCore
import TestSupport
import ZooCatalog
import Checkpoints

/// Catalog entries on their toy data, as the checkpoint suites use them (`TestSupport` holds the
/// data and each entry's tiny settings).
enum Toy {
    /// The catalog entry `name` and a fresh tiny model of it for `epochs` epochs.
    static func make(_ name: String, epochs: Int, seed: UInt64 = 11) throws -> (entry: ModelEntry, model: any ZooModel) {
        let entry = try ModelZoo.standard.entry(named: name)
        return (entry, try ZooTesting.make(entry, epochs: epochs, seed: seed))
    }

    /// A checkpoint of `model` with its toy split's ids and training matrix.
    static func checkpoint(_ model: any ZooModel, entry: ModelEntry, epochs: Int, training: TrainingState? = nil) -> Checkpoint {
        let split = ToyData.split(for: entry.task)
        return Checkpoint(model, name: entry.name, task: entry.task, options: ZooTesting.options(entry, epochs: epochs),
                          shape: split.shape, itemIDs: split.itemIDs, history: split.train, userIDs: split.trainUserIDs,
                          training: training)
    }

    /// The model's parameter values by name.
    static func parameters(_ model: any ZooModel) -> [String: Matrix] { Checkpoint.values(of: model) }

    /// A fresh temporary folder.
    static func temporaryFolder() throws -> String { try ToyData.temporaryFolder("checkpoint-tests") }
}
