import Foundation

/// The safetensors file format (Hugging Face): an 8-byte little-endian header length N, N bytes of
/// JSON `{"NAME": {"dtype", "shape", "data_offsets": [begin, end]}, …, "__metadata__": {…}}`, then
/// the raw little-endian tensor bytes, offsets relative to the end of the header.
///
/// `encode` writes tensors in name order, contiguously, with the header padded by spaces to a
/// multiple of 8 bytes; `decode` checks everything a reader relies on (see `CheckpointError`).
public enum SafeTensors {
    /// The element types this package reads and writes, with their sizes in bytes.
    public enum DType: String, Sendable, CaseIterable {
        case f32 = "F32", f64 = "F64", i32 = "I32", i64 = "I64", u8 = "U8"

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .f32, .i32: return 4
            case .f64, .i64: return 8
            case .u8: return 1
            }
        }
    }

    /// One tensor: dtype, shape and its raw little-endian bytes.
    public struct Tensor: Sendable, Equatable {
        /// The element type.
        public var dtype: DType
        /// The dimensions (row-major).
        public var shape: [Int]
        /// The elements' bytes, little-endian.
        public var bytes: Data

        /// A tensor from its parts; the byte count must match dtype and shape.
        public init(dtype: DType, shape: [Int], bytes: Data) {
            precondition(bytes.count == shape.reduce(1, *) * dtype.size,
                         "SafeTensors.Tensor: \(bytes.count) bytes for \(dtype.rawValue) \(shape)")
            self.dtype = dtype
            self.shape = shape
            self.bytes = bytes
        }
    }

    /// A decoded file: its tensors by name and its string metadata.
    public struct File: Sendable, Equatable {
        /// Tensors by name.
        public var tensors: [String: Tensor]
        /// The `__metadata__` strings.
        public var metadata: [String: String]

        /// A file with the given content.
        public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
            self.tensors = tensors
            self.metadata = metadata
        }
    }

    /// The bytes of `file` in the safetensors format.
    public static func encode(_ file: File) -> Data {
        let parts = encodedParts(file)
        var data = Data(capacity: parts.reduce(0) { $0 + $1.count })
        for part in parts { data.append(part) }
        return data
    }

    /// The same bytes as `encode`, in pieces: the length and header first, then each tensor's
    /// bytes in file order (the tensors' own buffers, not copies). Writing the pieces one after
    /// another (`AtomicFile.write(parts:to:)`) saves a file without a second copy of every tensor
    /// in memory: a training state is the size of the model three times over (values and Adam's
    /// two moments), ≈ 71 MB for the deep AE on ML-1M and ≈ 300 MB for Mult-VAE at ML-20M's shape.
    public static func encodedParts(_ file: File) -> [Data] {
        var header = "{\"__metadata__\":{"
        header += file.metadata.keys.sorted().map { "\(quoted($0)):\(quoted(file.metadata[$0] ?? ""))" }.joined(separator: ",")
        header += "}"
        var offset = 0
        let names = file.tensors.keys.sorted()
        for name in names {
            guard let tensor = file.tensors[name] else { continue }
            let end = offset + tensor.bytes.count
            header += ",\(quoted(name)):{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}"
            offset = end
        }
        header += "}"
        var headerBytes = Data(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var prefix = Data(capacity: 8 + headerBytes.count)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { prefix.append(contentsOf: $0) }
        prefix.append(headerBytes)
        return [prefix] + names.compactMap { file.tensors[$0]?.bytes }
    }

    /// Decodes and validates `data` read from `path` (the path only names the file in errors).
    public static func decode(_ data: Data, path: String) throws -> File {
        guard data.count >= 8 else { throw CheckpointError.truncated(file: path, expected: 8, found: data.count) }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw CheckpointError.truncated(file: path, expected: headerLength > UInt64(Int.max / 2) ? Int.max : 8 + Int(headerLength),
                                            found: data.count)
        }
        let headerEnd = 8 + Int(headerLength)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data.subdata(in: data.startIndex + 8 ..< data.startIndex + headerEnd))
        } catch {
            throw CheckpointError.badHeader(file: path, reason: "not valid JSON (\(error.localizedDescription))")
        }
        guard let header = object as? [String: Any] else {
            throw CheckpointError.badHeader(file: path, reason: "the header is not a JSON object")
        }
        var file = File()
        if let metadata = header["__metadata__"] {
            guard let strings = metadata as? [String: String] else {
                throw CheckpointError.badHeader(file: path, reason: "__metadata__ is not an object of strings")
            }
            file.metadata = strings
        }
        let dataBytes = data.count - headerEnd
        var entries: [(name: String, dtype: DType, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtypeName = entry["dtype"] as? String,
                  let shape = (entry["shape"] as? [Any])?.compactMap(exactInteger), shape.count == (entry["shape"] as? [Any])?.count,
                  let offsets = (entry["data_offsets"] as? [Any])?.compactMap(exactInteger), offsets.count == 2 else {
                throw CheckpointError.badHeader(file: path, reason: "tensor '\(name)' needs dtype, shape and two data_offsets")
            }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw CheckpointError.dtypeMismatch(file: path, tensor: name, expected: DType.allCases.map(\.rawValue).joined(separator: "|"),
                                                    found: dtypeName)
            }
            guard shape.allSatisfy({ $0 >= 0 }) else {
                throw CheckpointError.badHeader(file: path, reason: "tensor '\(name)' has a negative dimension in \(shape)")
            }
            guard offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw CheckpointError.offsetsOutOfRange(file: path, tensor: name, offsets: offsets, dataBytes: dataBytes)
            }
            let (elements, overflow) = shape.reduce((1, false)) { partial, next in
                let (product, flag) = partial.0.multipliedReportingOverflow(by: next)
                return (product, partial.1 || flag)
            }
            guard !overflow, elements.multipliedReportingOverflow(by: dtype.size).overflow == false,
                  elements * dtype.size == offsets[1] - offsets[0] else {
                throw CheckpointError.byteCountMismatch(file: path, tensor: name, expected: overflow ? Int.max : elements * dtype.size,
                                                        found: offsets[1] - offsets[0])
            }
            entries.append((name, dtype, shape, offsets[0], offsets[1]))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var expectedBegin = 0
        for entry in entries {
            guard entry.begin == expectedBegin else {
                throw CheckpointError.offsetsNotContiguous(file: path, tensor: entry.name, expectedBegin: expectedBegin, found: entry.begin)
            }
            expectedBegin = entry.end
        }
        // Contiguous and consistent, but more data than there is: the file was cut short.
        guard expectedBegin <= dataBytes else {
            throw CheckpointError.truncated(file: path, expected: headerEnd + expectedBegin, found: data.count)
        }
        for entry in entries {
            let start = data.startIndex + headerEnd
            file.tensors[entry.name] = Tensor(dtype: entry.dtype, shape: entry.shape,
                                              bytes: data.subdata(in: start + entry.begin ..< start + entry.end))
        }
        guard expectedBegin == dataBytes else {
            throw CheckpointError.trailingBytes(file: path, expected: expectedBegin, found: dataBytes)
        }
        return file
    }


    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 { result += String(format: "\\u%04x", scalar.value) } else { result.unicodeScalars.append(scalar) }
            }
        }
        return result + "\""
    }
}
