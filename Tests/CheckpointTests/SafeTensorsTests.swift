import Foundation
import Testing
import TensorCore
import ModelKit
import RecCore
import TestSupport
import ZooCatalog
@testable import Checkpoints

/// The file format: an independent reader written here agrees with the model, and damaged files
/// give the specific typed error.
@Suite struct SafeTensorsTests {
    /// A saved checkpoint of the catalog's first entry, its name and its first parameter.
    static func savedFile() throws -> (path: String, folder: String, model: String, tensor: String, weight: Matrix) {
        let (entry, model) = try Toy.make(ModelZoo.standard.names[0], epochs: 1)
        try ZooTesting.fit(model, task: entry.task)
        let folder = try Toy.temporaryFolder()
        let path = folder + "/model.safetensors"
        try Toy.checkpoint(model, entry: entry, epochs: 1).save(to: path)
        let tensor = try #require(model.parameters.first?.name)
        let weight = try #require(Toy.parameters(model)[tensor])
        return (path, folder, entry.name, tensor, weight)
    }

    @Test func anIndependentReaderFindsTheModelsWeights() throws {
        let (path, folder, model, tensor, weight) = try Self.savedFile()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // 8-byte little-endian header length, then that many bytes of JSON.
        var headerLength = 0
        for index in 0..<8 { headerLength |= Int(bytes[index]) << (8 * index) }
        #expect((8 + headerLength) % 8 == 0)
        let header = try #require(try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as? [String: Any])
        let metadata = try #require(header["__metadata__"] as? [String: String])
        #expect(metadata["model"] == model && metadata["format"] == "autoencoderzoo.checkpoint")
        let entry = try #require(header[tensor] as? [String: Any])
        #expect(entry["dtype"] as? String == "F32")
        #expect((entry["shape"] as? [Int]) == [weight.rows, weight.columns])
        let offsets = try #require(entry["data_offsets"] as? [Int])
        let start = 8 + headerLength + offsets[0]
        var floats: [Float] = []
        for position in stride(from: start, to: 8 + headerLength + offsets[1], by: 4) {
            let bits = UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8 | UInt32(bytes[position + 2]) << 16
                | UInt32(bytes[position + 3]) << 24
            floats.append(Float(bitPattern: bits))
        }
        #expect(floats == weight.storage)
        // Every tensor's bytes lie inside the file, and together they fill the data section.
        let total = header.filter { $0.key != "__metadata__" }.compactMap { ($0.value as? [String: Any])?["data_offsets"] as? [Int] }
            .reduce(0) { $0 + $1[1] - $1[0] }
        #expect(total == bytes.count - 8 - headerLength)
    }

    @Test func aTruncatedFileIsReportedAsTruncated() throws {
        let (path, folder, _, _, _) = try Self.savedFile()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count - 10).write(to: URL(fileURLWithPath: path))
        #expect(throws: CheckpointError.truncated(file: path, expected: data.count, found: data.count - 10)) {
            _ = try Checkpoint.load(from: path)
        }
        try data.prefix(5).write(to: URL(fileURLWithPath: path))
        #expect(throws: CheckpointError.truncated(file: path, expected: 8, found: 5)) { _ = try Checkpoint.load(from: path) }
    }

    @Test func aFlippedHeaderLengthIsReported() throws {
        let (path, folder, _, _, _) = try Self.savedFile()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[6] ^= 0xFF                                            // header length now ~2⁵⁶ bytes
        try data.write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try Checkpoint.load(from: path)
        } throws: { error in
            guard case CheckpointError.truncated(let file, _, let found)? = error as? CheckpointError else { return false }
            return file == path && found == data.count
        }
    }

    @Test func flippedHeaderBytesAreABadHeader() throws {
        let (path, folder, _, _, _) = try Self.savedFile()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[8] ^= 0xFF                                            // the opening brace
        try data.write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try Checkpoint.load(from: path)
        } throws: { error in
            guard case CheckpointError.badHeader(let file, _)? = error as? CheckpointError else { return false }
            return file == path
        }
    }

    /// A file with `header` (JSON text) and `dataBytes` zero bytes of data.
    static func file(header: String, dataBytes: Int) -> Data {
        var data = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(Data(header.utf8))
        data.append(Data(count: dataBytes))
        return data
    }

    @Test func inconsistentHeadersGiveTheirOwnErrors() throws {
        func decode(_ header: String, _ bytes: Int) throws { _ = try SafeTensors.decode(Self.file(header: header, dataBytes: bytes), path: "f") }
        #expect(throws: CheckpointError.offsetsOutOfRange(file: "f", tensor: "a", offsets: [8, 4], dataBytes: 8)) {
            try decode(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}"#, 8)
        }
        #expect(throws: CheckpointError.byteCountMismatch(file: "f", tensor: "a", expected: 8, found: 4)) {
            try decode(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, 4)
        }
        #expect(throws: CheckpointError.offsetsNotContiguous(file: "f", tensor: "b", expectedBegin: 4, found: 8)) {
            try decode(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#, 12)
        }
        #expect(throws: CheckpointError.dtypeMismatch(file: "f", tensor: "a", expected: "F32|F64|I32|I64|U8", found: "Q7")) {
            try decode(#"{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}"#, 4)
        }
        #expect(throws: CheckpointError.trailingBytes(file: "f", expected: 4, found: 6)) {
            try decode(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, 6)
        }
        #expect {
            try decode(#"{"a": nonsense"#, 0)
        } throws: { error in
            guard case CheckpointError.badHeader(let file, _)? = error as? CheckpointError else { return false }
            return file == "f"
        }
    }

    @Test func aParameterStoredAsIntegersIsADtypeMismatch() throws {
        let (entry, model) = try Toy.make(ModelZoo.standard.names[0], epochs: 1)
        var file = Toy.checkpoint(model, entry: entry, epochs: 1).safeTensorsFile()
        let name = try #require(model.parameters.last?.name)
        let weight = try #require(file.tensors[name])
        file.tensors[name] = SafeTensors.Tensor(dtype: .i32, shape: weight.shape, bytes: weight.bytes)
        #expect(throws: CheckpointError.dtypeMismatch(file: "g", tensor: name, expected: "F32", found: "I32")) {
            _ = try Checkpoint(SafeTensors.decode(SafeTensors.encode(file), path: "g"), path: "g")
        }
    }
}
