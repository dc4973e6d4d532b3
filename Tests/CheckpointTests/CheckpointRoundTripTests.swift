import Foundation
import Testing
import ModelKit
import NeuralNet
import RecCore
import TensorCore
import TestSupport
import ZooCatalog
@testable import Checkpoints

/// Every zoo entry: train two epochs, save, load into a freshly built model, identical outputs.
@Suite struct CheckpointRoundTripTests {
    static let names = ModelZoo.standard.names
    /// Two entries of the catalog, for the tests that need one model or another (none by name).
    static var first: String { names[0] }
    static var second: String { names[1] }

    @Test(arguments: names)
    func savedModelLoadsBitForBit(name: String) throws {
        let (entry, model) = try Toy.make(name, epochs: 2)
        try ZooTesting.fit(model, task: entry.task)
        let folder = try Toy.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/\(name).safetensors"
        try Toy.checkpoint(model, entry: entry, epochs: 2).save(to: path)

        let loaded = try Checkpoint.load(from: path, expecting: name)
        #expect(loaded.model == name && loaded.task == entry.task)
        #expect(loaded.options.seed == 11 && loaded.options.epochs == 2 && loaded.options.overrides == entry.testOverrides)
        let rebuilt = try loaded.makeModel(zoo: .standard)
        #expect(Toy.parameters(rebuilt) == Toy.parameters(model))
        let expected = ZooTesting.outputs(model, task: entry.task), found = ZooTesting.outputs(rebuilt, task: entry.task)
        #expect(expected.map(\.bitPattern) == found.map(\.bitPattern), "\(name): outputs differ after a round trip")
        let split = ToyData.split(for: entry.task)
        #expect(loaded.itemIDs == split.itemIDs && loaded.userIDs == split.trainUserIDs && loaded.history == split.train)
        #expect(loaded.itemCount == split.shape.items && loaded.userCount == split.shape.users)
    }

    @Test func loadingAnotherModelNamesBoth() throws {
        let (entry, model) = try Toy.make(Self.first, epochs: 1)
        let folder = try Toy.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/model.safetensors"
        try Toy.checkpoint(model, entry: entry, epochs: 1).save(to: path)
        #expect(throws: CheckpointError.wrongModel(file: path, expected: Self.second, found: Self.first)) {
            _ = try Checkpoint.load(from: path, expecting: Self.second)
        }
    }

    @Test func missingAndMisshapenParametersAreNamed() throws {
        let (entry, model) = try Toy.make(Self.first, epochs: 1)
        var checkpoint = Toy.checkpoint(model, entry: entry, epochs: 1)
        let name = try #require(model.parameters.first?.name)
        let weight = try #require(checkpoint.parameters[name])
        checkpoint.parameters[name] = nil
        // Fewer stored scalars than the settings need: refused before the model is built.
        #expect {
            _ = try checkpoint.makeModel(zoo: .standard)
        } throws: { error in
            guard case CheckpointError.badMetadata(_, "overrides", _, let expected)? = error as? CheckpointError else { return false }
            return expected.contains("fit the")
        }
        // As many scalars under another name: the missing tensor is named.
        checkpoint.parameters["renamed"] = weight
        #expect(throws: CheckpointError.missingTensor(file: "<memory>", tensor: name)) {
            _ = try checkpoint.makeModel(zoo: .standard)
        }
        checkpoint.parameters["renamed"] = nil
        checkpoint.parameters[name] = Matrix(rows: weight.rows, columns: weight.columns + 1)
        #expect(throws: CheckpointError.shapeMismatch(file: "<memory>", tensor: name,
                                                      expected: [weight.rows, weight.columns],
                                                      found: [weight.rows, weight.columns + 1])) {
            _ = try checkpoint.makeModel(zoo: .standard)
        }
    }

    /// Settings read from the file size nothing before they are checked: an override that would
    /// allocate far more than the file stores (or overflow) is a typed error naming the key, for
    /// every entry (its first integer-list or integer option made huge).
    @Test(arguments: names)
    func hugeSizeSettingsAreRefusedBeforeAllocating(name: String) throws {
        let (entry, model) = try Toy.make(name, epochs: 1)
        for value in ["9223372036854775807", "100000000", "150000"] {
            var checkpoint = Toy.checkpoint(model, entry: entry, epochs: 1)
            checkpoint.options.overrides["hidden"] = value
            #expect {
                _ = try checkpoint.makeModel(zoo: .standard)
            } throws: { error in
                guard case CheckpointError.badMetadata(_, "overrides", _, _)? = error as? CheckpointError else { return false }
                return true
            }
        }
    }

    /// A checkpoint of no items, or a rating model's of no users, is a typed error, not a crash of
    /// the model's initialiser (an I-AutoRec file with `user_count` 0 tripped a precondition).
    @Test(arguments: names)
    func emptyShapesAreTypedErrors(name: String) throws {
        let (entry, model) = try Toy.make(name, epochs: 1)
        var noItems = Toy.checkpoint(model, entry: entry, epochs: 1)
        noItems.itemCount = 0
        #expect(throws: CheckpointError.self) { _ = try noItems.makeModel(zoo: .standard) }
        var noUsers = Toy.checkpoint(model, entry: entry, epochs: 1)
        noUsers.userCount = 0
        if entry.task == .rating {
            #expect(throws: CheckpointError.self) { _ = try noUsers.makeModel(zoo: .standard) }
        } else {
            _ = try noUsers.makeModel(zoo: .standard)                            // a ranking model needs no users
        }
    }

    @Test func writingIntoAMissingFolderIsATypedError() throws {
        let (entry, model) = try Toy.make(Self.first, epochs: 1)
        let path = "/nonexistent-folder-\(UUID().uuidString)/model.safetensors"
        #expect {
            try Toy.checkpoint(model, entry: entry, epochs: 1).save(to: path)
        } throws: { error in
            guard case CheckpointError.cannotWrite(let file, _)? = error as? CheckpointError else { return false }
            return file == path
        }
    }
}
