import TensorCore

/// How one large product is divided into single-threaded BLAS calls, one per worker thread.
///
/// OpenBLAS's own threading splits a product between its threads and makes them wait on each
/// other at every packed panel (they share the packed pieces); on a 2-core VM that waiting showed
/// up as ≈ 6 % of the samples (`sched_yield`). Handing each thread an independent piece instead —
/// OpenBLAS set to one thread, the pieces run on `Kernels.parallelFor` — took 0.94–0.97 of the
/// time on the three decoder products of Mult-VAE at ML-20M's width (BENCHMARKS.md §1). The plan depends
/// only on the shape and the number of parts, never on timing, so results are reproducible for a
/// given thread count.
public enum GEMMPartition: Equatable, Sendable {
    /// One call (small products, or one part).
    case whole
    /// Pieces of M: each call computes a block of rows of C.
    case rows([Range<Int>])
    /// Pieces of N: each call computes a block of columns of C.
    case columns([Range<Int>])
    /// Pieces of K: the first call accumulates onto C, the others into scratch matrices that are
    /// then added to C in piece order. Used when M and N are small next to K (the input gradient
    /// dY·Wᵀ of a wide output layer): each thread then reads only its share of both operands.
    case depth([Range<Int>])

    /// Products below this many multiply-adds (m·n·k) run as one call: ≈ 10 µs of work, the order
    /// of handing a piece to another thread.
    public static let minimumMultiplyAdds = 1 << 21
    /// Piece boundaries are multiples of this (OpenBLAS's AVX-512 SGEMM works on 16-wide strips).
    public static let alignment = 16
    /// A depth split needs (parts − 1) scratch matrices of m·n floats; above this many it is not used.
    public static let maximumScratchEntries = 1 << 21

    /// The partition of an [m, k]·[k, n] product into at most `parts` pieces; never `.depth` when
    /// `allowsDepth` is false (the default under `Kernels.withSumsIndependentOfThreads`): each entry
    /// of C is then summed over K in one call, so its bits do not depend on `parts`.
    public static func plan(m: Int, n: Int, k: Int, parts: Int,
                            allowsDepth: Bool = !Kernels.sumsIndependentOfThreads) -> GEMMPartition {
        guard parts > 1, m > 0, n > 0, k > 0 else { return .whole }
        let (mn, overflowMN) = m.multipliedReportingOverflow(by: n)
        let (work, overflowWork) = mn.multipliedReportingOverflow(by: k)
        guard overflowMN || overflowWork || work >= minimumMultiplyAdds else { return .whole }
        if allowsDepth, k >= 4 * max(m, n), !overflowMN, mn <= maximumScratchEntries, let pieces = split(k, parts: parts) {
            return .depth(pieces)
        }
        if n >= m, let pieces = split(n, parts: parts) { return .columns(pieces) }
        if let pieces = split(m, parts: parts) { return .rows(pieces) }
        if let pieces = split(n, parts: parts) { return .columns(pieces) }
        return .whole
    }

    /// `0..<count` in at most `parts` contiguous pieces whose inner boundaries are multiples of
    /// `alignment`, as equal as that allows; nil when fewer than two pieces result.
    static func split(_ count: Int, parts: Int) -> [Range<Int>]? {
        let pieces = min(parts, count / alignment)
        guard pieces >= 2 else { return nil }
        let strips = (count + alignment - 1) / alignment
        var ranges: [Range<Int>] = []
        var start = 0
        for piece in 0..<pieces {
            let end = min(count, (strips * (piece + 1) / pieces) * alignment)
            if end > start { ranges.append(start..<end) }
            start = end
        }
        return ranges.count >= 2 ? ranges : nil
    }
}

extension Kernels {
    /// C = op(A)·op(B) as one `cblas_sgemm` call threaded by the library itself over
    /// `library.partitionParts` threads (β = 0): the unpartitioned side of an A/B measurement.
    public static func gemmUsingLibraryThreading(_ a: Matrix, _ b: Matrix, transposeA: Bool = false,
                                                 transposeB: Bool = false, into c: inout Matrix,
                                                 library: BLASLibrary) {
        let m = transposeA ? a.columns : a.rows, k = transposeA ? a.rows : a.columns
        let n = transposeB ? b.rows : b.columns
        precondition((transposeB ? b.columns : b.rows) == k && c.rows == m && c.columns == n,
                     "gemmUsingLibraryThreading: A \(a.shapeDescription), B \(b.shapeDescription), C \(c.shapeDescription)")
        a.withUnsafeBufferPointer { aBuffer in
            b.withUnsafeBufferPointer { bBuffer in
                c.withUnsafeMutableBufferPointer { cBuffer in
                    library.withLibraryThreading {
                        _ = library.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                                          a: aBuffer.baseAddress, lda: max(1, a.columns), b: bBuffer.baseAddress,
                                          ldb: max(1, b.columns), beta: 0, c: cBuffer.baseAddress, ldc: max(1, n))
                    }
                }
            }
        }
    }

    /// C = α·op(A)·op(B) + β·C as `partition`'s pieces, each one single-threaded `cblas_sgemm` on a
    /// worker thread (row-major operands, leading dimensions as for one call). Returns false, having
    /// done nothing, when a dimension does not fit the library's integer type.
    static func partitionedSgemm(library: BLASLibrary, partition: GEMMPartition,
                                 transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                                 a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                 beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) -> Bool {
        guard library.accepts(m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc) else { return false }
        let sharedA = SharedPointer(a), sharedB = SharedPointer(b)
        runPartitioned(partition, m: m, n: n, k: k, beta: beta, c: c, ldc: ldc) { rows, columns, depth, beta, target, ldt in
            let start = operandStarts(rows: rows, columns: columns, depth: depth, transposeA: transposeA, lda: lda,
                                      transposeB: transposeB, ldb: ldb)
            _ = library.sgemm(transposeA: transposeA, transposeB: transposeB, m: rows.count, n: columns.count,
                              k: depth.count, alpha: alpha, a: sharedA.base + start.a, lda: lda,
                              b: sharedB.base + start.b, ldb: ldb, beta: beta, c: target, ldc: ldt)
        }
        return true
    }

    /// Offsets of the first elements of op(A)[rows, depth] and op(B)[depth, columns] in row-major
    /// storage: op(A)[i, p] is a[i·lda + p], or a[p·lda + i] when A is stored transposed; likewise B.
    static func operandStarts(rows: Range<Int>, columns: Range<Int>, depth: Range<Int>, transposeA: Bool, lda: Int,
                              transposeB: Bool, ldb: Int) -> (a: Int, b: Int) {
        (transposeA ? depth.lowerBound * lda + rows.lowerBound : rows.lowerBound * lda + depth.lowerBound,
         transposeB ? columns.lowerBound * ldb + depth.lowerBound : depth.lowerBound * ldb + columns.lowerBound)
    }

    /// One piece of a partitioned product: rows of op(A) and C, columns of op(B) and C, depth, the β
    /// to apply, and where to write (C itself or a scratch matrix) with its leading dimension.
    typealias ProductPiece = @Sendable (_ rows: Range<Int>, _ columns: Range<Int>, _ depth: Range<Int>, _ beta: Float,
                                        _ target: UnsafeMutablePointer<Float>, _ ldt: Int) -> Void

    /// Runs `partition` of C[m, n] = α·op(A)·op(B) + β·C, each piece one single-threaded call of
    /// `piece` on a worker thread: the one place the row, column and depth splits are carried out, for
    /// every single-threaded product (OpenBLAS's `sgemm`, the bf16 kernel).
    static func runPartitioned(_ partition: GEMMPartition, m: Int, n: Int, k: Int, beta: Float,
                               c: UnsafeMutablePointer<Float>, ldc: Int, piece: ProductPiece) {
        let sharedC = SharedMutablePointer(c)
        switch partition {
        case .whole:
            piece(0..<m, 0..<n, 0..<k, beta, c, ldc)
        case .rows(let pieces):
            parallelFor(chunks: pieces.count) { index in
                let rows = pieces[index]
                piece(rows, 0..<n, 0..<k, beta, sharedC.base + rows.lowerBound * ldc, ldc)
            }
        case .columns(let pieces):
            parallelFor(chunks: pieces.count) { index in
                let columns = pieces[index]
                piece(0..<m, columns, 0..<k, beta, sharedC.base + columns.lowerBound, ldc)
            }
        case .depth(let pieces):
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: (pieces.count - 1) * m * n)
            defer { scratch.deallocate() }
            let sharedScratch = SharedMutablePointer(scratch)
            parallelFor(chunks: pieces.count) { index in
                if index == 0 {
                    piece(0..<m, 0..<n, pieces[0], beta, sharedC.base, ldc)
                } else {
                    piece(0..<m, 0..<n, pieces[index], 0, sharedScratch.base + (index - 1) * m * n, n)
                }
            }
            addScratchProducts(scratch, count: pieces.count - 1, rows: m, columns: n, into: c, ldc: ldc)
        }
    }

    /// C[i, j] += Σ_s scratch_s[i, j] for `count` dense [rows, columns] matrices stored one after
    /// another, added in order s = 0, 1, … (rows shared out between the threads).
    static func addScratchProducts(_ scratch: UnsafeMutablePointer<Float>, count: Int, rows: Int, columns: Int,
                                   into c: UnsafeMutablePointer<Float>, ldc: Int) {
        let sharedScratch = SharedPointer(UnsafePointer(scratch)), sharedC = SharedMutablePointer(c)
        parallelRanges(rows, minimumPerChunk: max(1, 16_384 / max(1, columns))) { range in
            for row in range {
                let target = sharedC.base + row * ldc
                for s in 0..<count {                                    // += 1·x: the same bits as +=
                    scaledAdd(1, sharedScratch.base + (s * rows + row) * columns, into: target, count: columns)
                }
            }
        }
    }
}
