/// One entry of a zip archive as a stream of its uncompressed bytes: stored entries are copied,
/// deflated ones inflated as raw deflate (zlib's `inflateInit2_` with windowBits −15, no header).
/// The sizes come from the central directory, so entries written with a data descriptor (flag
/// bit 3, zeros in the local header) read the same. At the end the byte count and the CRC-32 must
/// match the directory's; more bytes than recorded stop the read at once (no zip bomb fills memory).
final class ZipEntryReader: ByteReader {
    private let archive: ZipArchive
    private let entry: ZipEntry
    private let inflater: InflateStream
    private var position: Int            // next compressed byte to read
    private let end: Int                 // one past the entry's compressed bytes
    private var produced = 0             // uncompressed bytes handed out
    private var checksum: UInt = 0
    private var finished = false
    private var streamEnded = false

    init(archive: ZipArchive, entry: ZipEntry, dataStart: Int) throws {
        (self.archive, self.entry, position, end) = (archive, entry, dataStart, dataStart + entry.compressedSize)
        do {
            // A stored entry only uses the input buffer and the CRC; windowBits −15: raw deflate.
            inflater = try InflateStream(windowBits: -15)
        } catch let failure as InflateStream.Failure {
            throw DataError.corruptArchive(file: archive.path, offset: dataStart, reason: "entry \"\(entry.name)\": \(failure.reason)")
        }
    }

    private func corrupt(_ reason: String) -> DataError {
        .corruptArchive(file: archive.path, offset: position, reason: "entry \"\(entry.name)\": \(reason)")
    }

    /// Reads the next block of compressed bytes into the inflater's input; returns how many (0 at the entry's end).
    private func readCompressed(limit: Int) throws -> Int {
        let wanted = min(limit, end - position)
        guard wanted > 0 else { return 0 }
        let count = try archive.file.read(into: UnsafeMutableRawBufferPointer(rebasing: inflater.input[0..<wanted]), at: position)
        guard count > 0 else { throw corrupt("the archive ends inside the entry's data (truncated)") }
        position += count
        return count
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let outBase = buffer.baseAddress, buffer.count > 0, !finished else { return 0 }
        let capacity = min(buffer.count, Int(UInt32.max), inflater.input.count)
        var count: Int
        if entry.method == 0 {
            count = try readCompressed(limit: capacity)
            if count > 0, let source = inflater.input.baseAddress { outBase.copyMemory(from: source, byteCount: count) }
        } else {
            count = try inflate(into: outBase, capacity: capacity)
        }
        if count > 0 {
            produced += count
            guard produced <= entry.uncompressedSize else {
                throw corrupt("inflates past its recorded size of \(entry.uncompressedSize) bytes")
            }
            checksum = inflater.zlib.crc32(checksum, outBase.assumingMemoryBound(to: UInt8.self), UInt32(count))
            return count
        }
        finished = true
        guard produced == entry.uncompressedSize else {
            throw corrupt("\(produced) bytes read, the directory records \(entry.uncompressedSize)")
        }
        guard UInt32(truncatingIfNeeded: checksum) == entry.checksum else {
            throw corrupt("CRC-32 0x\(String(UInt32(truncatingIfNeeded: checksum), radix: 16)) of the data, the directory records 0x\(String(entry.checksum, radix: 16))")
        }
        return 0
    }

    /// Inflates up to `capacity` bytes into `output`; 0 once the deflate stream has ended.
    private func inflate(into output: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        if streamEnded { return 0 }
        inflater.setOutput(output, capacity: capacity)
        while true {
            if inflater.availableInput == 0 {
                let count = try readCompressed(limit: inflater.input.count)
                if count > 0 { inflater.provideInput(count) }
            }
            do { streamEnded = try inflater.inflate() } catch let failure as InflateStream.Failure {
                throw corrupt("corrupt deflate data (\(failure.reason))")
            }
            let count = inflater.produced
            if streamEnded || count > 0 { return count }
            if position >= end && inflater.availableInput == 0 {
                throw corrupt("deflate stream ends early: its \(entry.compressedSize) compressed bytes hold no end marker")
            }
        }
    }
}
