#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Transparent huge pages for the storage of large matrices (Linux; nothing elsewhere).
///
/// The Mult-VAE decoder's weight, its gradient, Adam's two moments and the [B, I] logit buffer are
/// 40–48 MB each on ML-20M. With 4 KiB pages each is ~11,000 pages, far beyond the TLB's reach,
/// for the GEMM panels that sweep them and for Adam, which streams four of them per step. Most
/// Linux distributions ship transparent huge pages in `madvise` mode, so a region gets 2 MiB pages
/// only when it asks. A new matrix of at least `minimumBytes` asks for its 2 MiB-aligned interior
/// before its first write (glibc serves such sizes with a fresh, untouched mapping, so the first
/// touch faults in huge pages). Measured on the ML-20M-shaped Mult-VAE epoch: BENCHMARKS.md §4.
///
/// `AUTOENCODERZOO_HUGE_PAGES=0` turns it off (for A/B measurements, or a machine where huge
/// pages cost more than they give); any other value, or none, leaves it on.
public enum HugePages {
    /// Matrices smaller than this (4 MiB, one million floats) are left alone: at most one 2 MiB
    /// page would fit inside them.
    public static let minimumBytes = 4 << 20
    /// The x86-64 and arm64 Linux huge-page size.
    public static let pageBytes = 2 << 20

    /// Whether matrices ask for huge pages in this process (`RuntimeOptions.hugePages`).
    public static var isEnabled: Bool { RuntimeOptions.current.hugePages }

    /// The largest range of whole 2 MiB pages inside [start, start + bytes), or nil when there is
    /// none or the region is below `minimumBytes`.
    static func alignedInterior(start: UInt, bytes: Int) -> (start: UInt, length: Int)? {
        guard bytes >= minimumBytes else { return nil }
        let page = UInt(pageBytes)
        let first = (start + page - 1) / page * page
        let end = (start + UInt(bytes)) / page * page
        guard end > first else { return nil }
        return (first, Int(end - first))
    }

    /// Advises the kernel to back the whole 2 MiB pages of a fresh, not yet written `buffer` with
    /// huge pages. Returns whether the advice was given (false when off, too small, or refused —
    /// a refusal only means ordinary pages, so it is not an error).
    @discardableResult
    public static func advise(_ buffer: UnsafeMutableBufferPointer<Float>) -> Bool {
        guard isEnabled, let base = buffer.baseAddress,
              let range = alignedInterior(start: UInt(bitPattern: base),
                                          bytes: buffer.count * MemoryLayout<Float>.stride) else { return false }
        #if os(Linux)
        return madvise(UnsafeMutableRawPointer(bitPattern: range.start), range.length, MADV_HUGEPAGE) == 0
        #else
        return false
        #endif
    }
}
