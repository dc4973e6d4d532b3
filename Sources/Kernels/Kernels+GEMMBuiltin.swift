/// One GEMM input as a pointer, its row stride, and whether op() transposes it.
struct GEMMOperand: @unchecked Sendable {
    /// The first element of the stored (row-major) matrix.
    let base: UnsafePointer<Float>
    /// Distance between consecutive stored rows.
    let leadingDimension: Int
    /// True when op(X) = Xᵀ.
    let transposed: Bool
}

/// Cache-blocking parameters of the built-in GEMM (Goto & van de Geijn's loop order).
enum GEMMBlocking {
    /// Micro-tile rows (A sliver height) and columns (B sliver width, one SIMD8).
    static let mr = 6, nr = 8
    /// K depth of one packed panel: a B sliver kc×nr (8 KiB) stays in L1.
    static let kc = 256
    /// Rows of A packed at once: mc×kc (120 KiB) stays in L2.
    static let mc = 120
    /// Columns of B packed at once: kc×nc (1 MiB) stays in the outer cache.
    static let nc = 1024
}

extension Kernels {
    /// Built-in C = α·op(A)·op(B) + β·C (β == 0: C is not read). Requires m, n, k > 0.
    /// The larger of M and N is split into one contiguous block per thread; each thread packs
    /// its own panels, so no two threads write the same element of C.
    static func gemmBuiltin(m: Int, n: Int, k: Int, a: GEMMOperand, b: GEMMOperand,
                            alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let flops = 2 * m * n * k
        let cp = SharedMutablePointer(c)
        let splitColumns = n >= m
        let tile = splitColumns ? GEMMBlocking.nr : GEMMBlocking.mr
        let tiles = ((splitColumns ? n : m) + tile - 1) / tile
        let chunks = flops < 2_000_000 ? 1 : max(1, min(threadCount, tiles))
        parallelFor(chunks: chunks) { chunk in
            let first = chunk * tiles / chunks * tile
            let last = min((chunk + 1) * tiles / chunks * tile, splitColumns ? n : m)
            guard first < last else { return }
            if splitColumns {
                gemmSerial(rows: 0..<m, columns: first..<last, k: k, a: a, b: b,
                           alpha: alpha, beta: beta, c: cp.base, ldc: ldc)
            } else {
                gemmSerial(rows: first..<last, columns: 0..<n, k: k, a: a, b: b,
                           alpha: alpha, beta: beta, c: cp.base, ldc: ldc)
            }
        }
    }

    /// One thread's block C[rows, columns]: the five blocked loops around the micro-kernel.
    static func gemmSerial(rows: Range<Int>, columns: Range<Int>, k: Int, a: GEMMOperand, b: GEMMOperand,
                           alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let mr = GEMMBlocking.mr, nr = GEMMBlocking.nr
        let aPack = UnsafeMutablePointer<Float>.allocate(capacity: GEMMBlocking.mc * GEMMBlocking.kc)
        let bPack = UnsafeMutablePointer<Float>.allocate(capacity: GEMMBlocking.nc * GEMMBlocking.kc)
        defer { aPack.deallocate(); bPack.deallocate() }
        for jc in stride(from: columns.lowerBound, to: columns.upperBound, by: GEMMBlocking.nc) {
            let nb = min(GEMMBlocking.nc, columns.upperBound - jc)
            for pc in stride(from: 0, to: k, by: GEMMBlocking.kc) {
                let kb = min(GEMMBlocking.kc, k - pc)
                packB(b, depth: pc..<(pc + kb), columns: jc..<(jc + nb), into: bPack)
                // The first K panel applies β; later panels add onto what it wrote.
                let panelBeta: Float = pc == 0 ? beta : 1
                for ic in stride(from: rows.lowerBound, to: rows.upperBound, by: GEMMBlocking.mc) {
                    let mb = min(GEMMBlocking.mc, rows.upperBound - ic)
                    packA(a, rows: ic..<(ic + mb), depth: pc..<(pc + kb), into: aPack)
                    for jr in stride(from: 0, to: nb, by: nr) {
                        let bSliver = UnsafePointer(bPack + jr * kb)
                        for ir in stride(from: 0, to: mb, by: mr) {
                            gemmMicroKernel(depth: kb, a: UnsafePointer(aPack + ir * kb), b: bSliver,
                                            c: c + (ic + ir) * ldc + jc + jr, ldc: ldc,
                                            validRows: min(mr, mb - ir), validColumns: min(nr, nb - jr),
                                            alpha: alpha, beta: panelBeta)
                        }
                    }
                }
            }
        }
    }

    /// Packs op(A)[rows, depth] as slivers of `mr` rows: sliver s holds, for each p, the `mr`
    /// values op(A)[s·mr + r, p] contiguously (zero-padded past the last row).
    @inline(__always)
    static func packA(_ a: GEMMOperand, rows: Range<Int>, depth: Range<Int>, into pack: UnsafeMutablePointer<Float>) {
        let mr = GEMMBlocking.mr, kb = depth.count, ld = a.leadingDimension
        var destination = pack
        for i0 in stride(from: rows.lowerBound, to: rows.upperBound, by: mr) {
            let valid = min(mr, rows.upperBound - i0)
            if a.transposed {
                // op(A)[i, p] = A[p, i]: each p reads `valid` contiguous values.
                for p in 0..<kb {
                    let source = a.base + (depth.lowerBound + p) * ld + i0
                    let out = destination + p * mr
                    for r in 0..<valid { out[r] = source[r] }
                    for r in valid..<mr { out[r] = 0 }
                }
            } else {
                // op(A)[i, p] = A[i, p]: each row is contiguous in p.
                for r in 0..<valid {
                    let source = a.base + (i0 + r) * ld + depth.lowerBound
                    for p in 0..<kb { destination[p * mr + r] = source[p] }
                }
                for r in valid..<mr {
                    for p in 0..<kb { destination[p * mr + r] = 0 }
                }
            }
            destination += kb * mr
        }
    }

    /// Packs op(B)[depth, columns] as slivers of `nr` columns: sliver s holds, for each p, the
    /// `nr` values op(B)[p, s·nr + j] contiguously (zero-padded past the last column).
    @inline(__always)
    static func packB(_ b: GEMMOperand, depth: Range<Int>, columns: Range<Int>, into pack: UnsafeMutablePointer<Float>) {
        let nr = GEMMBlocking.nr, kb = depth.count, ld = b.leadingDimension
        var destination = pack
        for j0 in stride(from: columns.lowerBound, to: columns.upperBound, by: nr) {
            let valid = min(nr, columns.upperBound - j0)
            if b.transposed {
                // op(B)[p, j] = B[j, p]: each column j of op(B) is a contiguous stored row.
                for j in 0..<valid {
                    let source = b.base + (j0 + j) * ld + depth.lowerBound
                    for p in 0..<kb { destination[p * nr + j] = source[p] }
                }
                for j in valid..<nr {
                    for p in 0..<kb { destination[p * nr + j] = 0 }
                }
            } else if valid == nr {
                for p in 0..<kb {
                    let source = UnsafeRawPointer(b.base + (depth.lowerBound + p) * ld + j0)
                    UnsafeMutableRawPointer(destination + p * nr)
                        .storeBytes(of: source.loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                }
            } else {
                for p in 0..<kb {
                    let source = b.base + (depth.lowerBound + p) * ld + j0
                    let out = destination + p * nr
                    for j in 0..<valid { out[j] = source[j] }
                    for j in valid..<nr { out[j] = 0 }
                }
            }
            destination += kb * nr
        }
    }
}
