import Testing
import TensorCore
@testable import Kernels

/// The split of large products into single-threaded BLAS calls: the plan as a pure function of the
/// shape, and every kind of piece against the Double triple loop.
@Suite struct GEMMPartitionTests {
    // MARK: the plan

    @Test func smallProductsAndOnePartStayWhole() {
        #expect(GEMMPartition.plan(m: 100, n: 100, k: 100, parts: 2) == .whole)          // 10⁶ < 2²¹
        #expect(GEMMPartition.plan(m: 500, n: 20_108, k: 600, parts: 1) == .whole)
        #expect(GEMMPartition.plan(m: 0, n: 20_108, k: 600, parts: 2) == .whole)
        #expect(GEMMPartition.plan(m: 1, n: 8, k: 1 << 20, parts: 2) == .depth([0..<524_288, 524_288..<1_048_576]))
    }

    /// The three products of Mult-VAE's decoder output layer at ML-20M's width.
    @Test func decoderProductsAtML20MWidth() {
        // Y = h·W and dW = hᵀ·dY: N = 20108 items in 16-aligned halves (1257 strips → 628 + 629).
        #expect(GEMMPartition.plan(m: 500, n: 20_108, k: 600, parts: 2) == .columns([0..<10_048, 10_048..<20_108]))
        #expect(GEMMPartition.plan(m: 600, n: 20_108, k: 500, parts: 2) == .columns([0..<10_048, 10_048..<20_108]))
        // dX = dY·Wᵀ: K = 20108 ≫ M, N, so each thread reads half of dY and half of W.
        #expect(GEMMPartition.plan(m: 500, n: 600, k: 20_108, parts: 2) == .depth([0..<10_048, 10_048..<20_108]))
    }

    @Test func tallProductsSplitRowsAndHugeOutputsAreNotDepthSplit() {
        #expect(GEMMPartition.plan(m: 20_000, n: 64, k: 600, parts: 2) == .rows([0..<10_000, 10_000..<20_000]))
        // K ≫ M, N but the scratch matrix would exceed `maximumScratchEntries`: columns instead.
        guard case .columns = GEMMPartition.plan(m: 2_000, n: 2_000, k: 10_000, parts: 2) else {
            Issue.record("expected a column split"); return
        }
        // Narrow M and N do not matter for a depth split; a dimension under two 16-wide strips is not split.
        #expect(GEMMPartition.plan(m: 20, n: 20, k: 100_000, parts: 2) == .depth([0..<50_000, 50_000..<100_000]))
        #expect(GEMMPartition.split(31, parts: 2) == nil)
        #expect(GEMMPartition.split(32, parts: 5) == [0..<16, 16..<32])
    }

    /// Over many shapes: pieces are contiguous, cover the split dimension, are non-empty, number at
    /// most `parts`, and every inner boundary is a multiple of the alignment.
    @Test func piecesTileTheSplitDimension() {
        var rng = RandomGenerator(seed: 5)
        for _ in 0..<2_000 {
            let m = 1 + Int(rng.nextBelow(3_000)), n = 1 + Int(rng.nextBelow(30_000)), k = 1 + Int(rng.nextBelow(30_000))
            let parts = 1 + Int(rng.nextBelow(9))
            let plan = GEMMPartition.plan(m: m, n: n, k: k, parts: parts)
            let (pieces, count): ([Range<Int>], Int)
            switch plan {
            case .whole: continue
            case .rows(let p): (pieces, count) = (p, m)
            case .columns(let p): (pieces, count) = (p, n)
            case .depth(let p): (pieces, count) = (p, k)
            }
            #expect(pieces.count >= 2 && pieces.count <= parts, "\(m)×\(n)×\(k) in \(parts): \(plan)")
            #expect(pieces.first?.lowerBound == 0 && pieces.last?.upperBound == count, "\(m)×\(n)×\(k): \(plan)")
            for (left, right) in zip(pieces, pieces.dropFirst()) {
                #expect(left.upperBound == right.lowerBound && !left.isEmpty && !right.isEmpty, "\(plan)")
                #expect(left.upperBound % GEMMPartition.alignment == 0, "\(plan)")
            }
        }
    }

    // MARK: the pieces, computed

    static let transposes = [(false, false), (true, false), (false, true), (true, true)]

    /// Each kind of plan in 2 and 3 pieces, every transpose, overwrite and α/β accumulate, against
    /// the triple loop (the library is called one piece at a time even when this machine has one core).
    @Test(arguments: [2, 3])
    func piecesMatchTheTripleLoop(parts: Int) throws {
        guard let library = Kernels.blasLibrary else { return }   // no BLAS: `blasAvailability` reports it (fails on CI)
        // rows (m ≫ n), columns (n ≫ m), depth (k ≫ m, n), with tails that are not multiples of 16.
        let shapes = [GEMMShape(m: 301, n: 21, k: 333), GEMMShape(m: 37, n: 419, k: 135), GEMMShape(m: 19, n: 45, k: 2_501)]
        let expectedKinds = ["rows", "columns", "depth"]
        for (shape, kind) in zip(shapes, expectedKinds) {
            // The piece kind is forced (whatever `plan` would choose for these small shapes).
            let forced: GEMMPartition
            switch kind {
            case "rows": forced = .rows(try #require(GEMMPartition.split(shape.m, parts: parts)))
            case "columns": forced = .columns(try #require(GEMMPartition.split(shape.n, parts: parts)))
            default: forced = .depth(try #require(GEMMPartition.split(shape.k, parts: parts)))
            }
            for (tA, tB) in Self.transposes {
                let (a, b) = GEMMTests.operands(shape, tA, tB, seed: UInt64(shape.m + shape.n))
                let product = Reference.gemm(a, b, transposeA: tA, transposeB: tB)
                let start = Reference.matrix(shape.m, shape.n, seed: 77)
                for (alpha, beta) in [(Float(1), Float(0)), (Float(-0.5), Float(2))] {
                    var c = beta == 0 ? Matrix(rows: shape.m, columns: shape.n, repeating: .nan) : start
                    let called = run(library, forced, a, b, tA, tB, shape, alpha: alpha, beta: beta, c: &c)
                    #expect(called)
                    let expected = (0..<shape.m).map { i in
                        (0..<shape.n).map { j in
                            Double(alpha) * product[i][j] + (beta == 0 ? 0 : Double(beta) * Double(start[i, j]))
                        }
                    }
                    Reference.expectClose(c, expected, tolerance: 2e-6 * Double(shape.k).squareRoot() + 1e-6,
                                          scale: Double(shape.k).squareRoot(),
                                          "\(kind) in \(parts), tA \(tA) tB \(tB), α \(alpha) β \(beta)")
                }
            }
        }
    }

    /// A product large enough to be split by `Kernels.gemm` itself, when this process splits.
    @Test func gemmSplitsLargeProducts() throws {
        guard let library = Kernels.blasLibrary else { return }   // no BLAS: `blasAvailability` reports it (fails on CI)
        let shape = GEMMShape(m: 64, n: 96, k: 4_000)                                     // depth, 2.5·10⁷ multiply-adds
        #expect(GEMMPartition.plan(m: shape.m, n: shape.n, k: shape.k, parts: 2) != .whole)
        let (a, b) = GEMMTests.operands(shape, false, true, seed: 3)
        let c = Kernels.gemm(a, b, transposeB: true, backend: .blas(library))
        Reference.expectClose(c, Reference.gemm(a, b, transposeA: false, transposeB: true),
                              tolerance: 2e-6 * Double(shape.k).squareRoot() + 1e-6, scale: Double(shape.k).squareRoot(),
                              "partitionParts \(String(describing: library.partitionParts))")
    }

    private func run(_ library: BLASLibrary, _ plan: GEMMPartition, _ a: Matrix, _ b: Matrix, _ tA: Bool, _ tB: Bool,
                     _ shape: GEMMShape, alpha: Float, beta: Float, c: inout Matrix) -> Bool {
        a.withUnsafeBufferPointer { aBuffer in
            b.withUnsafeBufferPointer { bBuffer in
                c.withUnsafeMutableBufferPointer { cBuffer in
                    Kernels.partitionedSgemm(library: library, partition: plan, transposeA: tA, transposeB: tB,
                                             m: shape.m, n: shape.n, k: shape.k, alpha: alpha,
                                             a: aBuffer.baseAddress!, lda: a.columns, b: bBuffer.baseAddress!,
                                             ldb: b.columns, beta: beta, c: cBuffer.baseAddress!, ldc: shape.n)
                }
            }
        }
    }
}
