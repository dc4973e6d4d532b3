import Testing
import TensorCore
@testable import Kernels

/// The AVX-512 loops of CSparseKernels against naive Double references and, bit for bit, against
/// the portable Swift loops they stand in for (the same product-then-sum per element, in the same
/// order). Shapes: 1×1, odd widths (masked tails of 1–15 lanes), empty rows, no entries, and
/// operands large and dense enough to take the packed column-block path (D or G above the 1.5 MiB
/// cache block, many entries per row of it), with blocks of 128 columns and a masked remainder.
@Suite struct SparseVectorKernelTests {
    /// rows of S, columns of S (= rows of D or G), hidden width, density.
    static let shapes: [[Double]] = [[1, 1, 1, 1], [17, 33, 9, 0.2], [130, 257, 67, 0.2], [5, 40, 0, 0.2], [0, 4, 3, 0.2],
                                     [9, 1000, 600, 0.2], [6, 7, 37, 0.5], [4, 300, 500, 0.3],
                                     [60, 3100, 130, 0.3], [40, 3100, 140, 0.5]]   // last two: packed blocks

    static func operands(_ shape: [Double], seed: UInt64) -> (s: SparseMatrix, hidden: Int) {
        let (rows, columns, hidden) = (Int(shape[0]), Int(shape[1]), Int(shape[2]))
        return (Reference.sparse(rows, columns, density: shape[3], seed: seed, emptyRow: rows > 2 ? 1 : nil), hidden)
    }

    /// Σ_e S[r, c]·D[c, :] row by row, in Double.
    static func csrTimesDense(_ s: SparseMatrix, _ d: Matrix) -> [[Double]] {
        (0..<s.rows).map { r in
            var row = [Double](repeating: 0, count: d.columns)
            for e in s.range(ofRow: r) {
                let c = Int(s.columnIndices[e])
                for j in 0..<d.columns { row[j] += Double(s.values[e]) * Double(d[c, j]) }
            }
            return row
        }
    }

    @Test(arguments: shapes)
    func csrTimesDenseOnEveryPath(shape: [Double]) {
        let (s, hidden) = Self.operands(shape, seed: 71)
        let d = Reference.matrix(s.columns, hidden, seed: 72)
        let expected = Self.csrTimesDense(s, d)
        let portable = Kernels.sparseDenseProduct(s, d, path: .portable)
        Reference.expectClose(portable, expected, tolerance: 1e-5, scale: 2, "portable")
        for path in SparseProductPath.available where path != .portable {
            let y = Kernels.sparseDenseProduct(s, d, path: path)
            Reference.expectClose(y, expected, tolerance: 1e-5, scale: 2, "\(path)")
            #expect(y == portable, "\(path) differs from the portable loop")
        }
    }

    @Test(arguments: shapes)
    func csrTransposeTimesDenseOnEveryPath(shape: [Double]) {
        let (s, hidden) = Self.operands(shape, seed: 73)
        let d = Reference.matrix(s.rows, hidden, seed: 74), start = Reference.matrix(s.columns, hidden, seed: 75)
        let product = Self.csrTimesDense(s.transposed(), d)
        let expected = (0..<s.columns).map { i in (0..<hidden).map { j in Double(start[i, j]) - 1.5 * product[i][j] } }
        var portable = start
        Kernels.sparseTransposeDenseProduct(s, d, alpha: -1.5, accumulatingInto: &portable, path: .portable)
        Reference.expectClose(portable, expected, tolerance: 1e-5, scale: 2, "portable")
        for path in SparseProductPath.available where path != .portable {
            var g = start
            Kernels.sparseTransposeDenseProduct(s, d, alpha: -1.5, accumulatingInto: &g, path: path)
            Reference.expectClose(g, expected, tolerance: 1e-5, scale: 2, "\(path)")
            #expect(g == portable, "\(path) differs from the portable loop")
        }
    }

    @Test(arguments: shapes)
    func sampledProductOnEveryPath(shape: [Double]) {
        let (pattern, hidden) = Self.operands(shape, seed: 76)
        let left = Reference.matrix(pattern.rows, hidden, seed: 77), right = Reference.matrix(pattern.columns, hidden, seed: 78)
        let portable = Kernels.sampledProduct(left: left, right: right, at: pattern, path: .portable)
        for r in 0..<pattern.rows {
            for e in pattern.range(ofRow: r) {
                let c = Int(pattern.columnIndices[e])
                let expected = (0..<hidden).reduce(0.0) { $0 + Double(left[r, $1]) * Double(right[c, $1]) }
                #expect(abs(Double(portable[e]) - expected) <= 1e-5 * (2 + abs(expected)))
            }
        }
        for path in SparseProductPath.available where path != .portable {
            let values = Kernels.sampledProduct(left: left, right: right, at: pattern, path: path)
            #expect(values == portable, "\(path) differs from the portable loop")
        }
    }

    @Test func packingIsChosenForLargeOftenTouchedOperandsOnly() {
        #expect(Kernels.packedBlockWidth(rows: 6040) == 64)       // ML-1M I-AutoRec V, W [6040, 500]
        #expect(Kernels.packedBlockWidth(rows: 3706) == 96)       // U-AutoRec [3706, 500]
        #expect(Kernels.packedBlockWidth(rows: 100) == 128)       // at most 128 columns (8 registers)
        #expect(Kernels.packedBlockWidth(rows: 10_000_000) == 16) // never below one vector
        // I-AutoRec's encoder product: 900k entries over D [6040, 500]: packed.
        #expect(Kernels.packsOperand(entries: 900_000, rows: 6040, columns: 500, minimumEntriesPerRow: Kernels.gatherPackingEntriesPerRow))
        // The deep AE's first layer, a batch of 128 users (~19k entries) over W [3706, 512]: gathered whole rows.
        #expect(!Kernels.packsOperand(entries: 19_000, rows: 3706, columns: 512, minimumEntriesPerRow: Kernels.gatherPackingEntriesPerRow))
        // The two large shapes of `shapes` take the packed path, in both products.
        for shape in Self.shapes.suffix(2) {
            let (s, hidden) = Self.operands(shape, seed: 71)
            #expect(Kernels.packsOperand(entries: s.nonZeroCount, rows: s.columns, columns: hidden, minimumEntriesPerRow: Kernels.gatherPackingEntriesPerRow))
            #expect(Kernels.packsOperand(entries: s.nonZeroCount, rows: s.columns, columns: hidden, minimumEntriesPerRow: Kernels.scatterPackingEntriesPerRow))
        }
        // Mult-VAE's first-layer gradient, 35 k clicks scattered into G [20108, 600]: not copied (1.75 per row).
        #expect(!Kernels.packsOperand(entries: 35_000, rows: 20_108, columns: 600, minimumEntriesPerRow: Kernels.scatterPackingEntriesPerRow))
        // An operand within the cache block is never packed.
        #expect(!Kernels.packsOperand(entries: 1_000_000, rows: 100, columns: 500, minimumEntriesPerRow: Kernels.gatherPackingEntriesPerRow))
    }

    @Test func theVectorPathIsOfferedExactlyWhereTheCPUHasIt() {
        #expect(SparseProductPath.available.contains(.portable))
        #expect(SparseProductPath.available.contains(.vector) == SparseProductPath.cpuSupportsVector)
        #expect(SparseProductPath.fastest == (SparseProductPath.cpuSupportsVector ? .vector : .portable))
        if !SparseProductPath.cpuSupportsVector {
            print("SparseVectorKernelTests: this CPU has no AVX-512F; only the portable loops were compared with the references")
        }
    }
}
