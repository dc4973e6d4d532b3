import Testing
import TensorCore
@testable import RecCore

/// The paired tests against SciPy. Every expected value below was printed once by SciPy 1.17.1
/// (NumPy 2.4.6) with `scipy.stats.ttest_rel(a, b)` and `scipy.stats.wilcoxon(a, b)` at their
/// defaults (two-sided; wilcoxon: zero_method='wilcox', correction=False, method='auto'), and
/// `2 * scipy.stats.t.sf(x, df)`, `scipy.stats.norm.sf(z)`, `scipy.special.betainc(a, b, x)`.
@Suite struct PairedTestsTests {
    struct Case {
        let name: String, a: [Double], b: [Double]
        let t: Double, tP: Double, w: Double, wP: Double, method: PairedTests.WilcoxonMethod
    }

    static let cases: [Case] = [
        // n = 10, no ties, no zero differences: SciPy's exact null of R+.
        Case(name: "exact", a: [0.61, 0.42, 0.77, 0.35, 0.58, 0.91, 0.23, 0.49, 0.66, 0.81],
             b: [0.52, 0.45, 0.6, 0.21, 0.5, 0.7, 0.3, 0.3, 0.62, 0.68],
             t: 3.242616706734873, tP: 0.010116194169214249, w: 4.0, wP: 0.013671875, method: .exact),
        // n = 12, two zero differences and ties among the rest: every sign flip (SciPy's permutation test).
        Case(name: "permutation", a: [0.5, 0.4, 0.3, 0.6, 0.2, 0.7, 0.5, 0.1, 0.8, 0.4, 0.3, 0.9],
             b: [0.4, 0.4, 0.1, 0.5, 0.3, 0.5, 0.5, 0.0, 0.6, 0.3, 0.4, 0.6],
             t: 2.5605956819274334, tP: 0.02649048635007241, w: 7.5, wP: 0.041015625, method: .permutation),
        // n = 30, 8 zero differences, 22 others in 6 tie groups: normal approximation with tie correction.
        Case(name: "asymptotic-ties",
             a: [0.0, 0.35, 0.7, 0.75, 1.1, 0.2, 0.25, 0.6, 0.95, 1.0, 0.1, 0.45, 0.5, 0.85, 1.2,
                 0.0, 0.35, 0.7, 0.75, 1.1, 0.2, 0.25, 0.6, 0.95, 1.0, 0.1, 0.45, 0.5, 0.85, 1.2],
             b: [0.0, 0.6, 0.95, 1.0, 1.1, 0.45, 0.5, 0.1, 0.95, 0.0, 0.35, 0.7, 0.5, 1.1, 0.2,
                 0.25, 0.35, 0.95, 1.0, 0.1, 0.2, 0.0, 0.85, 1.2, 1.0, 0.35, 0.7, 0.75, 0.85, 0.2],
             t: 0.32049253712345627, tP: 0.7508929991367924, w: 110.5, wP: 0.5961408873066187, method: .asymptotic),
        // n = 60 (> 50) without ties: normal approximation.
        Case(name: "asymptotic-large",
             a: [0.6251, 0.8972, 0.7757, 0.2252, 0.3002, 0.8736, 0.0053, 0.8212, 0.7971, 0.4679, 0.303, 0.2784,
                 0.2549, 0.4451, 0.5045, 0.5535, 0.9955, 0.7927, 0.6222, 0.989, 0.2153, 0.1602, 0.6125, 0.0439,
                 0.0357, 0.5149, 0.4662, 0.9172, 0.6292, 0.5141, 0.4969, 0.2475, 0.0118, 0.1924, 0.692, 0.2006,
                 0.3695, 0.0037, 0.83, 0.1545, 0.2676, 0.8803, 0.5098, 0.8472, 0.6397, 0.7418, 0.0915, 0.5411,
                 0.5078, 0.8713, 0.3613, 0.5982, 0.0593, 0.3876, 0.323, 0.1502, 0.8163, 0.3794, 0.9787, 0.59],
             b: [0.6627, 0.8469, 0.792, 0.1825, 0.3889, 0.9015, -0.0051, 0.7013, 0.6526, 0.5703, 0.3525, 0.1837,
                 0.4241, 0.4614, 0.4842, 0.3978, 0.8966, 0.7954, 0.6291, 0.984, 0.0329, 0.173, 0.6129, -0.0214,
                 0.0178, 0.5046, 0.5476, 0.8884, 0.6436, 0.3675, 0.4016, 0.2199, -0.085, 0.1964, 0.5568, 0.1711,
                 0.2812, 0.1028, 0.7653, 0.2933, 0.4411, 0.8807, 0.5698, 0.8008, 0.3852, 0.795, 0.1239, 0.4906,
                 0.4285, 0.8589, 0.3519, 0.498, -0.0227, 0.461, 0.3009, 0.1167, 0.8917, 0.3234, 1.0345, 0.4628],
             t: 1.8479362376647135, tP: 0.069625905612939, w: 670.0, wP: 0.07129517575940755, method: .asymptotic),
        // n = 8, one zero difference, no ties: SciPy leaves the exact null for the permutation test.
        Case(name: "one-zero", a: [0.3, 0.5, 0.8, 0.2, 0.9, 0.4, 0.6, 0.7],
             b: [0.3, 0.35, 0.6, 0.25, 0.55, 0.1, 0.58, 0.77],
             t: 1.9758246956045842, tP: 0.08872620541341363, w: 5.0, wP: 0.15625, method: .permutation),
    ]

    @Test(arguments: cases.map(\.name)) func matchesSciPy(_ name: String) throws {
        let c = try #require(Self.cases.first { $0.name == name })
        let t = PairedTests.tTest(c.a, c.b)
        #expect(abs(t.statistic - c.t) < 1e-9, "\(name): t \(t.statistic), SciPy \(c.t)")
        #expect(abs(t.pValue - c.tP) < 1e-6, "\(name): t-test p \(t.pValue), SciPy \(c.tP)")
        let w = PairedTests.wilcoxon(c.a, c.b)
        #expect(w.statistic == c.w, "\(name): Wilcoxon statistic \(w.statistic), SciPy \(c.w)")
        #expect(abs(w.pValue - c.wP) < 1e-6, "\(name): Wilcoxon p \(w.pValue), SciPy \(c.wP)")
        #expect(w.method == c.method, "\(name): \(w.method), expected \(c.method)")
        // Swapping the models gives the same two-sided p-values.
        #expect(abs(PairedTests.wilcoxon(c.b, c.a).pValue - w.pValue) < 1e-12)
        #expect(abs(PairedTests.tTest(c.b, c.a).pValue - t.pValue) < 1e-12)
    }

    @Test func everyDifferenceZeroIsWhatSciPySays() {
        // ttest_rel([1,2,3], [1,2,3]) → nan; wilcoxon of five equal pairs → p 1.0; of twenty → nan.
        #expect(PairedTests.tTest([1, 2, 3], [1, 2, 3]).pValue.isNaN)
        #expect(PairedTests.wilcoxon([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]).pValue == 1)
        let twenty = (0..<20).map(Double.init)
        #expect(PairedTests.wilcoxon(twenty, twenty).pValue.isNaN)
    }

    @Test func distributionsMatchSciPy() {
        let tails: [(Double, Double, Double)] = [(0.5, 3, 0.651447964848151), (2.0, 1, 0.2951672353008665),
                                                 (2.5, 9999, 0.012435221140020176), (6.0, 30, 1.3942768767204764e-06),
                                                 (1e-3, 5, 0.9992407867721976)]
        for (t, df, expected) in tails {
            let value = Distributions.studentTTwoSidedTail(t, degreesOfFreedom: df)
            #expect(abs(value - expected) <= 1e-12 + 1e-9 * expected, "t \(t), df \(df): \(value), SciPy \(expected)")
        }
        let normal: [(Double, Double)] = [(0.5, 0.3085375387259869), (1.96, 0.024997895148220435),
                                          (5.0, 2.866515718791933e-07), (9.0, 1.1285884059538324e-19)]
        for (z, expected) in normal {
            let value = Distributions.normalUpperTail(z)
            #expect(abs(value - expected) <= 1e-12 * expected, "z \(z): \(value), SciPy \(expected)")
        }
        #expect(abs(Distributions.regularizedIncompleteBeta(0.3, a: 2.5, b: 0.5) - 0.018927124071945658) < 1e-13)
        #expect(abs(Distributions.regularizedIncompleteBeta(0.9, a: 0.5, b: 7.0) - 0.9999999780702157) < 1e-13)
    }

    @Test func studentCriticalValuesMatchSciPy() {
        // scipy.stats.t.ppf(0.975, df) for df = 1, 2, 4, 30.
        let cases: [(Double, Double)] = [(1, 12.706204736174694), (2, 4.302652729749462), (4, 2.7764451051977934),
                                         (30, 2.0422724563012378)]
        for (df, expected) in cases {
            let value = Distributions.studentTTwoSidedCritical(tail: 0.05, degreesOfFreedom: df)
            #expect(abs(value - expected) < 1e-9 * expected, "df \(df): \(value), SciPy \(expected)")
        }
    }

    @Test func holmStepsDownAndKeepsOrder() {
        // m = 4: sorted 0.01, 0.02, 0.03, 0.5 → 0.04, max(0.04, 0.06), max(0.06, 0.06), min(1, 0.5).
        let adjusted = PairedTests.holm([0.03, 0.01, 0.5, 0.02])
        let expected = [0.06, 0.04, 0.5, 0.06]
        for (value, want) in zip(adjusted, expected) { #expect(abs(value - want) < 1e-15, "\(adjusted)") }
        // A NaN stays NaN and counts as the largest; values are capped at 1.
        let withNaN = PairedTests.holm([0.4, .nan, 0.3])
        #expect(withNaN[1].isNaN && abs(withNaN[2] - 0.9) < 1e-15 && withNaN[0] == withNaN[2])   // 0.4 · 2 < 0.3 · 3: step-down keeps the larger
        #expect(PairedTests.holm([0.6, 0.7]) == [1, 1])
    }

    @Test func averageRanksShareTies() {
        let (ranks, groups) = PairedTests.averageRanks([0.3, 0.1, 0.3, 0.2])
        #expect(ranks == [3.5, 1, 3.5, 2] && groups == [1, 1, 2])
    }
}

/// The rating task's per-user figure: each user's mean squared error, clipped as RMSE is.
@Suite struct PerUserRatingErrorTests {
    @Test func perUserMeanSquaredErrorsWeighBackToRMSE() {
        // Users 0 and 2 have ratings, user 1 none; the prediction 6.5 is clipped to 5.
        let test = SparseMatrix(dense: Matrix([[4, 0, 2], [0, 0, 0], [0, 5, 0]]))
        let predictions: [Float] = [3.5, 2.5, 6.5]
        let perUser = RatingEvaluation.meanSquaredErrorPerRow(predictions: predictions, test: test)
        #expect(perUser.rows == [0, 2])
        #expect(perUser.values == [(0.25 + 0.25) / 2, 0])
        let rmse = RatingEvaluation.errors(predictions: predictions, targets: test.values).rmse
        let weighted = (perUser.values[0] * 2 + perUser.values[1] * 1) / 3
        #expect(abs(weighted.squareRoot() - rmse) < 1e-12)
    }
}
