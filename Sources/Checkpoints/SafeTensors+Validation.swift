import Foundation

extension SafeTensors.File {
    /// Throws `CheckpointError.nonFiniteValue` naming the first tensor (in name order) of dtype F32
    /// or F64 that holds a NaN or an infinity, and the element's position. A model restored from
    /// such weights would score NaN, and NaN-scored items would lead every list.
    func requireFiniteFloats(path: String) throws {
        for name in tensors.keys.sorted() {
            guard let tensor = tensors[name] else { continue }
            let found: (Int, String)?
            switch tensor.dtype {
            case .f32: found = Self.firstNonFinite(tensor.bytes, as: UInt32.self, exponent: 0x7F80_0000) {
                    "\(Float(bitPattern: $0))"
                }
            case .f64: found = Self.firstNonFinite(tensor.bytes, as: UInt64.self, exponent: 0x7FF0_0000_0000_0000) {
                    "\(Double(bitPattern: $0))"
                }
            case .i32, .i64, .u8: found = nil
            }
            if let (index, value) = found {
                throw CheckpointError.nonFiniteValue(file: path, tensor: name, index: index, value: value)
            }
        }
    }

    /// The index and text of the first element whose exponent bits are all set (NaN or ±∞).
    private static func firstNonFinite<Word: FixedWidthInteger & UnsignedInteger>(
        _ bytes: Data, as: Word.Type, exponent: Word, describe: (Word) -> String) -> (Int, String)? {
        bytes.withUnsafeBytes { raw in
            let count = raw.count / MemoryLayout<Word>.size
            for index in 0..<count {
                let word = Word(littleEndian: raw.loadUnaligned(fromByteOffset: index * MemoryLayout<Word>.size, as: Word.self))
                if word & exponent == exponent { return (index, describe(word)) }
            }
            return nil
        }
    }
}
