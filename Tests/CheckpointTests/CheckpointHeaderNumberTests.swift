import Foundation
import Testing
import TestSupport
import ModelKit
import TensorCore
import NeuralNet
import RecCore
import ZooCatalog
@testable import Checkpoints

/// Issue 20, finding 6 (checkpoint part) and the header numbers: counts, ids and the stored history
/// must agree with the tensors, and a NaN or an infinity in any stored float is an error naming it.
@Suite struct CheckpointHeaderNumberTests {
    /// A checkpoint of the catalog's first ranking entry (untrained weights, the toy training
    /// history) as a safetensors file.
    static func file() throws -> SafeTensors.File {
        let name = try #require(ModelZoo.standard.entries.first { $0.task == .ranking }?.name)
        let (entry, model) = try Toy.make(name, epochs: 1)
        return Toy.checkpoint(model, entry: entry, epochs: 1).safeTensorsFile()
    }

    /// Encodes `file`, decodes it again and reads it as a checkpoint named `h`.
    static func read(_ file: SafeTensors.File) throws -> Checkpoint {
        try Checkpoint(SafeTensors.decode(SafeTensors.encode(file), path: "h"), path: "h")
    }

    @Test func aNaNWeightIsAnErrorNamingTheTensor() throws {
        var file = try Self.file()
        let name = "decoder.0.weight"
        var values = try #require(file.tensors[name]).floatElements()
        values[7] = .nan
        file.tensors[name] = SafeTensors.Tensor(dtype: .f32, shape: try #require(file.tensors[name]).shape,
                                                bytes: SafeTensors.littleEndianBytes(values))
        #expect(throws: CheckpointError.nonFiniteValue(file: "h", tensor: name, index: 7, value: "nan")) {
            _ = try Self.read(file)
        }
        values[7] = -.infinity
        file.tensors[name] = SafeTensors.Tensor(dtype: .f32, shape: try #require(file.tensors[name]).shape,
                                                bytes: SafeTensors.littleEndianBytes(values))
        #expect(throws: CheckpointError.nonFiniteValue(file: "h", tensor: name, index: 7, value: "-inf")) {
            _ = try Self.read(file)
        }
    }

    @Test func anInfiniteHistoryValueIsAnError() throws {
        var file = try Self.file()
        var values = try #require(file.tensors[Checkpoint.Prefix.values]).floatElements()
        values[0] = .infinity
        file.tensors[Checkpoint.Prefix.values] = SafeTensors.Tensor(floats: values)
        #expect(throws: CheckpointError.nonFiniteValue(file: "h", tensor: Checkpoint.Prefix.values, index: 0, value: "inf")) {
            _ = try Self.read(file)
        }
    }

    @Test func userCountMustMatchTheStoredHistory() throws {
        var file = try Self.file()
        let rows = ToyData.clicks.train.rows
        file.metadata["user_count"] = String(rows + 5)
        #expect(throws: CheckpointError.shapeMismatch(file: "h", tensor: Checkpoint.Prefix.userIDs, expected: [rows + 5],
                                                      found: [rows])) {
            _ = try Self.read(file)
        }
    }

    @Test func itemCountBeyondThirtyTwoBitsIsRefusedBeforeAnyAllocation() throws {
        var file = try Self.file()
        file.metadata["item_count"] = "9223372036854775807"
        #expect(throws: CheckpointError.badMetadata(file: "h", key: "item_count", value: "9223372036854775807",
                                                    expected: "at most 2147483647 (item columns are 32-bit)")) {
            _ = try Self.read(file)
        }
    }

    @Test func repeatedIdsAreAnError() throws {
        var file = try Self.file()
        var items = try #require(file.tensors[Checkpoint.Prefix.itemIDs]).elements(as: Int64.self)
        items[3] = items[1]
        file.tensors[Checkpoint.Prefix.itemIDs] = SafeTensors.Tensor(int64s: items)
        #expect(throws: CheckpointError.badHeader(file: "h", reason: "tensor '__ids__/items': id \(items[1]) appears more than once")) {
            _ = try Self.read(file)
        }
        file = try Self.file()
        var users = try #require(file.tensors[Checkpoint.Prefix.userIDs]).elements(as: Int64.self)
        users[2] = users[0]
        file.tensors[Checkpoint.Prefix.userIDs] = SafeTensors.Tensor(int64s: users)
        #expect(throws: CheckpointError.badHeader(file: "h", reason: "tensor '__ids__/users': id \(users[0]) appears more than once")) {
            _ = try Self.read(file)
        }
    }

    /// Unsorted or repeated columns in a row would trip `SparseMatrix`'s checks (a crash in debug
    /// builds) or count an item twice; they are a header error instead.
    @Test func aRowWithColumnsOutOfOrderIsAnError() throws {
        var file = try Self.file()
        var columns = try #require(file.tensors[Checkpoint.Prefix.columns]).elements(as: Int32.self)
        columns.swapAt(0, 1)
        file.tensors[Checkpoint.Prefix.columns] = SafeTensors.Tensor(int32s: columns)
        #expect {
            _ = try Self.read(file)
        } throws: { error in
            guard case let CheckpointError.badHeader(name, reason)? = error as? CheckpointError else { return false }
            return name == "h" && reason.contains("row 0: column \(columns[1]) out of order")
        }
    }

    /// Found by the checkpoint fuzz target: a row pointer beyond the entries, with the last one
    /// right, made the row check slice past the end (a trap) before the next row showed the decrease.
    @Test func aRowPointerBeyondTheEntriesIsAnError() throws {
        var file = try Self.file()
        var pointers = try #require(file.tensors[Checkpoint.Prefix.rowPointers]).elements(as: Int64.self)
        let entries = try #require(pointers.last)
        pointers[1] = entries + 100
        file.tensors[Checkpoint.Prefix.rowPointers] = SafeTensors.Tensor(int64s: pointers)
        #expect(throws: CheckpointError.badHeader(file: "h", reason: "the stored history is not a valid CSR matrix of "
                                                  + "\(ToyData.clicks.itemCount) columns: row 0 ends at \(entries + 100), after the \(entries) entries")) {
            _ = try Self.read(file)
        }
    }

    @Test func negativeEpochsAreRefused() throws {
        var file = try Self.file()
        file.metadata["epochs"] = "-3"
        #expect(throws: CheckpointError.badMetadata(file: "h", key: "epochs", value: "-3", expected: "an integer ≥ 0 or empty")) {
            _ = try Self.read(file)
        }
    }

    @Test func messagesEscapeControlCharactersFromTheFile() {
        let error = CheckpointError.missingTensor(file: "c.safetensors", tensor: "w\u{1B}[31m")
        #expect(error.description == "c.safetensors: missing tensor 'w\\u{1B}[31m'")
    }
}
