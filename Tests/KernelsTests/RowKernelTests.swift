import Foundation
import Testing
import TensorCore
@testable import Kernels

@Suite struct RowKernelTests {
    static func referenceLogSumExp(_ row: [Double]) -> Double {
        guard let largest = row.max(), largest > -.infinity else { return -.infinity }
        return largest + log(row.reduce(0) { $0 + exp($1 - largest) })
    }

    @Test(arguments: oddShapes.map { [$0.0, $0.1] })
    func softmaxFamily(shape: [Int]) {
        var x = Reference.matrix(shape[0], shape[1], seed: 21)
        Kernels.scale(&x, by: 30)                      // spread so exp spans many magnitudes
        let rows = Reference.nested(x)
        let lse = Kernels.logSumExpRows(x)
        #expect(lse.count == shape[0])
        let logSoftmax = Kernels.logSoftmaxRows(x), softmax = Kernels.softmaxRows(x)
        for r in 0..<shape[0] {
            let exact = Self.referenceLogSumExp(rows[r])
            if shape[1] == 0 { #expect(lse[r] == -.infinity); continue }
            #expect(abs(Double(lse[r]) - exact) <= 2e-6 * max(1, abs(exact)))
            var total: Double = 0
            for c in 0..<shape[1] {
                let expectedLog = rows[r][c] - exact
                #expect(abs(Double(logSoftmax[r, c]) - expectedLog) <= 4e-6 * max(1, abs(expectedLog)))
                let expected = exp(expectedLog)
                // x − lse is rounded to Float before exp: relative error up to ulp(|x − lse|).
                let tolerance = (2e-6 + 1.2e-7 * abs(expectedLog)) * expected + 1e-37
                #expect(abs(Double(softmax[r, c]) - expected) <= tolerance)
                total += Double(softmax[r, c])
            }
            #expect(abs(total - 1) < 1e-5)
        }
    }

    @Test func softmaxIsStableForHugeAndInfiniteInputs() {
        let x = Matrix([[1000, 1000, -1000], [-.infinity, 0, -.infinity], [-.infinity, -.infinity, -.infinity]])
        let lse = Kernels.logSumExpRows(x)
        #expect(abs(lse[0] - (1000 + Float(log(2.0)))) < 1e-3)
        #expect(lse[1] == 0 && lse[2] == -.infinity)
        let softmax = Kernels.softmaxRows(x)
        // lse ≈ 1000.69 carries Float's absolute rounding (ulp 6e-5) into x − lse.
        #expect(abs(softmax[0, 0] - 0.5) < 1e-4 && softmax[0, 0] == softmax[0, 1] && softmax[0, 2] == 0)
        #expect(softmax[1, 1] == 1 && softmax[1, 0] == 0)
        #expect(Kernels.logSoftmaxRows(x)[0, 2] < -1999)
    }

    @Test(arguments: oddShapes.map { [$0.0, $0.1] })
    func reductionsInDouble(shape: [Int]) {
        let a = Reference.matrix(shape[0], shape[1], seed: 31), b = Reference.matrix(shape[0], shape[1], seed: 32)
        let xs = a.storage.map(Double.init), ys = b.storage.map(Double.init)
        #expect(abs(Kernels.sum(a) - xs.reduce(0, +)) < 1e-9 * Double(max(1, a.count)))
        #expect(abs(Kernels.sumOfSquares(a) - xs.reduce(0) { $0 + $1 * $1 }) < 1e-9 * Double(max(1, a.count)))
        #expect(abs(Kernels.dot(a, b) - zip(xs, ys).reduce(0) { $0 + $1.0 * $1.1 }) < 1e-9 * Double(max(1, a.count)))
        let sums = Kernels.rowSums(a)
        for r in 0..<shape[0] {
            let exact = (0..<shape[1]).reduce(0.0) { $0 + Double(a[r, $1]) }
            #expect(abs(Double(sums[r]) - exact) <= 1e-6 * (1 + abs(exact)))
        }
        let normalized = Kernels.l2NormalizeRows(a)
        for r in 0..<shape[0] {
            let norm = (0..<shape[1]).reduce(0.0) { $0 + Double(a[r, $1]) * Double(a[r, $1]) }.squareRoot()
            for c in 0..<shape[1] { #expect(abs(Double(normalized[r, c]) - Double(a[r, c]) / norm) < 1e-6) }
        }
    }

    @Test func finitenessAndZeroRows() {
        #expect(Kernels.allFinite(Reference.matrix(13, 17, seed: 1)))
        #expect(Kernels.allFinite(Matrix(rows: 0, columns: 4)))
        for bad: Float in [.nan, .infinity, -.infinity] {
            var x = Reference.matrix(13, 17, seed: 1)
            x[12, 16] = bad
            #expect(!Kernels.allFinite(x))
            x[12, 16] = 0; x[0, 3] = bad
            #expect(!Kernels.allFinite(x))
        }
        let zero = Matrix([[0, 0], [3, 4]])
        #expect(Kernels.l2NormalizeRows(zero) == Matrix([[0, 0], [0.6, 0.8]]))
    }
}
