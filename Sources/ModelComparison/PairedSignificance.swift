import Foundation
import RecCore

/// One pair of models compared on the same seed's test users.
public struct PairedComparison: Sendable, Codable, Equatable {
    /// The pair, in the table's order.
    public var first: String, second: String
    /// The seed both ran with.
    public var seed: UInt64
    /// Users with a figure from both models.
    public var users: Int
    /// Mean over users of first − second.
    public var meanDifference: Double
    /// Two-sided paired t-test p-value, and Holm-adjusted over the seed's pairs.
    public var tTestP: Double, tTestPHolm: Double
    /// Two-sided Wilcoxon signed-rank p-value (SciPy's defaults), and Holm-adjusted over the seed's pairs.
    public var wilcoxonP: Double, wilcoxonPHolm: Double
    /// Which null distribution the Wilcoxon p-value came from (`exact`, `permutation`, `asymptotic`).
    public var wilcoxonMethod: PairedTests.WilcoxonMethod

    private enum CodingKeys: String, CodingKey {
        case first, second, seed, users, meanDifference, tTestP, tTestPHolm, wilcoxonP, wilcoxonPHolm, wilcoxonMethod
    }

    /// Writes a p-value that is not finite (every difference zero) as null.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(first, forKey: .first)
        try container.encode(second, forKey: .second)
        try container.encode(seed, forKey: .seed)
        try container.encode(users, forKey: .users)
        for (value, key) in [(meanDifference, CodingKeys.meanDifference), (tTestP, .tTestP), (tTestPHolm, .tTestPHolm),
                             (wilcoxonP, .wilcoxonP), (wilcoxonPHolm, .wilcoxonPHolm)] {
            try container.encode(value.isFinite ? value : nil, forKey: key)
        }
        try container.encode(wilcoxonMethod, forKey: .wilcoxonMethod)
    }

    /// Reads null as NaN.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        first = try container.decode(String.self, forKey: .first)
        second = try container.decode(String.self, forKey: .second)
        seed = try container.decode(UInt64.self, forKey: .seed)
        users = try container.decode(Int.self, forKey: .users)
        func number(_ key: CodingKeys) throws -> Double { try container.decodeIfPresent(Double.self, forKey: key) ?? .nan }
        (meanDifference, tTestP, tTestPHolm) = (try number(.meanDifference), try number(.tTestP), try number(.tTestPHolm))
        (wilcoxonP, wilcoxonPHolm) = (try number(.wilcoxonP), try number(.wilcoxonPHolm))
        wilcoxonMethod = try container.decode(PairedTests.WilcoxonMethod.self, forKey: .wilcoxonMethod)
    }

    init(first: String, second: String, seed: UInt64, users: Int, meanDifference: Double, tTestP: Double,
         wilcoxonP: Double, wilcoxonMethod: PairedTests.WilcoxonMethod) {
        (self.first, self.second, self.seed, self.users, self.meanDifference) = (first, second, seed, users, meanDifference)
        (self.tTestP, self.tTestPHolm, self.wilcoxonP, self.wilcoxonPHolm) = (tTestP, .nan, wilcoxonP, .nan)
        self.wilcoxonMethod = wilcoxonMethod
    }
}

/// Every pair of models tested on the per-user figure of their task, per seed, Holm-corrected over
/// the seed's pairs, and the models not significantly worse than the table's best.
public struct PairedSignificance: Sendable, Codable, Equatable {
    /// The per-user figure compared (`NDCG@100`; `MSE`, each user's mean squared error).
    public var metric: MetricDefinition
    /// The level the table's marks use.
    public var alpha: Double
    /// The model with the best table metric (the table's `*`).
    public var best: String
    /// Models whose Holm-adjusted paired t-test against `best` has p ≥ `alpha` (or no p-value: every
    /// difference zero) in at least one seed — the table's `=`.
    public var notSignificantlyWorse: [String]
    /// Every pair, seed by seed.
    public var pairs: [PairedComparison]

    /// The tests for `results`, or nil when fewer than two models have per-user figures.
    /// `best` names the table's best model; pairs whose users differ are left out.
    public static func compute(_ results: [ModelResult], metric: MetricDefinition, best: String,
                               alpha: Double = 0.05) -> PairedSignificance? {
        let tested = results.filter { $0.runs.contains { !$0.perUserValues.isEmpty } }
        guard tested.count >= 2, tested.contains(where: { $0.model == best }) else { return nil }
        let seeds = Array(Set(tested.flatMap { $0.runs.map(\.seed) })).sorted()
        var pairs: [PairedComparison] = []
        for seed in seeds {
            var seedPairs: [PairedComparison] = []
            let runs = tested.compactMap { result in result.runs.first { $0.seed == seed && !$0.perUserValues.isEmpty }.map { (result.model, $0) } }
            for (i, (firstName, first)) in runs.enumerated() {
                for (secondName, second) in runs[(i + 1)...] where first.perUserIDs == second.perUserIDs {
                    let t = PairedTests.tTest(first.perUserValues, second.perUserValues)
                    let w = PairedTests.wilcoxon(first.perUserValues, second.perUserValues)
                    let mean = zip(first.perUserValues, second.perUserValues).reduce(0) { $0 + $1.0 - $1.1 }
                        / Double(max(1, first.perUserValues.count))
                    seedPairs.append(PairedComparison(first: firstName, second: secondName, seed: seed,
                                                      users: first.perUserValues.count, meanDifference: mean,
                                                      tTestP: t.pValue, wilcoxonP: w.pValue, wilcoxonMethod: w.method))
                }
            }
            let tHolm = PairedTests.holm(seedPairs.map(\.tTestP)), wHolm = PairedTests.holm(seedPairs.map(\.wilcoxonP))
            for index in seedPairs.indices {
                (seedPairs[index].tTestPHolm, seedPairs[index].wilcoxonPHolm) = (tHolm[index], wHolm[index])
            }
            pairs += seedPairs
        }
        let notWorse = tested.map(\.model).filter { model in
            model != best && pairs.contains { pair in
                Set([pair.first, pair.second]) == Set([model, best]) && !(pair.tTestPHolm < alpha)
            }
        }
        return PairedSignificance(metric: metric, alpha: alpha, best: best, notSignificantlyWorse: notWorse, pairs: pairs)
    }

    /// The pairs as CSV: one line per (seed, pair).
    public func csv() -> String {
        var lines = ["seed,first,second,metric,users,mean_difference,t_test_p,t_test_p_holm,wilcoxon_p,wilcoxon_p_holm,wilcoxon_method"]
        for pair in pairs {
            lines.append(["\(pair.seed)", pair.first, pair.second, metric.key, "\(pair.users)", "\(pair.meanDifference)",
                          "\(pair.tTestP)", "\(pair.tTestPHolm)", "\(pair.wilcoxonP)", "\(pair.wilcoxonPHolm)",
                          pair.wilcoxonMethod.rawValue].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Pretty-printed JSON (keys sorted).
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// The per-user figures of every run as CSV (`model,seed,user,<metric key>`), for other tools.
    public static func perUserCSV(_ results: [ModelResult], metric: MetricDefinition) -> String {
        var lines = ["model,seed,user,\(metric.key)"]
        for result in results {
            for run in result.runs {
                for (user, value) in zip(run.perUserIDs, run.perUserValues) {
                    lines.append("\(result.model),\(run.seed),\(user),\(value)")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
