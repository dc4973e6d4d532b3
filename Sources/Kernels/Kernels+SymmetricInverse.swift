import TensorCore

/// Why a symmetric matrix could not be inverted: in Float it is not positive definite (a pivot
/// that is not positive, or a value that is not finite).
public struct NotPositiveDefinite: Error, Equatable, CustomStringConvertible {
    /// The matrix's size n (it is n × n).
    public let size: Int
    /// The row (from 0) whose pivot was not positive and finite; nil when the result held a NaN or ±∞.
    public let row: Int?
    /// Which method found it (`SymmetricInverseMethod.description`).
    public let method: String

    /// One line naming the size, the row and the method.
    public var description: String {
        let place = row.map { "its pivot at row \($0) is not positive" } ?? "its inverse is not finite"
        return "the \(size)×\(size) matrix is not positive definite in Float: \(place) (\(method))"
    }
}

/// How `invertSymmetricPositiveDefinite` inverted a matrix (for logs).
public enum SymmetricInverseMethod: String, Sendable, CustomStringConvertible {
    /// LAPACK's `spotrf_` (Cholesky) then `spotri_` (inverse from the factor), from the BLAS library.
    case lapack = "LAPACK spotrf/spotri"
    /// The built-in block Gauss–Jordan sweep (Cholesky of each pivot block in Double, GEMM updates).
    case builtin = "built-in block Gauss-Jordan with Cholesky pivot blocks"

    /// The method's name.
    public var description: String { rawValue }
}

extension Kernels {
    /// Rows and columns of each pivot block of the built-in inverse (the K of its GEMMs).
    public static let symmetricInverseBlockSize = 256

    /// From this size up the LAPACK inverse runs on the library's own threads (`withLibraryThreading`);
    /// below it, single-threaded, leaving the library's thread count alone: `withLibraryThreading`
    /// is not for use while other threads call the library, which the test suites do in parallel.
    public static let libraryThreadingRows = 2_048

    /// A ← A⁻¹ in place for a symmetric positive-definite A [n, n] (no n × n matrix is allocated;
    /// the built-in path holds three n × blockSize panels).
    ///
    /// With a BLAS backend whose library exports LAPACK (`BLASLibrary.hasSymmetricInverse`):
    /// `spotrf_` then `spotri_` on the upper triangle (LAPACK's column-major lower one), run on the
    /// library's own threads from `libraryThreadingRows` up, then the upper triangle is copied to
    /// the lower. Otherwise the built-in block Gauss–Jordan sweep: for each pivot block K,
    /// P = A_KK⁻¹ (Cholesky in Double; a pivot that is not positive throws), then A_ij −= A_iK·P·A_Kj
    /// by one GEMM on `backend`, A_Kj ← P·A_Kj, A_iK ← −A_iK·P, A_KK ← P. The pivot blocks are Schur
    /// complements of an SPD matrix, so no pivoting is needed; it does 2n³ flops (Cholesky +
    /// inverse: n³) but is one large GEMM per block.
    @discardableResult
    public static func invertSymmetricPositiveDefinite(_ a: inout Matrix, backend: KernelBackend = activeBackend,
                                                       blockSize: Int = symmetricInverseBlockSize)
        throws(NotPositiveDefinite) -> SymmetricInverseMethod {
        precondition(a.rows == a.columns, "invertSymmetricPositiveDefinite: \(a.shapeDescription) is not square")
        precondition(blockSize > 0, "invertSymmetricPositiveDefinite: block size \(blockSize)")
        let n = a.rows
        if case .blas(let library) = backend, let lapack = library.lapack,
           let info = n >= libraryThreadingRows ? library.withLibraryThreading({ invertWithLAPACK(lapack, &a) })
                                                : invertWithLAPACK(lapack, &a) {
            guard info == 0 else {
                precondition(info > 0, "spotrf/spotri: argument \(-info) was invalid (n = \(n))")
                throw NotPositiveDefinite(size: n, row: info - 1, method: SymmetricInverseMethod.lapack.description)
            }
            copyUpperTriangleToLower(&a)
            guard allFinite(a) else { throw NotPositiveDefinite(size: n, row: nil, method: SymmetricInverseMethod.lapack.description) }
            return .lapack
        }
        for start in stride(from: 0, to: n, by: blockSize) {
            try sweep(&a, pivots: start..<min(n, start + blockSize), backend: backend)
        }
        guard allFinite(a) else { throw NotPositiveDefinite(size: n, row: nil, method: SymmetricInverseMethod.builtin.description) }
        return .builtin
    }

    /// `spotrf_` then `spotri_` on `a`; LAPACK's `info` of the first that fails, 0 on success, nil
    /// when n does not fit the library's integers.
    private static func invertWithLAPACK(_ lapack: LAPACKRoutines, _ a: inout Matrix) -> Int? {
        let n = a.rows
        return a.withUnsafeMutableBufferPointer { buffer -> Int? in
            guard let base = buffer.baseAddress else { return 0 }
            guard let factored = lapack.call(lapack.factor, n: n, a: base) else { return nil }
            guard factored == 0 else { return factored }
            return lapack.call(lapack.invert, n: n, a: base)
        }
    }

    /// One Gauss–Jordan step on the pivot rows and columns `pivots` (see the function above).
    private static func sweep(_ a: inout Matrix, pivots: Range<Int>, backend: KernelBackend) throws(NotPositiveDefinite) {
        let n = a.rows, width = pivots.count
        let inverse = try pivotBlockInverse(a, pivots)                                  // P [kb, kb]
        var pivotRows = Matrix(rows: width, columns: n) { buffer in                    // A_K: [kb, n]
            a.withUnsafeBufferPointer { source in
                guard let from = source.baseAddress, let to = buffer.baseAddress else { return }
                to.update(from: from + pivots.lowerBound * n, count: width * n)
            }
        }
        var column = Matrix(rows: n, columns: width)                                   // A_:K with rows K zero
        a.withUnsafeMutableBufferPointer { buffer in
            column.withUnsafeMutableBufferPointer { columnBuffer in
                guard let base = buffer.baseAddress, let columnBase = columnBuffer.baseAddress else { return }
                let ap = SharedMutablePointer(base), cp = SharedMutablePointer(columnBase)
                parallelRanges(n, minimumPerChunk: 256) { rows in
                    for r in rows {
                        let from = ap.base + r * n + pivots.lowerBound
                        if !pivots.contains(r) { (cp.base + r * width).update(from: from, count: width) }
                        from.update(repeating: 0, count: width)                        // A_:K ← 0
                    }
                }
            }
        }
        var updatedRows = gemm(inverse, pivotRows, precision: .float32, backend: backend)                    // P·A_K: [kb, n]
        pivotRows = Matrix(rows: 0, columns: 0)
        updatedRows.withUnsafeMutableBufferPointer { buffer in
            inverse.withUnsafeBufferPointer { inverseBuffer in
                guard let base = buffer.baseAddress, let from = inverseBuffer.baseAddress else { return }
                for r in 0..<width { (base + r * n + pivots.lowerBound).update(from: from + r * width, count: width) }
            }
        }
        gemm(column, updatedRows, alpha: -1, accumulatingInto: &a, precision: .float32, backend: backend)     // A −= A_:K·(P·A_K)
        a.withUnsafeMutableBufferPointer { buffer in
            updatedRows.withUnsafeBufferPointer { source in
                guard let base = buffer.baseAddress, let from = source.baseAddress else { return }
                (base + pivots.lowerBound * n).update(from: from, count: width * n)    // A_K ← P·A_K, A_KK ← P
            }
        }
    }

    /// A_KK⁻¹ for the pivot block `pivots`, in Double: L·Lᵀ = A_KK, W = L⁻¹, A_KK⁻¹ = Wᵀ·W.
    static func pivotBlockInverse(_ a: Matrix, _ pivots: Range<Int>) throws(NotPositiveDefinite) -> Matrix {
        let n = a.columns, w = pivots.count, offset = pivots.lowerBound
        var l = [Double](repeating: 0, count: w * w)
        for i in 0..<w { for j in 0...i { l[i * w + j] = Double(a.storage[(offset + i) * n + offset + j]) } }
        for j in 0..<w {                                                                 // Cholesky, row by row
            for i in j..<w {
                var value = l[i * w + j]
                for p in 0..<j { value -= l[i * w + p] * l[j * w + p] }
                if i == j {
                    guard value > 0, value.isFinite else {
                        throw NotPositiveDefinite(size: n, row: offset + j, method: SymmetricInverseMethod.builtin.description)
                    }
                    l[j * w + j] = value.squareRoot()
                } else {
                    l[i * w + j] = value / l[j * w + j]
                }
            }
        }
        var inverseFactor = [Double](repeating: 0, count: w * w)                         // W = L⁻¹, lower
        for j in 0..<w {
            inverseFactor[j * w + j] = 1 / l[j * w + j]
            for i in (j + 1)..<max(j + 1, w) {
                var value = 0.0
                for p in j..<i { value += l[i * w + p] * inverseFactor[p * w + j] }
                inverseFactor[i * w + j] = -value / l[i * w + i]
            }
        }
        return Matrix(rows: w, columns: w) { buffer in                                   // Wᵀ·W
            for i in 0..<w {
                for j in 0..<w {
                    var value = 0.0
                    for k in max(i, j)..<w { value += inverseFactor[k * w + i] * inverseFactor[k * w + j] }
                    buffer[i * w + j] = Float(value)
                }
            }
        }
    }

    /// A[r, c] ← A[c, r] for every c < r: the upper triangle mirrored into the lower one, in 32 × 32
    /// tiles (rows of tiles split across threads), so both sides move a cache line at a time.
    public static func copyUpperTriangleToLower(_ a: inout Matrix) {
        precondition(a.rows == a.columns, "copyUpperTriangleToLower: \(a.shapeDescription) is not square")
        let n = a.rows, tile = 32, tiles = (n + tile - 1) / tile
        a.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let ap = SharedMutablePointer(base)
            parallelRanges(tiles, minimumPerChunk: max(1, 64 / max(1, tiles))) { tileRows in
                for tileRow in tileRows {
                    let rows = (tileRow * tile)..<min(n, tileRow * tile + tile)
                    for columnStart in stride(from: 0, through: rows.lowerBound, by: tile) {
                        for r in rows {
                            for c in columnStart..<min(r, columnStart + tile) { ap.base[r * n + c] = ap.base[c * n + r] }
                        }
                    }
                }
            }
        }
    }
}
