import Foundation
import Testing
import TensorCore
@testable import Kernels

/// `tanh8` (the vectorised tanh of `activate(.tanh)`) against `tanh` in Double.
@Suite struct TanhKernelTests {
    /// Relative error bound of `tanh8` (about 4 ulp; `tanhf` itself is within 1 ulp).
    static let tolerance = 3e-7

    static func tanh8(_ values: [Float]) -> [Float] {
        var out: [Float] = []
        for start in stride(from: 0, to: values.count, by: 8) {
            var lanes = SIMD8<Float>(repeating: 0)
            for j in 0..<min(8, values.count - start) { lanes[j] = values[start + j] }
            let t = Kernels.tanh8(lanes)
            for j in 0..<min(8, values.count - start) { out.append(t[j]) }
        }
        return out
    }

    @Test func denseGridAgainstDouble() {
        // Every 2⁻¹² on [−12, 12] (both branches and their boundary at |x| = 0.55), plus the tiny
        // values where the polynomial must return x itself.
        var x: [Float] = stride(from: -12.0, through: 12.0, by: 1.0 / 4_096).map { Float($0) }
        x += [1e-30, -1e-30, 1e-8, -1e-8, 0.549_999_9, 0.55, 0.550_000_1, -0.55, 9.999, 10, 10.001, 30, -30, 1e4]
        let y = Self.tanh8(x)
        var worst: Double = 0, worstAt: Float = 0
        for (input, output) in zip(x, y) {
            let expected = tanh(Double(input))
            let error = abs(Double(output) - expected) / max(abs(expected), 1e-38)
            if error > worst { worst = error; worstAt = input }
        }
        #expect(worst < Self.tolerance, "worst relative error \(worst) at x = \(worstAt)")
    }

    @Test func specialValues() {
        let y = Self.tanh8([0, -0.0, .infinity, -.infinity, .nan, 100, -100, .greatestFiniteMagnitude])
        #expect(y[0] == 0 && y[0].sign == .plus)
        #expect(y[1] == 0 && y[1].sign == .minus)
        #expect(y[2] == 1 && y[3] == -1)
        #expect(y[4].isNaN)
        #expect(y[5] == 1 && y[6] == -1 && y[7] == 1)
    }

    @Test func activateUsesItOnEveryElementIncludingTheTail() {
        let x = Matrix(rows: 3, columns: 7, storage: (0..<21).map { Float($0) * 0.37 - 3.5 })   // 21: lanes + tail
        let y = Kernels.activate(x, .tanh)
        for i in 0..<21 {
            let expected = tanh(Double(x.storage[i]))
            #expect(abs(Double(y.storage[i]) - expected) <= Self.tolerance * abs(expected) + 1e-38)
        }
    }
}
