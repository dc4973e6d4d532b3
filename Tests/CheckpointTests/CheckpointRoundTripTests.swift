import Foundation
import Testing
import TensorCore
import NeuralNet
import RecCore
import ZooCatalog
@testable import Checkpoints

/// Every zoo entry: train two epochs, save, load into a freshly built model, identical outputs.
@Suite struct CheckpointRoundTripTests {
    static let names = ModelZoo.standard.entries.map(\.name)

    @Test(arguments: names)
    func savedModelLoadsBitForBit(name: String) throws {
        let model = try Toy.make(name, epochs: 2)
        try Toy.fit(model)
        let folder = try Toy.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/\(name).safetensors"
        try Toy.checkpoint(model, name: name, epochs: 2).save(to: path)

        let loaded = try Checkpoint.load(from: path, expecting: name)
        #expect(loaded.model == name)
        #expect(loaded.options.seed == 11 && loaded.options.epochs == 2 && loaded.options.overrides == Toy.overrides[name] ?? [:])
        let rebuilt = try loaded.makeModel(zoo: .standard)
        #expect(Toy.parameters(rebuilt) == Toy.parameters(model))
        let expected = Toy.outputs(model), found = Toy.outputs(rebuilt)
        #expect(expected.map(\.bitPattern) == found.map(\.bitPattern), "\(name): outputs differ after a round trip")
        switch rebuilt {
        case .ranking:
            #expect(loaded.itemIDs == Toy.clicks.itemIDs && loaded.userIDs == Toy.clicks.trainUserIDs)
            #expect(loaded.history == Toy.clicks.train)
        case .rating:
            #expect(loaded.itemIDs == Toy.ratings.itemIDs && loaded.history == Toy.ratings.train)
        }
    }

    @Test func loadingAnotherModelNamesBoth() throws {
        let model = try Toy.make("mult-dae", epochs: 1)
        let folder = try Toy.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/dae.safetensors"
        try Toy.checkpoint(model, name: "mult-dae", epochs: 1).save(to: path)
        #expect(throws: CheckpointError.wrongModel(file: path, expected: "mult-vae", found: "mult-dae")) {
            _ = try Checkpoint.load(from: path, expecting: "mult-vae")
        }
    }

    @Test func missingAndMisshapenParametersAreNamed() throws {
        let model = try Toy.make("mult-dae", epochs: 1)
        var checkpoint = Toy.checkpoint(model, name: "mult-dae", epochs: 1)
        let weight = try #require(checkpoint.parameters["encoder.0.weight"])
        checkpoint.parameters["encoder.0.weight"] = nil
        #expect(throws: CheckpointError.missingTensor(file: "<memory>", tensor: "encoder.0.weight")) {
            _ = try checkpoint.makeModel(zoo: .standard)
        }
        checkpoint.parameters["encoder.0.weight"] = Matrix(rows: weight.rows, columns: weight.columns + 1)
        #expect(throws: CheckpointError.shapeMismatch(file: "<memory>", tensor: "encoder.0.weight",
                                                      expected: [weight.rows, weight.columns],
                                                      found: [weight.rows, weight.columns + 1])) {
            _ = try checkpoint.makeModel(zoo: .standard)
        }
    }

    @Test func writingIntoAMissingFolderIsATypedError() throws {
        let model = try Toy.make("mult-dae", epochs: 1)
        let path = "/nonexistent-folder-\(UUID().uuidString)/model.safetensors"
        #expect {
            try Toy.checkpoint(model, name: "mult-dae", epochs: 1).save(to: path)
        } throws: { error in
            guard case CheckpointError.cannotWrite(let file, _)? = error as? CheckpointError else { return false }
            return file == path
        }
    }
}
