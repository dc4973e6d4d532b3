import Foundation

/// MD5 (RFC 1321), streaming like `SHA256`, to check downloaded archives against the digest
/// GroupLens publishes beside each one (`https://files.grouplens.org/datasets/movielens/NAME.zip.md5`).
/// MD5 is no defence against a forged file, only against a broken or wrong one; where a SHA-256 is
/// recorded it is checked as well. Written here for the same reason as `SHA256`: Linux Foundation
/// has no CryptoKit and the package links nothing.
public struct MD5: Sendable, BlockDigest {
    static let lengthIsBigEndian = false
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476)
    var pending: [UInt8] = []
    var length: UInt64 = 0

    /// T[i] = floor(2^32 · |sin(i + 1)|) (RFC 1321 §3.4), written out.
    private static let sines: [UInt32] = [
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
        0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
        0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
        0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
        0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
        0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
        0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
    ]
    /// The left rotations of each round's four steps (RFC 1321 §3.4).
    private static let shifts: [UInt32] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]

    /// An empty digest.
    public init() {}

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { absorb(bytes) }

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// The digest as 32 lower-case hex digits (the bytes of A, B, C, D, each low byte first).
    public func hexDigest() -> String {
        let copy = padded()
        let words = [copy.state.0, copy.state.1, copy.state.2, copy.state.3]
        return words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * UInt32($0))) } }
            .map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }

    /// The digest of the file at `path`, read in 1 MiB blocks.
    public static func hexDigest(ofFile path: String) throws -> String {
        var digest = MD5()
        _ = try forEachBlock(ofFile: path) { digest.update($0) }
        return digest.hexDigest()
    }

    mutating func compress(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        var words = [UInt32](repeating: 0, count: 16)
        for index in 0..<16 {
            let base = offset + 4 * index
            words[index] = UInt32(bytes[base]) | UInt32(bytes[base + 1]) << 8 | UInt32(bytes[base + 2]) << 16 | UInt32(bytes[base + 3]) << 24
        }
        func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 { value << count | value >> (32 - count) }
        var (a, b, c, d) = state
        for step in 0..<64 {
            let mixed: UInt32, word: Int
            switch step / 16 {
            case 0: (mixed, word) = ((b & c) | (~b & d), step)                       // F
            case 1: (mixed, word) = ((b & d) | (c & ~d), (5 * step + 1) % 16)        // G
            case 2: (mixed, word) = (b ^ c ^ d, (3 * step + 5) % 16)                 // H
            default: (mixed, word) = (c ^ (b | ~d), (7 * step) % 16)                 // I
            }
            let shift = Self.shifts[(step / 16) * 4 + step % 4]
            let rotated = b &+ rotate(a &+ mixed &+ Self.sines[step] &+ words[word], shift)
            (a, b, c, d) = (d, rotated, b, c)
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}

/// The size, MD5 and SHA-256 of one file, from one read in 1 MiB blocks (a GroupLens archive is
/// read once whatever is recorded for it).
public struct FileDigests: Sendable, Equatable {
    /// Bytes read.
    public var size: Int
    /// 32 lower-case hex digits.
    public var md5: String
    /// 64 lower-case hex digits.
    public var sha256: String

    /// Reads `path` once; `cannotRead` when it cannot be opened or read.
    public init(ofFile path: String) throws {
        var md5 = MD5(), sha256 = SHA256()
        size = try forEachBlock(ofFile: path) { md5.update($0); sha256.update($0) }
        (self.md5, self.sha256) = (md5.hexDigest(), sha256.hexDigest())
    }
}
