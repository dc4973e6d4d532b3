import Foundation
import Testing
@testable import Kernels

/// `expm1x8` (SELU's eˣ − 1) against Double `expm1`: relative error over the whole useful range,
/// around 0 (where exp − 1 would cancel), where the reduction's n changes (x ≈ ±0.35, ±1.04, …)
/// and at the switch to the overflow-safe form (n > 20, x ≈ 14.2).
@Suite struct ExpMinusOneKernelTests {
    static func worstRelativeError(_ values: [Float]) -> (error: Double, at: Float) {
        var worst: (Double, Float) = (0, 0)
        var i = 0
        while i < values.count {
            var lanes = SIMD8<Float>(repeating: 0)
            let n = min(8, values.count - i)
            for j in 0..<n { lanes[j] = values[i + j] }
            let y = Kernels.expm1x8(lanes)
            for j in 0..<n {
                let expected = expm1(Double(values[i + j]))
                let error = abs(Double(y[j]) - expected) / max(abs(expected), 1e-38)
                if error > worst.0 { worst = (error, values[i + j]) }
            }
            i += 8
        }
        return worst
    }

    @Test func accurateFromMinusNinetyToEightyEight() {
        var values: [Float] = stride(from: Float(-90), through: 88, by: 0.0137).map { $0 }
        values += stride(from: Float(-1.2), through: 1.2, by: 1e-4).map { $0 }           // n = −2 … 2
        values += stride(from: Float(13.8), through: 14.6, by: 1e-4).map { $0 }          // n = 20 → 21
        values += (1...60).flatMap { k -> [Float] in let t = Float(pow(2.0, -Double(k))); return [t, -t] }   // tiny
        values += [0, -0.0, 0.5, -0.5, 0.49999997, -0.49999997, 0.50000006, -0.50000006]
        let worst = Self.worstRelativeError(values)
        #expect(worst.error < 1e-6, "worst relative error \(worst.error) at x = \(worst.at)")
    }

    @Test func limitsAndNaN() {
        let y = Kernels.expm1x8(SIMD8<Float>(-1_000, -100, 100, .infinity, -.infinity, .nan, 1e-30, -1e-30))
        #expect(y[0] == -1 && y[1] == -1)
        #expect(y[2] == .infinity && y[3] == .infinity)
        #expect(y[4] == -1)
        #expect(y[5].isNaN)
        #expect(y[6] == 1e-30 && y[7] == -1e-30)
    }
}
