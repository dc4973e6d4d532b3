import Foundation
import Testing
@testable import RecCore

/// Broken archives give `DataError.corruptArchive` (or `cannotOpen`) naming the file, the byte
/// offset and the bad value: bad offsets, bad sizes, truncation, flipped data. Never a crash.
@Suite struct MalformedZipTests {
    /// A deflated archive with data descriptors, as bytes, plus where its records sit.
    static func goodArchive(_ folder: FixtureFolder) throws -> [UInt8] {
        let path = try ZipArchiveTests.pythonArchive(in: folder, deflated: true, streamed: true)
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func endRecord(_ bytes: [UInt8]) -> Int {
        var position = bytes.count - 22
        while position > 0 && bytes.uint32(at: position) != ZipArchive.endRecordSignature { position -= 1 }
        return position
    }

    static func centralRecord(of name: String, _ bytes: [UInt8]) -> Int {
        let end = endRecord(bytes)
        var cursor = Int(bytes.uint32(at: end + 16))
        while String(decoding: bytes[(cursor + 46)..<(cursor + 46 + Int(bytes.uint16(at: cursor + 28)))], as: UTF8.self) != name {
            cursor += 46 + Int(bytes.uint16(at: cursor + 28)) + Int(bytes.uint16(at: cursor + 30)) + Int(bytes.uint16(at: cursor + 32))
        }
        return cursor
    }

    static func put(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index))) }
    }

    /// Loads the ratings entry of `bytes` and returns the error's message, expecting a corrupt-archive error.
    static func failure(_ bytes: [UInt8], _ folder: FixtureFolder) -> String {
        let path = folder.write("broken.zip", bytes: bytes)
        do {
            _ = try Interactions.load(archivePath: path, entry: "ml-1m/ratings.dat", format: .movieLensDat)
            Issue.record("a broken archive loaded")
            return ""
        } catch let error as DataError {
            if case .corruptArchive(let file, _, _) = error { #expect(file == path) } else { Issue.record("unexpected \(error)") }
            return error.description
        } catch {
            Issue.record("not a DataError: \(error)")
            return ""
        }
    }

    @Test(.enabled(if: ZipArchiveTests.tool("python3") != nil, "python3 is absent"))
    func truncatedArchives() throws {
        let folder = FixtureFolder()
        let good = try Self.goodArchive(folder)
        for cut in [0, 10, 21, good.count / 2, good.count - 1] {
            let message = Self.failure(Array(good.prefix(cut)), folder)
            #expect(message.contains("corrupt zip archive"), "cut at \(cut): \(message)")
        }
    }

    @Test(.enabled(if: ZipArchiveTests.tool("python3") != nil, "python3 is absent"))
    func centralDirectoryOffsetPastTheEnd() throws {
        let folder = FixtureFolder()
        var bytes = try Self.goodArchive(folder)
        Self.put(0x7FFF_0000, at: Self.endRecord(bytes) + 16, in: &bytes)
        #expect(Self.failure(bytes, folder).contains("central directory of"))
    }

    @Test(.enabled(if: ZipArchiveTests.tool("python3") != nil, "python3 is absent"))
    func entrySizesAndOffsetsOutOfRange() throws {
        let folder = FixtureFolder()
        let good = try Self.goodArchive(folder)
        let record = Self.centralRecord(of: "ml-1m/ratings.dat", good)
        var hugeCompressed = good
        Self.put(0x7000_0000, at: record + 20, in: &hugeCompressed)
        #expect(Self.failure(hugeCompressed, folder).contains("1879048192 data bytes"))
        var badLocal = good
        Self.put(0x10_0000, at: record + 42, in: &badLocal)
        #expect(Self.failure(badLocal, folder).contains("local header at byte 1048576"))
        var smallUncompressed = good
        Self.put(100, at: record + 24, in: &smallUncompressed)
        #expect(Self.failure(smallUncompressed, folder).contains("inflates past its recorded size of 100 bytes"))
        var zip64 = good
        Self.put(0xFFFF_FFFF, at: record + 24, in: &zip64)
        #expect(Self.failure(zip64, folder).contains("zip64"))
        var wrongChecksum = good
        Self.put(0x1234_5678, at: record + 16, in: &wrongChecksum)
        #expect(Self.failure(wrongChecksum, folder).contains("the directory records 0x12345678"))
        var method = good
        method[record + 10] = 12
        #expect(Self.failure(method, folder).contains("compression method 12"))
    }

    @Test(.enabled(if: ZipArchiveTests.tool("python3") != nil, "python3 is absent"))
    func corruptDeflateData() throws {
        let folder = FixtureFolder()
        var bytes = try Self.goodArchive(folder)
        let record = Self.centralRecord(of: "ml-1m/ratings.dat", bytes)
        let local = Int(bytes.uint32(at: record + 42))
        let start = local + 30 + Int(bytes.uint16(at: local + 26)) + Int(bytes.uint16(at: local + 28))
        for offset in start..<(start + 40) { bytes[offset] = 0xFF }
        #expect(Self.failure(bytes, folder).contains("ml-1m/ratings.dat"))
    }

    @Test func notAnArchive() {
        let folder = FixtureFolder()
        let message = Self.failure(Array("1::2::3::4\n".utf8) + [UInt8](repeating: 0x41, count: 40), folder)
        #expect(message.contains("no end-of-central-directory record"))
        #expect(Self.failure([], folder).contains("0 bytes, shorter than"))
    }
}
