import Foundation

/// Top-N metrics of one user, from the ranked list (best first) and the held-out items.
///
/// Definitions follow the vae_cf reference code (Liang et al. 2018): relevance is binary, Recall@K
/// divides by min(K, |held-out|), and NDCG@K's ideal DCG places min(|held-out|, K) hits on top.
/// Each returns nil for a user without held-out items (such users are not averaged).
public enum RankingMetrics {
    /// Number of the first `k` ranked items that are relevant.
    public static func hits(ranked: [Int32], relevant: Set<Int32>, k: Int) -> Int {
        ranked.prefix(k).reduce(0) { $0 + (relevant.contains($1) ? 1 : 0) }
    }

    /// Recall@K = hits@K / min(K, |relevant|).
    public static func recall(ranked: [Int32], relevant: Set<Int32>, k: Int) -> Double? {
        guard !relevant.isEmpty, k > 0 else { return nil }
        return Double(hits(ranked: ranked, relevant: relevant, k: k)) / Double(min(k, relevant.count))
    }

    /// NDCG@K = Σ_{i<K} rel_i / log2(i + 2) divided by Σ_{i<min(|relevant|, K)} 1 / log2(i + 2).
    public static func ndcg(ranked: [Int32], relevant: Set<Int32>, k: Int) -> Double? {
        guard !relevant.isEmpty, k > 0 else { return nil }
        var dcg = 0.0
        for (position, item) in ranked.prefix(k).enumerated() where relevant.contains(item) {
            dcg += 1 / log2(Double(position + 2))
        }
        var ideal = 0.0
        for position in 0..<min(relevant.count, k) { ideal += 1 / log2(Double(position + 2)) }
        return dcg / ideal
    }

    /// Precision@K = hits@K / K (K, not the list length, even when fewer items could be ranked).
    public static func precision(ranked: [Int32], relevant: Set<Int32>, k: Int) -> Double? {
        guard !relevant.isEmpty, k > 0 else { return nil }
        return Double(hits(ranked: ranked, relevant: relevant, k: k)) / Double(k)
    }

    /// HitRate@K = 1 when at least one of the first K items is relevant, else 0.
    public static func hitRate(ranked: [Int32], relevant: Set<Int32>, k: Int) -> Double? {
        guard !relevant.isEmpty, k > 0 else { return nil }
        return hits(ranked: ranked, relevant: relevant, k: k) > 0 ? 1 : 0
    }
}

/// A metric averaged over users, with its standard error and the per-user values kept.
public struct MetricSummary: Sendable, Equatable {
    /// Name such as `NDCG@100`.
    public let name: String
    /// Mean over the evaluated users (NaN when there are none).
    public let mean: Double
    /// Standard error of the mean: population standard deviation / √n, as vae_cf reports it.
    public let standardError: Double
    /// The value of every evaluated user, aligned with `RankingReport.users` (for paired tests).
    public let perUser: [Double]

    /// A summary of `values` named `name`.
    public init(name: String, values: [Double]) {
        self.name = name
        perUser = values
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        self.mean = mean
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        standardError = values.isEmpty ? .nan : (variance / n).squareRoot()
    }
}

/// The result of a ranking evaluation.
public struct RankingReport: Sendable, Equatable {
    /// The cut-offs evaluated.
    public let cutoffs: [Int]
    /// Rows (of the evaluated matrices) of the users averaged: those with ≥ 1 held-out item.
    public let users: [Int]
    /// Recall, NDCG, Precision and HitRate at every cut-off.
    public let metrics: [MetricSummary]
    /// Item coverage at every cut-off: distinct items in the evaluated users' top-K lists / items.
    public let coverage: [Int: Double]

    /// The summary named `name` (e.g. `"Recall@20"`), or nil.
    public subscript(_ name: String) -> MetricSummary? { metrics.first { $0.name == name } }
    /// Recall@k, if evaluated.
    public func recall(at k: Int) -> MetricSummary? { self["Recall@\(k)"] }
    /// NDCG@k, if evaluated.
    public func ndcg(at k: Int) -> MetricSummary? { self["NDCG@\(k)"] }
    /// Precision@k, if evaluated.
    public func precision(at k: Int) -> MetricSummary? { self["Precision@\(k)"] }
    /// HitRate@k, if evaluated.
    public func hitRate(at k: Int) -> MetricSummary? { self["HitRate@\(k)"] }
}
