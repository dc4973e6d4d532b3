import RecCore

/// Why a checkpoint could not be written, read or applied; every case names the file, and where it
/// applies the tensor and the expected versus the found value.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case cannotRead(file: String, reason: String)
    /// The file could not be written (the previous file at the path, if any, is unchanged).
    case cannotWrite(file: String, reason: String)
    /// The file ends early: `expected` bytes were needed, `found` are there.
    case truncated(file: String, expected: Int, found: Int)
    /// The JSON header is not valid (not JSON, not an object, a field of the wrong type).
    case badHeader(file: String, reason: String)
    /// A tensor's data offsets lie outside the data section of `dataBytes` bytes.
    case offsetsOutOfRange(file: String, tensor: String, offsets: [Int], dataBytes: Int)
    /// A tensor's data does not start where the previous one ended (gaps or overlaps).
    case offsetsNotContiguous(file: String, tensor: String, expectedBegin: Int, found: Int)
    /// A tensor's byte count disagrees with its dtype and shape.
    case byteCountMismatch(file: String, tensor: String, expected: Int, found: Int)
    /// The data section is longer than the tensors it holds.
    case trailingBytes(file: String, expected: Int, found: Int)
    /// A tensor the model or the training state needs is not in the file.
    case missingTensor(file: String, tensor: String)
    /// A tensor has another shape than the model's parameter.
    case shapeMismatch(file: String, tensor: String, expected: [Int], found: [Int])
    /// A tensor has another dtype than expected.
    case dtypeMismatch(file: String, tensor: String, expected: String, found: String)
    /// The file holds another model than the one asked for.
    case wrongModel(file: String, expected: String, found: String)
    /// A metadata entry is missing or has a value that cannot be used.
    case badMetadata(file: String, key: String, value: String, expected: String)
    /// A stored number is NaN or infinite (`index`: its position in the tensor, row-major).
    case nonFiniteValue(file: String, tensor: String, index: Int, value: String)

    /// A message naming the file, the tensor and the values; control characters from the file
    /// (tensor names, metadata) are escaped (`escapingControlCharacters`).
    public var description: String { message.escapingControlCharacters }

    private var message: String {
        switch self {
        case let .cannotRead(file, reason): return "\(file): cannot read checkpoint: \(reason)"
        case let .cannotWrite(file, reason): return "\(file): cannot write checkpoint: \(reason)"
        case let .truncated(file, expected, found):
            return "\(file): truncated checkpoint: expected at least \(expected) bytes, found \(found)"
        case let .badHeader(file, reason): return "\(file): bad safetensors header: \(reason)"
        case let .offsetsOutOfRange(file, tensor, offsets, dataBytes):
            return "\(file): tensor '\(tensor)': data offsets \(offsets) outside the data section of \(dataBytes) bytes"
        case let .offsetsNotContiguous(file, tensor, expectedBegin, found):
            return "\(file): tensor '\(tensor)': data should begin at byte \(expectedBegin), begins at \(found)"
        case let .byteCountMismatch(file, tensor, expected, found):
            return "\(file): tensor '\(tensor)': dtype and shape need \(expected) bytes, offsets give \(found)"
        case let .trailingBytes(file, expected, found):
            return "\(file): data section should be \(expected) bytes, found \(found)"
        case let .missingTensor(file, tensor): return "\(file): missing tensor '\(tensor)'"
        case let .shapeMismatch(file, tensor, expected, found):
            return "\(file): tensor '\(tensor)': expected shape \(expected), found \(found)"
        case let .dtypeMismatch(file, tensor, expected, found):
            return "\(file): tensor '\(tensor)': expected dtype \(expected), found \(found)"
        case let .wrongModel(file, expected, found):
            return "\(file): checkpoint holds model '\(found)', expected '\(expected)'"
        case let .badMetadata(file, key, value, expected):
            return "\(file): metadata '\(key)' = '\(value)' (expected \(expected))"
        case let .nonFiniteValue(file, tensor, index, value):
            return "\(file): tensor '\(tensor)': element \(index) is \(value); a checkpoint holds finite numbers only"
        }
    }
}
