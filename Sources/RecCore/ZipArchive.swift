/// One file inside a zip archive, as its central directory records it.
public struct ZipEntry: Sendable, Equatable {
    /// The path inside the archive (`ml-1m/ratings.dat`).
    public let name: String
    /// 0 stored, 8 deflated (the only two read).
    public let method: UInt16
    /// General-purpose flags (bit 0 encrypted, bit 3 sizes in a data descriptor after the data).
    public let flags: UInt16
    /// CRC-32 of the uncompressed bytes.
    public let checksum: UInt32
    /// Bytes of the entry's data in the archive.
    public let compressedSize: Int
    /// Bytes once inflated.
    public let uncompressedSize: Int
    /// Where the entry's local header starts.
    public let localHeaderOffset: Int
}

/// A zip archive read through its central directory (no unpacking tools, nothing written to disk).
/// Every number read from the archive is range-checked against the file before it sizes or
/// positions a read; a bad one is `DataError.corruptArchive` naming the file, the byte offset and
/// the value. Zip64 (archives over 4 GiB or 65,535 entries), encryption and multi-disk archives are
/// refused with a message saying so; GroupLens's archives need none of them.
public struct ZipArchive {
    /// The archive's path (shown in errors).
    public let path: String
    /// The entries, in central-directory order.
    public let entries: [ZipEntry]
    /// Where the central directory starts: every entry's data must end before it.
    let centralDirectoryOffset: Int
    let file: FileReader

    static let endRecordSignature: UInt32 = 0x0605_4B50
    static let centralSignature: UInt32 = 0x0201_4B50
    static let localSignature: UInt32 = 0x0403_4B50
    static let endRecordBytes = 22, centralBytes = 46, localBytes = 30

    /// Opens `path` and reads its central directory.
    public init(path: String) throws {
        self.path = path
        file = try FileReader(path: path)
        guard let size = file.size else { throw DataError.cannotOpen(file: path, reason: "cannot read its size") }
        func corrupt(_ offset: Int, _ reason: String) -> DataError { .corruptArchive(file: path, offset: offset, reason: reason) }
        guard size >= Self.endRecordBytes else {
            throw corrupt(0, "\(size) bytes, shorter than the \(Self.endRecordBytes)-byte end-of-central-directory record")
        }
        // The end record sits in the last 22 + 65,535 (longest comment) bytes.
        let tailStart = size - min(size, Self.endRecordBytes + 0xFFFF)
        let tail = try Self.bytes(of: file, at: tailStart, count: size - tailStart, path: path)
        var found: Int?
        var position = tail.count - Self.endRecordBytes
        while position >= 0 {
            if tail.uint32(at: position) == Self.endRecordSignature,
               position + Self.endRecordBytes + Int(tail.uint16(at: position + 20)) <= tail.count {
                found = position
                break
            }
            position -= 1
        }
        guard let end = found else {
            throw corrupt(tailStart, "no end-of-central-directory record in the last \(tail.count) bytes (not a zip archive, or truncated)")
        }
        let endOffset = tailStart + end
        let disk = tail.uint16(at: end + 4), directoryDisk = tail.uint16(at: end + 6)
        let count = Int(tail.uint16(at: end + 10))
        let directorySize = Int(tail.uint32(at: end + 12)), directoryOffset = Int(tail.uint32(at: end + 16))
        guard disk == 0 && directoryDisk == 0 else {
            throw corrupt(endOffset, "disk number \(disk)/\(directoryDisk): multi-disk archives are not supported")
        }
        guard count != 0xFFFF && directoryOffset != 0xFFFF_FFFF && directorySize != 0xFFFF_FFFF else {
            throw corrupt(endOffset, "zip64 archive (over 4 GiB or 65,535 entries), not supported")
        }
        guard directoryOffset + directorySize <= endOffset else {
            throw corrupt(endOffset, "central directory of \(directorySize) bytes at byte \(directoryOffset) runs past the end record at byte \(endOffset)")
        }
        guard count * Self.centralBytes <= directorySize else {
            throw corrupt(endOffset, "\(count) entries cannot fit in a central directory of \(directorySize) bytes")
        }
        let directory = try Self.bytes(of: file, at: directoryOffset, count: directorySize, path: path)
        var entries: [ZipEntry] = []
        entries.reserveCapacity(count)
        var cursor = 0
        for index in 0..<count {
            let at = directoryOffset + cursor
            guard cursor + Self.centralBytes <= directory.count else {
                throw corrupt(at, "entry \(index + 1) of \(count) runs past the central directory")
            }
            guard directory.uint32(at: cursor) == Self.centralSignature else {
                throw corrupt(at, "entry \(index + 1) of \(count): signature 0x\(String(directory.uint32(at: cursor), radix: 16)), expected 0x2014b50")
            }
            let nameLength = Int(directory.uint16(at: cursor + 28)), extraLength = Int(directory.uint16(at: cursor + 30))
            let commentLength = Int(directory.uint16(at: cursor + 32))
            let recordEnd = cursor + Self.centralBytes + nameLength + extraLength + commentLength
            guard recordEnd <= directory.count else {
                throw corrupt(at, "entry \(index + 1): name, extra and comment (\(nameLength) + \(extraLength) + \(commentLength) bytes) run past the central directory")
            }
            let compressed = Int(directory.uint32(at: cursor + 20)), uncompressed = Int(directory.uint32(at: cursor + 24))
            let local = Int(directory.uint32(at: cursor + 42))
            let name = String(decoding: directory[(cursor + Self.centralBytes)..<(cursor + Self.centralBytes + nameLength)], as: UTF8.self)
            guard compressed != 0xFFFF_FFFF && uncompressed != 0xFFFF_FFFF && local != 0xFFFF_FFFF else {
                throw corrupt(at, "entry \"\(name)\" uses zip64 sizes (over 4 GiB), not supported")
            }
            guard local + Self.localBytes + compressed <= directoryOffset else {
                throw corrupt(at, "entry \"\(name)\": local header at byte \(local) with \(compressed) data bytes runs past the central directory at byte \(directoryOffset)")
            }
            entries.append(ZipEntry(name: name, method: directory.uint16(at: cursor + 10), flags: directory.uint16(at: cursor + 8),
                                    checksum: directory.uint32(at: cursor + 16), compressedSize: compressed,
                                    uncompressedSize: uncompressed, localHeaderOffset: local))
            cursor = recordEnd
        }
        self.entries = entries
        centralDirectoryOffset = directoryOffset
    }

    /// The entry called `name`, or nil.
    public func entry(named name: String) -> ZipEntry? { entries.first { $0.name == name } }

    /// How errors and logs name an entry of this archive: `archive.zip:folder/file`.
    public func label(of entry: ZipEntry) -> String { "\(path):\(entry.name)" }

    /// The whole of a small entry (a README), checked against its size and CRC-32 like any entry;
    /// an entry recorded as larger than `limit` bytes is `corruptArchive` saying so, before a byte is read.
    public func contents(of entry: ZipEntry, limit: Int = 1 << 20) throws -> [UInt8] {
        guard entry.uncompressedSize <= limit else {
            throw DataError.corruptArchive(file: path, offset: entry.localHeaderOffset,
                                           reason: "entry \"\(entry.name)\": \(entry.uncompressedSize) bytes, over the \(limit)-byte limit for a text entry")
        }
        let stream = try reader(for: entry)
        var bytes = [UInt8](repeating: 0, count: entry.uncompressedSize + 1)
        var filled = 0
        try bytes.withUnsafeMutableBytes { buffer in
            while true {
                // The reader stops past the recorded size and checks size and CRC-32 when it returns 0.
                let count = try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                if count == 0 { break }
                filled += count
            }
        }
        return Array(bytes[0..<filled])
    }

    /// A stream of `entry`'s uncompressed bytes, checked against its size and CRC-32 at the end.
    func reader(for entry: ZipEntry) throws -> ZipEntryReader {
        func corrupt(_ reason: String) -> DataError {
            .corruptArchive(file: path, offset: entry.localHeaderOffset, reason: "entry \"\(entry.name)\": \(reason)")
        }
        let header = try Self.bytes(of: file, at: entry.localHeaderOffset, count: Self.localBytes, path: path)
        guard header.uint32(at: 0) == Self.localSignature else {
            throw corrupt("local header signature 0x\(String(header.uint32(at: 0), radix: 16)), expected 0x4034b50")
        }
        let dataStart = entry.localHeaderOffset + Self.localBytes + Int(header.uint16(at: 26)) + Int(header.uint16(at: 28))
        guard dataStart + entry.compressedSize <= centralDirectoryOffset else {
            throw corrupt("\(entry.compressedSize) data bytes from byte \(dataStart) run past the central directory at byte \(centralDirectoryOffset)")
        }
        guard entry.flags & 1 == 0 else { throw corrupt("encrypted entries are not supported") }
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw corrupt("stored entry with \(entry.compressedSize) compressed but \(entry.uncompressedSize) uncompressed bytes")
            }
        case 8: break
        default: throw corrupt("compression method \(entry.method) (only 0, stored, and 8, deflated, are read)")
        }
        return try ZipEntryReader(archive: self, entry: entry, dataStart: dataStart)
    }

    /// `count` bytes at `offset`, or `corruptArchive` when the file ends first.
    static func bytes(of file: FileReader, at offset: Int, count: Int, path: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        try bytes.withUnsafeMutableBytes { buffer in
            while filled < count {
                let read = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]), at: offset + filled)
                if read == 0 { break }
                filled += read
            }
        }
        guard filled == count else {
            throw DataError.corruptArchive(file: path, offset: offset + filled, reason: "file ends \(count - filled) bytes before the \(count)-byte record")
        }
        return bytes
    }
}

extension [UInt8] {
    /// The little-endian 16-bit number at `offset` (callers check the bounds).
    func uint16(at offset: Int) -> UInt16 { UInt16(self[offset]) | UInt16(self[offset + 1]) << 8 }
    /// The little-endian 32-bit number at `offset` (callers check the bounds).
    func uint32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2]) << 16 | UInt32(self[offset + 3]) << 24
    }
}
