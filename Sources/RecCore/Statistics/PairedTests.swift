import Foundation

/// Two-sided paired tests on per-user figures, as SciPy 1.17 computes them (`scipy.stats.ttest_rel`
/// and `scipy.stats.wilcoxon` with its defaults), and Holm's step-down correction. NaN p-values
/// where SciPy gives NaN: fewer than two pairs, or every difference zero.
public enum PairedTests {
    /// The paired t-test of `first` against `second`: t = mean(d) / (sd(d) / √n), d = first − second,
    /// sd with n − 1; p = P(|T_{n−1}| ≥ |t|) (`ttest_rel(first, second)`).
    public static func tTest(_ first: [Double], _ second: [Double]) -> (statistic: Double, pValue: Double) {
        let differences = Self.differences(first, second)
        let n = Double(differences.count)
        guard differences.count > 1 else { return (.nan, .nan) }
        let mean = differences.reduce(0, +) / n
        let variance = differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        let t = mean / (variance / n).squareRoot()     // ±∞ when every difference is the same non-zero value; NaN when all are 0
        return (t, Distributions.studentTTwoSidedTail(t, degreesOfFreedom: n - 1))
    }

    /// Which null distribution a Wilcoxon p-value came from (SciPy's `method='auto'`).
    public enum WilcoxonMethod: String, Sendable, Codable {
        /// n ≤ 50 pairs, no zero differences, no ties: the exact distribution of R+.
        case exact
        /// n ≤ 13 pairs with zeros or ties: every one of the 2ⁿ sign flips (SciPy's permutation test, exact here).
        case permutation
        /// Otherwise: the normal approximation with the tie correction, no continuity correction.
        case asymptotic
    }

    /// The Wilcoxon signed-rank test of `first` against `second` with SciPy's defaults
    /// (`zero_method='wilcox'`: zero differences are dropped; `correction=False`; `method='auto'`,
    /// where n counts every pair, zeros included). The statistic is min(R+, R−).
    public static func wilcoxon(_ first: [Double], _ second: [Double])
        -> (statistic: Double, pValue: Double, method: WilcoxonMethod) {
        let all = Self.differences(first, second)
        let nonZero = all.filter { $0 != 0 }
        let (ranks, tieGroups) = averageRanks(nonZero.map(abs))
        var plus = 0.0, minus = 0.0
        for (difference, rank) in zip(nonZero, ranks) {
            if difference > 0 { plus += rank } else { minus += rank }
        }
        let statistic = min(plus, minus)
        let hasTies = tieGroups.contains { $0 > 1 }
        if all.count <= 50 && !hasTies && nonZero.count == all.count && !nonZero.isEmpty {
            return (statistic, exactPValue(plus, count: nonZero.count), .exact)
        }
        if all.count <= 13 && !all.isEmpty {
            return (statistic, signFlipPValue(plus, ranks: ranks), .permutation)
        }
        let n = Double(nonZero.count)
        let mean = n * (n + 1) / 4
        let tieCorrection = tieGroups.reduce(0.0) { $0 + Double($1) * Double($1) * Double($1) - Double($1) }
        let standardError = ((n * (n + 1) * (2 * n + 1) - tieCorrection / 2) / 24).squareRoot()
        let z = (plus - mean) / standardError
        return (statistic, z.isNaN ? .nan : min(1, 2 * Distributions.normalUpperTail(abs(z))), .asymptotic)
    }

    /// Holm's step-down adjustment: the i-th smallest of m p-values becomes max over j ≤ i of
    /// min(1, (m − j + 1) p₍ⱼ₎). A NaN p-value stays NaN and counts as 1 for the others' order.
    public static func holm(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        let order = pValues.indices.sorted { (pValues[$0].isNaN ? 2 : pValues[$0]) < (pValues[$1].isNaN ? 2 : pValues[$1]) }
        var adjusted = [Double](repeating: .nan, count: m)
        var running = 0.0
        for (position, index) in order.enumerated() where !pValues[index].isNaN {
            running = max(running, min(1, Double(m - position) * pValues[index]))
            adjusted[index] = running
        }
        return adjusted
    }

    /// first − second, element by element.
    private static func differences(_ first: [Double], _ second: [Double]) -> [Double] {
        precondition(first.count == second.count, "PairedTests: \(first.count) values paired with \(second.count)")
        return zip(first, second).map { $0 - $1 }
    }

    /// Ranks from 1 with ties given their average rank, and the size of every tie group.
    static func averageRanks(_ values: [Double]) -> (ranks: [Double], tieGroups: [Int]) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count), groups: [Int] = []
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            let average = Double(start + 1 + end) / 2                         // mean of ranks start+1 … end
            for position in start..<end { ranks[order[position]] = average }
            groups.append(end - start)
            start = end
        }
        return (ranks, groups)
    }

    /// 2 min(P(R+ ≥ ⌊r⌋), P(R+ ≤ ⌈r⌉)) under the exact null of R+ for `count` untied pairs, at most 1.
    private static func exactPValue(_ plus: Double, count: Int) -> Double {
        // P(R+ = s): the number of subsets of {1, …, n} summing to s, over 2ⁿ (SciPy's recursion).
        var probabilities = [1.0]
        for k in 1...count {
            var next = [Double](repeating: 0, count: k * (k + 1) / 2 + 1)
            for (sum, probability) in probabilities.enumerated() {
                next[sum] += probability / 2
                next[sum + k] += probability / 2
            }
            probabilities = next
        }
        let lower = Int(plus.rounded(.up)), upper = Int(plus.rounded(.down))
        let cdf = probabilities[...min(lower, probabilities.count - 1)].reduce(0, +)
        let sf = probabilities[max(0, upper)...].reduce(0, +)
        return min(1, 2 * min(cdf, sf))
    }

    /// 2 min(P(R+ ≤ r), P(R+ ≥ r)) over every sign flip of the non-zero differences (the ranks stay),
    /// with SciPy's relative tolerance of 100 ε on the comparisons, at most 1.
    private static func signFlipPValue(_ plus: Double, ranks: [Double]) -> Double {
        let tolerance = abs(plus) * 100 * Double.ulpOfOne
        var atMost = 0, atLeast = 0
        let patterns = 1 << ranks.count
        for pattern in 0..<patterns {
            var sum = 0.0
            for (bit, rank) in ranks.enumerated() where pattern & (1 << bit) != 0 { sum += rank }
            if sum <= plus + tolerance { atMost += 1 }
            if sum >= plus - tolerance { atLeast += 1 }
        }
        return min(1, 2 * Double(min(atMost, atLeast)) / Double(patterns))
    }
}
