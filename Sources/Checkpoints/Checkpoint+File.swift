import Foundation
import ModelKit
import NeuralNet
import RecCore
import TensorCore

extension Checkpoint {
    /// Tensor-name prefixes of everything that is not a model parameter (parameter names never hold `/`).
    enum Prefix {
        static let itemIDs = "__ids__/items", userIDs = "__ids__/users"
        static let rowPointers = "__history__/row_pointers", columns = "__history__/columns", values = "__history__/values"
        static let best = "__best__/", optimizer = "__optimizer__/"
    }

    /// The checkpoint as a safetensors file.
    public func safeTensorsFile() -> SafeTensors.File {
        var file = SafeTensors.File()
        for (name, value) in parameters { file.tensors[name] = SafeTensors.Tensor(value) }
        file.tensors[Prefix.itemIDs] = SafeTensors.Tensor(int64s: itemIDs)
        if let history {
            file.tensors[Prefix.userIDs] = SafeTensors.Tensor(int64s: userIDs)
            file.tensors[Prefix.rowPointers] = SafeTensors.Tensor(int64s: history.rowPointers.map(Int64.init))
            file.tensors[Prefix.columns] = SafeTensors.Tensor(int32s: history.columnIndices)
            file.tensors[Prefix.values] = SafeTensors.Tensor(floats: history.values)
        }
        var metadata = [
            "format": Self.formatName, "version": Self.formatVersion, "model": model, "task": task.rawValue,
            "seed": String(options.seed), "epochs": options.epochs.map(String.init) ?? "",
            "overrides": Self.json(options.overrides), "item_count": String(itemCount), "user_count": String(userCount),
        ]
        if let training {
            metadata["training"] = Self.json(TrainingMetadata(training).dictionary)
            for (name, value) in training.bestValues ?? [:] { file.tensors[Prefix.best + name] = SafeTensors.Tensor(value) }
            for (name, value) in training.optimizer.tensors { file.tensors[Prefix.optimizer + name] = SafeTensors.Tensor(value) }
        }
        file.metadata = metadata
        return file
    }

    /// Writes the checkpoint to `path` atomically (see `AtomicFile`).
    public func save(to path: String, chunkBytes: Int = 1 << 20, pauseBetweenChunks: Duration? = nil) throws {
        try AtomicFile.write(parts: SafeTensors.encodedParts(safeTensorsFile()), to: path, chunkBytes: chunkBytes,
                             pauseBetweenChunks: pauseBetweenChunks)
    }

    /// Reads the checkpoint at `path`; with `model`, throws `CheckpointError.wrongModel` for another model.
    public static func load(from path: String, expecting model: String? = nil) throws -> Checkpoint {
        try Checkpoint(SafeTensors.decode(AtomicFile.read(path), path: path), path: path, expecting: model)
    }

    /// The checkpoint held by a decoded safetensors file read from `path`.
    public init(_ file: SafeTensors.File, path: String, expecting expectedModel: String? = nil) throws {
        func meta(_ key: String) throws -> String {
            guard let value = file.metadata[key] else {
                throw CheckpointError.badMetadata(file: path, key: key, value: "(missing)", expected: "a value")
            }
            return value
        }
        func count(_ key: String) throws -> Int {
            let text = try meta(key)
            guard let value = Int(text), value >= 0 else {
                throw CheckpointError.badMetadata(file: path, key: key, value: text, expected: "a non-negative integer")
            }
            return value
        }
        guard file.metadata["format"] == Self.formatName else {
            throw CheckpointError.badMetadata(file: path, key: "format", value: file.metadata["format"] ?? "(missing)",
                                              expected: Self.formatName)
        }
        guard file.metadata["version"] == Self.formatVersion else {
            throw CheckpointError.badMetadata(file: path, key: "version", value: file.metadata["version"] ?? "(missing)",
                                              expected: Self.formatVersion)
        }
        let model = try meta("model")
        if let expectedModel, expectedModel != model {
            throw CheckpointError.wrongModel(file: path, expected: expectedModel, found: model)
        }
        let taskText = try meta("task")
        guard !taskText.isEmpty else {
            throw CheckpointError.badMetadata(file: path, key: "task", value: taskText, expected: "a task name (ranking, rating)")
        }
        let task = TaskName(taskText)
        let seedText = try meta("seed"), epochsText = try meta("epochs"), overridesText = try meta("overrides")
        guard let seed = UInt64(seedText) else {
            throw CheckpointError.badMetadata(file: path, key: "seed", value: seedText, expected: "an unsigned 64-bit integer")
        }
        let epochs = Int(epochsText)
        guard epochsText.isEmpty || (epochs ?? -1) >= 0 else {
            throw CheckpointError.badMetadata(file: path, key: "epochs", value: epochsText, expected: "an integer ≥ 0 or empty")
        }
        guard let overrides = (try? JSONSerialization.jsonObject(with: Data(overridesText.utf8))) as? [String: String] else {
            throw CheckpointError.badMetadata(file: path, key: "overrides", value: overridesText, expected: "a JSON object of strings")
        }
        try file.requireFiniteFloats(path: path)
        let itemCount = try count("item_count"), userCount = try count("user_count")
        guard itemCount <= Int(Int32.max) else {
            throw CheckpointError.badMetadata(file: path, key: "item_count", value: String(itemCount),
                                              expected: "at most \(Int32.max) (item columns are 32-bit)")
        }
        let itemIDs = try file.vector(Prefix.itemIDs, dtype: .i64, count: itemCount, path: path).elements(as: Int64.self)
        try Self.requireDistinct(itemIDs, tensor: Prefix.itemIDs, path: path)

        var history: SparseMatrix? = nil
        var userIDs: [Int64]? = nil
        if file.tensors[Prefix.rowPointers] != nil {
            let ids = try file.vector(Prefix.userIDs, dtype: .i64, count: userCount, path: path).elements(as: Int64.self)
            try Self.requireDistinct(ids, tensor: Prefix.userIDs, path: path)
            let pointers = try file.vector(Prefix.rowPointers, dtype: .i64, count: ids.count + 1, path: path)
                .elements(as: Int64.self).map { Int($0) }
            let columns = try file.vector(Prefix.columns, dtype: .i32, count: nil, path: path).elements(as: Int32.self)
            let values = try file.vector(Prefix.values, dtype: .f32, count: columns.count, path: path).floatElements()
            try Self.requireCSR(pointers: pointers, columns: columns, itemCount: itemCount, path: path)
            history = SparseMatrix(rows: ids.count, columns: itemCount, rowPointers: pointers, columnIndices: columns, values: values)
            userIDs = ids
        }

        var parameters: [String: Matrix] = [:]
        for name in file.tensors.keys where !name.contains("/") { parameters[name] = try file.matrix(name, path: path) }

        var training: TrainingState? = nil
        if let trainingText = file.metadata["training"] {
            var state = try TrainingMetadata.parse(trainingText, path: path).state
            var best: [String: Matrix] = [:], moments: [String: Matrix] = [:]
            for name in file.tensors.keys {
                if name.hasPrefix(Prefix.best) { best[String(name.dropFirst(Prefix.best.count))] = try file.matrix(name, path: path) }
                if name.hasPrefix(Prefix.optimizer) {
                    moments[String(name.dropFirst(Prefix.optimizer.count))] = try file.matrix(name, path: path)
                }
            }
            if state.bestValues != nil { state.bestValues = best }
            state.optimizer.tensors = moments
            try TrainingMetadata.checkOptimizerCounts(state.optimizer, path: path)
            training = state
        }
        self.init(model: model, task: task, options: ModelOptions(seed: seed, epochs: epochs, overrides: overrides),
                  itemCount: itemCount, userCount: userCount, itemIDs: itemIDs, userIDs: userIDs, history: history,
                  parameters: parameters, training: training)
        source = path
    }

    /// Throws `badHeader` naming `tensor` when an id appears twice (a lookup by id would be ambiguous).
    static func requireDistinct(_ ids: [Int64], tensor: String, path: String) throws {
        var seen = Set<Int64>(minimumCapacity: ids.count)
        for id in ids where !seen.insert(id).inserted {
            throw CheckpointError.badHeader(file: path, reason: "tensor '\(tensor)': id \(id) appears more than once")
        }
    }

    /// Throws `badHeader` unless the stored history is a CSR matrix of `itemCount` columns: row
    /// pointers from 0 to the entry count, never decreasing, and in every row columns strictly
    /// increasing within `0..<itemCount` (what `SparseMatrix` and top-K rely on).
    static func requireCSR(pointers: [Int], columns: [Int32], itemCount: Int, path: String) throws {
        func bad(_ what: String) -> CheckpointError {
            CheckpointError.badHeader(file: path, reason: "the stored history is not a valid CSR matrix of \(itemCount) columns: \(what)")
        }
        guard pointers.first == 0, pointers.last == columns.count else {
            throw bad("row pointers run from \(pointers.first ?? -1) to \(pointers.last ?? -1), not 0 to \(columns.count)")
        }
        for row in 0..<(pointers.count - 1) {
            let start = pointers[row], end = pointers[row + 1]
            guard start <= end else { throw bad("row \(row)'s pointers decrease (\(start) > \(end))") }
            guard end <= columns.count else { throw bad("row \(row) ends at \(end), after the \(columns.count) entries") }
            var previous: Int32 = -1
            for column in columns[start..<end] {
                guard column > previous, Int(column) < itemCount else {
                    throw bad("row \(row): column \(column) out of order or outside 0..<\(itemCount)")
                }
                previous = column
            }
        }
    }

    /// Compact JSON text of a JSON-compatible value, keys sorted.
    static func json(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
