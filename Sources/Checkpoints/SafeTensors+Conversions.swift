import Foundation
import TensorCore

extension SafeTensors.Tensor {
    /// A matrix as an F32 tensor of shape [rows, columns].
    public init(_ matrix: Matrix) {
        self.init(dtype: .f32, shape: [matrix.rows, matrix.columns], bytes: SafeTensors.littleEndianBytes(matrix.storage))
    }

    /// Floats as a one-dimensional F32 tensor.
    public init(floats: [Float]) {
        self.init(dtype: .f32, shape: [floats.count], bytes: SafeTensors.littleEndianBytes(floats))
    }

    /// 64-bit integers as a one-dimensional I64 tensor.
    public init(int64s: [Int64]) {
        self.init(dtype: .i64, shape: [int64s.count], bytes: SafeTensors.littleEndianBytes(int64s))
    }

    /// 32-bit integers as a one-dimensional I32 tensor.
    public init(int32s: [Int32]) {
        self.init(dtype: .i32, shape: [int32s.count], bytes: SafeTensors.littleEndianBytes(int32s))
    }

    /// The elements as `T` (the caller checked the dtype), from little-endian bytes.
    func elements<T: FixedWidthInteger>(as type: T.Type) -> [T] {
        let count = bytes.count / MemoryLayout<T>.size
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            _ = bytes.copyBytes(to: UnsafeMutableRawBufferPointer(buffer))
            for index in 0..<count { buffer[index] = T(littleEndian: buffer[index]) }
            initialized = count
        }
    }

    /// The elements as Floats (dtype F32), from little-endian bytes.
    func floatElements() -> [Float] {
        elements(as: UInt32.self).map { Float(bitPattern: $0) }
    }
}

extension SafeTensors {
    /// The little-endian bytes of `values`.
    static func littleEndianBytes<T>(_ values: [T]) -> Data {
        #if _endian(little)
        return values.withUnsafeBytes { Data($0) }
        #else
        return Data(values.flatMap { value -> [UInt8] in
            withUnsafeBytes(of: value) { Array($0.reversed()) }
        })
        #endif
    }
}

extension SafeTensors.File {
    /// The tensor `name`, checked to have `dtype`; `path` names the file in errors.
    func tensor(_ name: String, dtype: SafeTensors.DType, path: String) throws -> SafeTensors.Tensor {
        guard let tensor = tensors[name] else { throw CheckpointError.missingTensor(file: path, tensor: name) }
        guard tensor.dtype == dtype else {
            throw CheckpointError.dtypeMismatch(file: path, tensor: name, expected: dtype.rawValue, found: tensor.dtype.rawValue)
        }
        return tensor
    }

    /// The F32 tensor `name` as a matrix (a 1-D tensor is one row).
    func matrix(_ name: String, path: String) throws -> Matrix {
        let tensor = try tensor(name, dtype: .f32, path: path)
        switch tensor.shape.count {
        case 2: return Matrix(rows: tensor.shape[0], columns: tensor.shape[1], storage: tensor.floatElements())
        case 1: return Matrix(rows: 1, columns: tensor.shape[0], storage: tensor.floatElements())
        default: throw CheckpointError.shapeMismatch(file: path, tensor: name, expected: [-1, -1], found: tensor.shape)
        }
    }

    /// The one-dimensional tensor `name` of `dtype` with `count` elements (nil: any count).
    func vector(_ name: String, dtype: SafeTensors.DType, count: Int?, path: String) throws -> SafeTensors.Tensor {
        let tensor = try tensor(name, dtype: dtype, path: path)
        guard tensor.shape.count == 1, count.map({ $0 == tensor.shape[0] }) ?? true else {
            throw CheckpointError.shapeMismatch(file: path, tensor: name, expected: [count ?? -1], found: tensor.shape)
        }
        return tensor
    }
}
