import Foundation
import Testing
@testable import TensorCore

/// `HugePages`: which part of a buffer may get 2 MiB pages, the switch, and (on Linux) that a large
/// matrix's storage really carries the advice while a small one's does not.
@Suite struct HugePagesTests {
    static let mib = 1 << 20

    @Test func theAlignedInteriorHoldsOnlyWholeTwoMiBPages() {
        // 48 MB starting 16 bytes past a page boundary (glibc's mmap'd chunks look like this).
        let start = UInt(7 * HugePages.pageBytes + 16)
        let interior = try! #require(HugePages.alignedInterior(start: start, bytes: 48 * Self.mib))
        #expect(interior.start == UInt(8 * HugePages.pageBytes))
        #expect(interior.length == 23 * HugePages.pageBytes)                  // 24 pages spanned, 23 whole
        #expect(interior.start % UInt(HugePages.pageBytes) == 0)
        #expect(interior.start + UInt(interior.length) <= start + UInt(48 * Self.mib))
        // An aligned start keeps every page.
        let aligned = try! #require(HugePages.alignedInterior(start: UInt(4 * HugePages.pageBytes), bytes: 8 * Self.mib))
        #expect(aligned.start == UInt(4 * HugePages.pageBytes) && aligned.length == 8 * Self.mib)
    }

    @Test func smallRegionsAreLeftAlone() {
        #expect(HugePages.alignedInterior(start: 0, bytes: HugePages.minimumBytes - 4) == nil)
        #expect(HugePages.alignedInterior(start: 0, bytes: HugePages.minimumBytes) != nil)
        // 4 MiB starting just past a page boundary still holds one whole page.
        let one = try! #require(HugePages.alignedInterior(start: 16, bytes: HugePages.minimumBytes))
        #expect(one.length == HugePages.pageBytes)
    }

    /// The kernel lists the advice as the `hg` flag of the mapping (`/proc/self/smaps`, VmFlags).
    @Test func aLargeMatrixIsAdvisedAndASmallOneIsNot() throws {
        guard HugePages.isEnabled, FileManager.default.fileExists(atPath: "/proc/self/smaps") else {
            print("HugePagesTests: skipped the smaps check (not Linux, or \(RuntimeOptions.Variable.hugePages)=0)")
            return
        }
        let large = Matrix(rows: 600, columns: 20_108)                          // 48 MB: the ML-20M decoder
        let filled = Matrix(rows: 2_000, columns: 1_000) { buffer in buffer.initialize(repeating: 1) }
        let small = Matrix(rows: 100, columns: 100)
        let largeFlags = try Self.vmFlags(containing: large)
        let filledFlags = try Self.vmFlags(containing: filled)
        let smallFlags = try Self.vmFlags(containing: small)
        #expect(largeFlags.contains("hg"), "flags of the 48 MB matrix's mapping: \(largeFlags)")
        #expect(filledFlags.contains("hg"), "flags of the 8 MB matrix's mapping: \(filledFlags)")
        #expect(!smallFlags.contains("hg"), "flags of the 40 KB matrix's mapping: \(smallFlags)")
    }

    /// The VmFlags of the mapping holding the middle of `matrix`'s storage.
    static func vmFlags(containing matrix: Matrix) throws -> Set<String> {
        let address = matrix.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress!) + UInt($0.count * 2) }
        // Read to the end: /proc files report size 0, and String(contentsOfFile:) stops after one block.
        let data = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/smaps")).readToEnd() ?? Data()
        let smaps = String(decoding: data, as: UTF8.self)
        var inside = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if let range = fields.first, range.contains("-"), fields.count >= 5, !range.hasSuffix(":") {
                let bounds = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
                inside = bounds.count == 2 && bounds[0] <= address && address < bounds[1]
            } else if inside, line.hasPrefix("VmFlags:") {
                return Set(fields.dropFirst().map(String.init))
            }
        }
        throw SmapsError.noMapping(address)
    }

    enum SmapsError: Error { case noMapping(UInt) }
}
