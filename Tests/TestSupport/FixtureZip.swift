/// Zip archives built in memory for tests (stored entries, no compression), in GroupLens's layout
/// when given its names: `FixtureZip.archive(["ml-1m/ratings.dat": text, ...])`. Synthetic
/// contents only: MovieLens itself must never be copied into the repository.
public enum FixtureZip {
    /// A zip archive holding `entries` (name → contents) in name order, stored.
    public static func archive(_ entries: [String: String]) -> [UInt8] {
        var output: [UInt8] = [], directory: [UInt8] = []
        let names = entries.keys.sorted()
        for name in names {
            let data = Array((entries[name] ?? "").utf8), nameBytes = Array(name.utf8)
            let offset = UInt32(output.count), checksum = crc32(data)
            output += le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
            output += le32(checksum) + le32(UInt32(data.count)) + le32(UInt32(data.count))
            output += le16(UInt16(nameBytes.count)) + le16(0) + nameBytes + data
            directory += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
            directory += le32(checksum) + le32(UInt32(data.count)) + le32(UInt32(data.count))
            directory += le16(UInt16(nameBytes.count)) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(offset)
            directory += nameBytes
        }
        let directoryOffset = UInt32(output.count)
        output += directory
        output += le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(names.count)) + le16(UInt16(names.count))
        output += le32(UInt32(directory.count)) + le32(directoryOffset) + le16(0)
        return output
    }

    /// CRC-32 (IEEE, as zip and gzip use it).
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    private static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    private static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
}
