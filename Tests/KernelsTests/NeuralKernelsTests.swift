import Testing
import Foundation
import TensorCore
@testable import Kernels

/// Naive Double references for the neural-network kernels, on odd shapes (1×1, 17×33, empty CSR rows).
@Suite struct NeuralKernelsTests {
    static let shapes: [(rows: Int, columns: Int)] = [(1, 1), (3, 5), (17, 33), (4, 0)]

    static func dense(_ rows: Int, _ columns: Int, seed: UInt64, scale: Float = 1) -> Matrix {
        var rng = RandomGenerator(seed: seed)
        return Kernels.randomNormal(rows: rows, columns: columns, standardDeviation: scale, using: &rng)
    }

    /// Random counts with every third row empty.
    static func sparse(_ rows: Int, _ columns: Int, seed: UInt64) -> SparseMatrix {
        var rng = RandomGenerator(seed: seed)
        var triplets: [(row: Int, column: Int, value: Float)] = []
        for r in 0..<rows where r % 3 != 1 {
            for c in 0..<columns where rng.nextUniform() < 0.3 { triplets.append((r, c, Float(1 + rng.nextBelow(4)))) }
        }
        return SparseMatrix(rows: rows, columns: columns, triplets: triplets)
    }

    static func dense(_ s: SparseMatrix) -> [[Double]] {
        var x = [[Double]](repeating: [Double](repeating: 0, count: s.columns), count: s.rows)
        for r in 0..<s.rows { for e in s.range(ofRow: r) { x[r][Int(s.columnIndices[e])] = Double(s.values[e]) } }
        return x
    }

    static func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-4) -> Bool {
        abs(a - b) <= tolerance * max(1, abs(a), abs(b))
    }

    @Test(arguments: shapes)
    func multinomialMatchesNaiveLogSoftmax(shape: (rows: Int, columns: Int)) {
        let logits = Self.dense(shape.rows, shape.columns, seed: 1, scale: 3)
        let targets = Self.sparse(shape.rows, shape.columns, seed: 2)
        let (loss, gradient) = Kernels.multinomialNegativeLogLikelihood(logits: logits, targets: targets, gradientScale: 0.5)
        let x = Self.dense(targets)
        var expectedLoss = 0.0
        for r in 0..<shape.rows {
            let row = (0..<shape.columns).map { Double(logits[r, $0]) }
            let lse = log(row.map { exp($0) }.reduce(0, +))
            let total = x[r].reduce(0, +)
            for c in 0..<shape.columns {
                expectedLoss -= x[r][c] * (row[c] - lse)
                #expect(Self.close(Double(gradient[r, c]), 0.5 * (exp(row[c] - lse) * total - x[r][c])))
            }
        }
        #expect(Self.close(loss, expectedLoss))
    }

    @Test func multinomialIsStableForHugeLogits() {
        let logits = Matrix([[1000, -1000, 0]])
        let targets = SparseMatrix(rows: 1, columns: 3, triplets: [(0, 1, 1)])
        let (loss, gradient) = Kernels.multinomialNegativeLogLikelihood(logits: logits, targets: targets, gradientScale: 1)
        #expect(Self.close(loss, 2000))
        #expect(Kernels.allFinite(gradient))
    }

    @Test(arguments: shapes)
    func squaredErrorsMatchNaive(shape: (rows: Int, columns: Int)) {
        let prediction = Self.dense(shape.rows, shape.columns, seed: 3)
        let dense = Self.dense(shape.rows, shape.columns, seed: 4)
        let (loss, gradient) = Kernels.squaredError(prediction: prediction, target: dense, gradientScale: 0.25)
        let targets = Self.sparse(shape.rows, shape.columns, seed: 5)
        let (maskedLoss, maskedGradient) = Kernels.maskedSquaredError(prediction: prediction, target: targets, gradientScale: 0.25)
        var expected = 0.0, expectedMasked = 0.0
        for r in 0..<shape.rows {
            let observed = Set(targets.columns(inRow: r).map(Int.init))
            let x = Self.dense(targets)[r]
            for c in 0..<shape.columns {
                let d = Double(prediction[r, c]) - Double(dense[r, c])
                expected += d * d
                #expect(Self.close(Double(gradient[r, c]), 0.5 * d))
                let m = Double(prediction[r, c]) - x[c]
                if observed.contains(c) { expectedMasked += m * m }
                #expect(Self.close(Double(maskedGradient[r, c]), observed.contains(c) ? 0.5 * m : 0))
            }
        }
        #expect(Self.close(loss, expected) && Self.close(maskedLoss, expectedMasked))
    }

    @Test(arguments: shapes)
    func logisticLossMatchesNaive(shape: (rows: Int, columns: Int)) {
        let logits = Self.dense(shape.rows, shape.columns, seed: 6, scale: 2)
        let targets = Matrix(rows: shape.rows, columns: shape.columns,
                             storage: Self.dense(shape.rows, shape.columns, seed: 7).storage.map { $0 > 0 ? 1 : 0 })
        let (loss, gradient) = Kernels.logisticLoss(logits: logits, targets: targets, gradientScale: 1)
        var expected = 0.0
        for i in 0..<logits.count {
            let l = Double(logits.storage[i]), t = Double(targets.storage[i]), p = 1 / (1 + exp(-l))
            expected -= t * log(p) + (1 - t) * log(1 - p)
            #expect(Self.close(Double(gradient.storage[i]), p - t))
        }
        #expect(Self.close(loss, expected))
    }

    @Test func logisticLossIsStableForHugeLogits() {
        let (loss, gradient) = Kernels.logisticLoss(logits: Matrix([[200, -200]]), targets: Matrix([[0, 1]]), gradientScale: 1)
        #expect(Self.close(loss, 400))
        #expect(gradient == Matrix([[1, -1]]))
    }

    @Test(arguments: shapes)
    func gaussianPiecesMatchNaive(shape: (rows: Int, columns: Int)) {
        let mean = Self.dense(shape.rows, shape.columns, seed: 8)
        let logVariance = Self.dense(shape.rows, shape.columns, seed: 9, scale: 0.5)
        let noise = Self.dense(shape.rows, shape.columns, seed: 10)
        let z = Kernels.reparameterize(mean: mean, logVariance: logVariance, noise: noise)
        let dz = Self.dense(shape.rows, shape.columns, seed: 11)
        let (dMean, dLogVariance) = Kernels.reparameterizeBackward(sampleGradient: dz, logVariance: logVariance, noise: noise)
        let kl = Kernels.standardNormalDivergence(mean: mean, logVariance: logVariance, gradientScale: 2)
        let density = Kernels.diagonalGaussianLogDensity(sample: z, mean: mean, logVariance: logVariance)
        var expectedKL = 0.0
        for r in 0..<shape.rows {
            var expectedDensity = 0.0
            for c in 0..<shape.columns {
                let mu = Double(mean[r, c]), lv = Double(logVariance[r, c]), e = Double(noise[r, c])
                let sigma = exp(0.5 * lv), zValue = mu + sigma * e
                #expect(Self.close(Double(z[r, c]), zValue))
                #expect(dMean[r, c] == dz[r, c])
                #expect(Self.close(Double(dLogVariance[r, c]), Double(dz[r, c]) * 0.5 * sigma * e))
                expectedKL += 0.5 * (mu * mu + sigma * sigma - 1 - lv)
                #expect(Self.close(Double(kl.mean[r, c]), 2 * mu))
                #expect(Self.close(Double(kl.logVariance[r, c]), (sigma * sigma - 1)))
                expectedDensity += -0.5 * log(2 * Double.pi) - 0.5 * lv - 0.5 * (zValue - mu) * (zValue - mu) / (sigma * sigma)
            }
            #expect(Self.close(density[r], expectedDensity))
        }
        #expect(Self.close(kl.value, expectedKL))
    }

    @Test func columnSplitAndConcatenationRoundTrip() {
        let h = Self.dense(17, 10, seed: 12)
        let left = Kernels.columns(0..<3, of: h), right = Kernels.columns(3..<10, of: h)
        #expect(left[16, 2] == h[16, 2] && right[5, 0] == h[5, 3])
        #expect(Kernels.concatenateColumns(left, right) == h)
        #expect(Kernels.columns(0..<0, of: h).shapeDescription == "17×0")
    }

    @Test func randomDrawsForInitialisationAndDropout() {
        var rng = RandomGenerator(seed: 13)
        let truncated = Kernels.randomTruncatedNormal(rows: 50, columns: 40, standardDeviation: 0.001, using: &rng)
        #expect(truncated.storage.allSatisfy { abs($0) <= 0.002 })
        #expect(truncated.storage.contains { abs($0) > 0.0015 })
        let mask = Kernels.dropoutMask(rows: 100, columns: 100, keepProbability: 0.25, using: &rng)
        #expect(mask.storage.allSatisfy { $0 == 0 || $0 == 4 })
        let kept = Double(mask.storage.filter { $0 > 0 }.count) / 10_000
        #expect(abs(kept - 0.25) < 0.03)
    }

    @Test func sparseDropoutKeepsASubsetScaledAndIsSeeded() {
        let s = Self.sparse(17, 33, seed: 14)
        var rngA = RandomGenerator(seed: 15), rngB = RandomGenerator(seed: 15)
        let a = Kernels.dropout(s, keepProbability: 0.5, using: &rngA)
        #expect(a == Kernels.dropout(s, keepProbability: 0.5, using: &rngB))
        #expect(a.nonZeroCount < s.nonZeroCount && a.nonZeroCount > 0)
        let original = Self.dense(s), dropped = Self.dense(a)
        for r in 0..<s.rows {
            for c in 0..<s.columns where dropped[r][c] != 0 { #expect(dropped[r][c] == 2 * original[r][c]) }
        }
        var rngC = RandomGenerator(seed: 1)
        #expect(Kernels.dropout(s, keepProbability: 1, using: &rngC) == s)
    }

    /// 3×7 covers the SIMD lanes and the scalar tail; 301×451 (> 2 chunks of 65,536) the threaded split.
    @Test(arguments: [(3, 7), (301, 451)])
    func adamAndSGDMatchNaiveUpdates(rows: Int, columns: Int) {
        var value = Self.dense(rows, columns, seed: 16)
        let start = value
        let gradient = Self.dense(rows, columns, seed: 17)
        var m = Self.dense(rows, columns, seed: 18, scale: 0.1)
        var v = Matrix(rows: rows, columns: columns, storage: Self.dense(rows, columns, seed: 19, scale: 0.1).storage.map { $0 * $0 })
        let (m0, v0) = (m, v)
        Kernels.adamUpdate(value: &value, gradient: gradient, firstMoment: &m, secondMoment: &v, learningRate: 0.01,
                           beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1, step: 3)
        for i in 0..<value.count {
            let g = Double(gradient.storage[i]) + 0.1 * Double(start.storage[i])
            let mi = 0.9 * Double(m0.storage[i]) + 0.1 * g, vi = 0.999 * Double(v0.storage[i]) + 0.001 * g * g
            let expected = Double(start.storage[i]) - 0.01 * (mi / (1 - pow(0.9, 3))) / ((vi / (1 - pow(0.999, 3))).squareRoot() + 1e-8)
            #expect(Self.close(Double(m.storage[i]), mi) && Self.close(Double(v.storage[i]), vi, 1e-3))
            #expect(Self.close(Double(value.storage[i]), expected, 1e-5))
        }
        var sgdValue = start, velocity = m0
        Kernels.sgdUpdate(value: &sgdValue, gradient: gradient, velocity: &velocity, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        for i in 0..<start.count {
            let b = 0.9 * Double(m0.storage[i]) + Double(gradient.storage[i]) + 0.01 * Double(start.storage[i])
            #expect(Self.close(Double(velocity.storage[i]), b) && Self.close(Double(sgdValue.storage[i]), Double(start.storage[i]) - 0.1 * b))
        }
    }
}
