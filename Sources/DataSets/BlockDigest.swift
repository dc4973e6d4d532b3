import Foundation

/// What MD5 (RFC 1321) and SHA-256 (FIPS 180-4) share: the message is cut into 64-byte blocks,
/// each compressed into the state; a partial block waits in `pending`; the end is padded with a 1
/// bit, zeros to 56 mod 64 bytes, then the message's length in bits in 8 bytes (MD5 low byte first,
/// SHA-256 high byte first). Each digest supplies its state, its compression and its byte order.
protocol BlockDigest {
    /// Bytes of a block not yet complete (fewer than 64).
    var pending: [UInt8] { get set }
    /// Bytes given so far.
    var length: UInt64 { get set }
    /// Whether the padding writes the bit length high byte first.
    static var lengthIsBigEndian: Bool { get }
    /// Compresses the 64 bytes of `bytes` from `offset` into the state.
    mutating func compress(_ bytes: UnsafeRawBufferPointer, at offset: Int)
}

extension BlockDigest {
    /// Adds `bytes` to the message: whole blocks compressed as they come, the rest kept.
    mutating func absorb(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var index = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, bytes.count)
            pending.append(contentsOf: bytes[0..<take])
            index = take
            if pending.count == 64 {
                let block = pending
                block.withUnsafeBytes { compress($0, at: 0) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        while index + 64 <= bytes.count {
            compress(bytes, at: index)
            index += 64
        }
        if index < bytes.count { pending.append(contentsOf: bytes[index...]) }
    }

    /// A copy with the padding added, whose state is the digest (this one can go on absorbing).
    func padded() -> Self {
        var copy = self
        let bitLength = length &* 8
        var tail: [UInt8] = [0x80] + [UInt8](repeating: 0, count: (55 &- Int(length % 64) + 64) % 64)
        let shifts = Self.lengthIsBigEndian ? Array(stride(from: 56, through: 0, by: -8)) : Array(stride(from: 0, through: 56, by: 8))
        for shift in shifts { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        tail.withUnsafeBytes { copy.absorb($0) }
        return copy
    }
}

/// Reads the file at `path` in 1 MiB blocks, handing each to `body`, and returns the bytes read:
/// the one read loop of the digests (`MD5`, `SHA256`, `FileDigests`); `cannotRead` names the file
/// when it cannot be opened or a read fails.
func forEachBlock(ofFile path: String, _ body: (UnsafeRawBufferPointer) -> Void) throws -> Int {
    guard let handle = FileHandle(forReadingAtPath: path) else {
        throw DataSetError.cannotRead(path: path, reason: "cannot open")
    }
    defer { try? handle.close() }
    var size = 0
    while true {
        let block: Data
        do { block = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
            throw DataSetError.cannotRead(path: path, reason: "read failed after \(size) bytes (\(error.localizedDescription))")
        }
        if block.isEmpty { return size }
        size += block.count
        block.withUnsafeBytes { body($0) }
    }
}
