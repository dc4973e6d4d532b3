import CSparseKernels
import TensorCore

/// How the CSR products run: the AVX-512 loops of `CSparseKernels` or the portable Swift loops.
/// Both give identical bits (a product then a sum per element, in the same order); the vector
/// path only does more elements at once and keeps the rows being gathered in cache.
public enum SparseProductPath: Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// `CSparseKernels` (AVX-512F, chosen by CPUID at run time).
    case vector
    /// The Swift loops (eight lanes), on every CPU.
    case portable

    public var description: String { self == .vector ? "AVX-512 sparse kernels" : "portable sparse kernels" }

    /// Whether this CPU and operating system run the AVX-512 loops (CPUID and XGETBV, once).
    public static let cpuSupportsVector: Bool = zoo_sparse_avx512_supported() != 0

    /// The path the products take: `.vector` where it runs, else `.portable`.
    public static var fastest: SparseProductPath { cpuSupportsVector ? .vector : .portable }

    /// Every path that can run here (tests run each).
    public static var available: [SparseProductPath] { cpuSupportsVector ? [.vector, .portable] : [.portable] }
}

extension Kernels {
    /// Columns of a packed block of a gathered operand with `rows` rows: the widest multiple of 16
    /// (at most `ZOO_SPARSE_MAX_BLOCK`, at least 16) whose `rows × width` floats fit `cacheBlockBytes`.
    /// E.g. ML-1M: [6040, 500] → 64, [3706, 500] → 96.
    static func packedBlockWidth(rows: Int) -> Int {
        let fitting = cacheBlockBytes / (MemoryLayout<Float>.stride * max(1, rows)) / 16 * 16
        return min(Int(ZOO_SPARSE_MAX_BLOCK), max(16, fitting))
    }

    /// Entries per row of D from which `sparseDenseProduct`'s vector path packs D.
    static let gatherPackingEntriesPerRow = 16.0
    /// Entries per row of G from which `sparseTransposeDenseProduct`'s vector path packs G.
    static let scatterPackingEntriesPerRow = 4.0

    /// Whether a CSR product with `entries` stored entries gathering from (or scattering into) a
    /// dense operand of `rows` × `columns` should copy that operand a column block at a time into a
    /// contiguous buffer first: when the operand is larger than the cache block (so its rows, a
    /// power-of-two-ish stride apart, would miss and conflict in L2) and each of its rows is touched
    /// often enough (`minimumEntriesPerRow`) to repay the copy. (For the scatter of Sᵀ·D, ¼ entry
    /// per row was too low: Mult-VAE's first layer, 35 k clicks into G [20108, 600], then copied 48 MB
    /// twice per call and took 1.77× the portable loop; at 4 it runs unpacked at 0.33×, and AutoRec's
    /// ≥ 10 per row still pack. `Benchmarks kernels --sparse-only`.)
    static func packsOperand(entries: Int, rows: Int, columns: Int, minimumEntriesPerRow: Double) -> Bool {
        rows * columns * MemoryLayout<Float>.stride > cacheBlockBytes
            && Double(entries) >= minimumEntriesPerRow * Double(rows)
    }

    /// Y = S·D on the vector path into a zero Y [s.rows, d.columns]. With many entries per row of D
    /// (I-AutoRec on ML-1M: 149), D is copied one column block at a time into an L2-sized buffer and
    /// each row's block of sums is kept in registers (`zoo_csr_dense_block`); otherwise each entry's
    /// D row is gathered whole, the row two entries ahead prefetched (`zoo_csr_dense_rows`).
    static func vectorSparseDenseProduct(_ s: SparseMatrix, _ d: Matrix, into y: inout Matrix) {
        let h = d.columns, rows = s.rows, dRows = d.rows
        let averagePerRow = max(1, s.nonZeroCount / max(1, rows))
        let minimumRows = max(1, 16_384 / (averagePerRow * h))
        let packs = packsOperand(entries: s.nonZeroCount, rows: dRows, columns: h, minimumEntriesPerRow: gatherPackingEntriesPerRow)
        withCSR(s) { rp, ip, vp in
            d.withUnsafeBufferPointer { dBuffer in
                y.withUnsafeMutableBufferPointer { yBuffer in
                    guard let db = dBuffer.baseAddress, let yb = yBuffer.baseAddress else { return }
                    let dp = SharedPointer(db), yp = SharedMutablePointer(yb)
                    guard packs else {
                        parallelRanges(rows, minimumPerChunk: minimumRows) { range in
                            zoo_csr_dense_rows(rp.base, ip.base, vp.base, range.lowerBound, range.upperBound,
                                               dp.base, h, h, yp.base, h, 2)
                        }
                        return
                    }
                    let width = min(h, packedBlockWidth(rows: dRows))
                    let buffer = UnsafeMutablePointer<Float>.allocate(capacity: dRows * width)
                    defer { buffer.deallocate() }
                    let packed = SharedMutablePointer(buffer)
                    var first = 0
                    while first < h {
                        let w = min(width, h - first), offset = first
                        parallelRanges(dRows, minimumPerChunk: 1_024) { range in
                            for c in range { (packed.base + c * w).update(from: dp.base + c * h + offset, count: w) }
                        }
                        parallelRanges(rows, minimumPerChunk: minimumRows) { range in
                            zoo_csr_dense_block(rp.base, ip.base, vp.base, range.lowerBound, range.upperBound,
                                                packed.base, w, w, yp.base + offset, h)
                        }
                        first += w
                    }
                }
            }
        }
    }

    /// G[:, start..<end] += α·Sᵀ·D[:, start..<end] on the vector path, one thread's column range:
    /// blocks of at most `ZOO_SPARSE_MAX_BLOCK` columns whose D row is held in registers while the G
    /// rows it updates stream by; a G too large for L2 and updated often enough is copied a block at a
    /// time into a contiguous buffer first and back after.
    static func vectorSparseTransposeDenseProduct(rowPointers rp: UnsafePointer<Int>, columns ip: UnsafePointer<Int32>,
                                                  values vp: UnsafePointer<Float>, rows: Int, entries: Int, alpha: Float,
                                                  d: UnsafePointer<Float>, g: UnsafeMutablePointer<Float>,
                                                  gRows: Int, h: Int, columns range: Range<Int>) {
        let packs = packsOperand(entries: entries, rows: gRows, columns: h, minimumEntriesPerRow: scatterPackingEntriesPerRow)
        let width = min(range.count, packs ? packedBlockWidth(rows: gRows) : Int(ZOO_SPARSE_MAX_BLOCK))
        guard width > 0 else { return }
        let buffer: UnsafeMutablePointer<Float>? = packs ? .allocate(capacity: gRows * width) : nil
        defer { buffer?.deallocate() }
        var first = range.lowerBound
        while first < range.upperBound {
            let w = min(width, range.upperBound - first)
            if let buffer {
                for c in 0..<gRows { (buffer + c * w).update(from: g + c * h + first, count: w) }
                zoo_csr_transpose_dense_block(rp, ip, vp, rows, alpha, d + first, h, w, buffer, w)
                for c in 0..<gRows { (g + c * h + first).update(from: buffer + c * w, count: w) }
            } else {
                zoo_csr_transpose_dense_block(rp, ip, vp, rows, alpha, d + first, h, w, g + first, h)
            }
            first += w
        }
    }

    /// `sampledProduct` on the vector path: rows split across threads, each entry's right row
    /// prefetched two entries ahead.
    static func vectorSampledProduct(rowPointers rp: SharedPointer<Int>, columns ip: SharedPointer<Int32>, rows: Int,
                                     left: SharedPointer<Float>, right: SharedPointer<Float>, h: Int,
                                     output: SharedMutablePointer<Float>) {
        parallelRanges(rows) { range in
            zoo_sampled_dot_rows(rp.base, ip.base, range.lowerBound, range.upperBound, left.base, right.base, h, output.base, 2)
        }
    }
}
