import Testing
import TensorCore
@testable import Kernels

/// One GEMM shape: op(A) [m, k], op(B) [k, n].
struct GEMMShape: Sendable, CustomTestStringConvertible {
    let m: Int, n: Int, k: Int
    var testDescription: String { "\(m)×\(k)·\(k)×\(n)" }
}

@Suite struct GEMMTests {
    static let shapes = [GEMMShape(m: 1, n: 1, k: 1), GEMMShape(m: 17, n: 9, k: 33), GEMMShape(m: 7, n: 13, k: 300),
                         GEMMShape(m: 130, n: 67, k: 257), GEMMShape(m: 6, n: 8, k: 256),
                         GEMMShape(m: 125, n: 1030, k: 3), GEMMShape(m: 300, n: 20, k: 520)]
    static let transposes = [(false, false), (true, false), (false, true), (true, true)]

    static func operands(_ shape: GEMMShape, _ tA: Bool, _ tB: Bool, seed: UInt64) -> (Matrix, Matrix) {
        (Reference.matrix(tA ? shape.k : shape.m, tA ? shape.m : shape.k, seed: seed),
         Reference.matrix(tB ? shape.n : shape.k, tB ? shape.k : shape.n, seed: seed + 1))
    }

    @Test(arguments: Kernels.availableBackends, shapes)
    func matchesTheTripleLoop(backend: KernelBackend, shape: GEMMShape) {
        for (tA, tB) in Self.transposes {
            let (a, b) = Self.operands(shape, tA, tB, seed: UInt64(shape.m * 31 + shape.k))
            let c = Kernels.gemm(a, b, transposeA: tA, transposeB: tB, backend: backend)
            Reference.expectClose(c, Reference.gemm(a, b, transposeA: tA, transposeB: tB),
                                  tolerance: 2e-6 * Double(shape.k).squareRoot() + 1e-6, scale: Double(shape.k).squareRoot(),
                                  "\(backend) \(shape.testDescription) tA \(tA) tB \(tB)")
        }
    }

    @Test(arguments: Kernels.availableBackends)
    func alphaBetaAndAccumulate(backend: KernelBackend) {
        let shape = GEMMShape(m: 19, n: 23, k: 29)
        for (tA, tB) in Self.transposes {
            let (a, b) = Self.operands(shape, tA, tB, seed: 7)
            let start = Reference.matrix(shape.m, shape.n, seed: 99)
            let product = Reference.gemm(a, b, transposeA: tA, transposeB: tB)
            var c = start
            Kernels.gemm(a, b, transposeA: tA, transposeB: tB, alpha: -0.5, beta: 2, into: &c, accumulate: true,
                         backend: backend)
            let expected = (0..<shape.m).map { i in (0..<shape.n).map { j in -0.5 * product[i][j] + 2 * Double(start[i, j]) } }
            Reference.expectClose(c, expected, tolerance: 1e-5, "\(backend) α/β tA \(tA) tB \(tB)")

            var d = start
            Kernels.gemm(a, b, transposeA: tA, transposeB: tB, alpha: 3, accumulatingInto: &d, backend: backend)
            let expectedD = (0..<shape.m).map { i in (0..<shape.n).map { j in 3 * product[i][j] + Double(start[i, j]) } }
            Reference.expectClose(d, expectedD, tolerance: 1e-5, "\(backend) accumulatingInto tA \(tA) tB \(tB)")
        }
    }

    /// accumulate == false must overwrite C without reading it (NaN in C must vanish).
    @Test(arguments: Kernels.availableBackends)
    func overwriteIgnoresOldContents(backend: KernelBackend) {
        let (a, b) = Self.operands(GEMMShape(m: 13, n: 11, k: 5), false, false, seed: 3)
        var c = Matrix(rows: 13, columns: 11, repeating: .nan)
        Kernels.gemm(a, b, beta: 5, into: &c, accumulate: false, backend: backend)
        Reference.expectClose(c, Reference.gemm(a, b, transposeA: false, transposeB: false), "\(backend)")
    }

    @Test(arguments: Kernels.availableBackends)
    func emptyShapes(backend: KernelBackend) {
        // k = 0: the product is zero, so C becomes β·C (or 0 when overwriting).
        let a = Matrix(rows: 4, columns: 0), b = Matrix(rows: 0, columns: 3)
        #expect(Kernels.gemm(a, b, backend: backend) == Matrix(rows: 4, columns: 3))
        var c = Matrix(rows: 4, columns: 3, repeating: 2)
        Kernels.gemm(a, b, beta: 0.5, into: &c, accumulate: true, backend: backend)
        #expect(c == Matrix(rows: 4, columns: 3, repeating: 1))
        // m = 0 and n = 0 give empty results.
        #expect(Kernels.gemm(Matrix(rows: 0, columns: 5), Reference.matrix(5, 3, seed: 1), backend: backend).count == 0)
        #expect(Kernels.gemm(Reference.matrix(2, 5, seed: 1), Matrix(rows: 5, columns: 0), backend: backend).count == 0)
    }

    @Test func backendsAgree() {
        let a = Reference.matrix(61, 203, seed: 11), b = Reference.matrix(203, 45, seed: 12)
        let results = Kernels.availableBackends.map { Kernels.gemm(a, b, backend: $0) }
        for result in results.dropFirst() { Reference.expectClose(result, Reference.nested(results[0]), tolerance: 1e-5, scale: 10) }
    }

    @Test func twoByTwo() {
        let a = Matrix([[1, 2], [3, 4]]), b = Matrix([[5, 6], [7, 8]])
        for backend in Kernels.availableBackends {
            #expect(Kernels.gemm(a, b, backend: backend) == Matrix([[19, 22], [43, 50]]))
            #expect(Kernels.gemm(a, b, transposeA: true, backend: backend) == Matrix([[26, 30], [38, 44]]))
            #expect(Kernels.gemm(a, b, transposeB: true, backend: backend) == Matrix([[17, 23], [39, 53]]))
        }
    }
}
