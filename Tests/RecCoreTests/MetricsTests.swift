import Foundation
import Testing
import TensorCore
@testable import RecCore

@Suite struct RankingMetricsTests {
    static let ranked: [Int32] = [3, 1, 4, 0, 2]

    @Test func handComputedAtThree() throws {
        let relevant: Set<Int32> = [1, 2]
        // Top-3 = {3, 1, 4}: one hit at rank 2.
        #expect(RankingMetrics.recall(ranked: Self.ranked, relevant: relevant, k: 3) == 0.5)      // 1 / min(3, 2)
        let ndcg = try #require(RankingMetrics.ndcg(ranked: Self.ranked, relevant: relevant, k: 3))
        #expect(abs(ndcg - (1 / log2(3.0)) / (1 + 1 / log2(3.0))) < 1e-12)                       // 0.386853
        #expect(abs(ndcg - 0.386853) < 1e-6)
        #expect(RankingMetrics.precision(ranked: Self.ranked, relevant: relevant, k: 3) == 1.0 / 3)
        #expect(RankingMetrics.hitRate(ranked: Self.ranked, relevant: relevant, k: 3) == 1)
        #expect(RankingMetrics.hitRate(ranked: Self.ranked, relevant: relevant, k: 1) == 0)
    }

    @Test func fewerHeldOutItemsThanK() throws {
        // One held-out item ranked first: recall and NDCG are 1 at every K ≥ 1 (denominators use min).
        for k in [1, 5, 100] {
            #expect(RankingMetrics.recall(ranked: [4, 0], relevant: [4], k: k) == 1)
            #expect(RankingMetrics.ndcg(ranked: [4, 0], relevant: [4], k: k) == 1)
        }
        // Two held-out items, only the second ranked, K = 5: recall 1/2, NDCG (1/log2 3)/(1 + 1/log2 3).
        #expect(RankingMetrics.recall(ranked: [9, 7, 8], relevant: [7, 6], k: 5) == 0.5)
        let ndcg = try #require(RankingMetrics.ndcg(ranked: [9, 7, 8], relevant: [7, 6], k: 5))
        #expect(abs(ndcg - 0.386853) < 1e-6)
    }

    @Test func moreHeldOutItemsThanK() {
        // Recall@2 with 4 held-out items divides by K = 2, not 4.
        #expect(RankingMetrics.recall(ranked: [1, 2, 3], relevant: [1, 2, 5, 6], k: 2) == 1)
        #expect(RankingMetrics.ndcg(ranked: [1, 2, 3], relevant: [1, 2, 5, 6], k: 2) == 1)
    }

    @Test func userWithoutHeldOutItemsHasNoValue() {
        #expect(RankingMetrics.recall(ranked: Self.ranked, relevant: [], k: 3) == nil)
        #expect(RankingMetrics.ndcg(ranked: Self.ranked, relevant: [], k: 3) == nil)
        #expect(RankingMetrics.precision(ranked: Self.ranked, relevant: [], k: 3) == nil)
        #expect(RankingMetrics.hitRate(ranked: Self.ranked, relevant: [], k: 3) == nil)
    }

    @Test func summaryMeanAndStandardError() {
        let summary = MetricSummary(name: "x", values: [0, 1])
        #expect(summary.mean == 0.5)
        #expect(abs(summary.standardError - 0.5 / 2.0.squareRoot()) < 1e-12)   // population sd / √n
        #expect(MetricSummary(name: "y", values: []).mean.isNaN)
    }
}

@Suite struct RankingEvaluationTests {
    // Users: 0 has a tie between items 0 and 1 and item 2 folded in; 1 has no target; 2 is a clean hit.
    static let scores = Matrix([[0.5, 0.5, 0.9, 0.1], [1, 2, 3, 4], [0, 0, 0, 1]])
    static let foldIn = SparseMatrix(dense: Matrix([[0, 0, 1, 0], [1, 0, 0, 0], [1, 0, 0, 0]]))
    static let target = SparseMatrix(dense: Matrix([[0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1]]))

    @Test func masksFoldInBreaksTiesLowAndSkipsUsersWithoutTargets() throws {
        let report = RankingEvaluation.evaluate(scores: Self.scores, foldIn: Self.foldIn, target: Self.target,
                                                cutoffs: [1, 2])
        #expect(report.users == [0, 2])
        // User 0: fold-in item 2 masked, tie 0/1 → [0, 1]; user 2: [3, ...].
        let recall1 = try #require(report.recall(at: 1))
        #expect(recall1.perUser == [0, 1])
        #expect(recall1.mean == 0.5)
        #expect(abs(recall1.standardError - 0.5 / 2.0.squareRoot()) < 1e-12)
        let ndcg2 = try #require(report.ndcg(at: 2))
        #expect(abs(ndcg2.perUser[0] - 1 / log2(3.0)) < 1e-12)
        #expect(ndcg2.perUser[1] == 1)
        #expect(report.precision(at: 2)?.perUser == [0.5, 0.5])
        #expect(report.hitRate(at: 1)?.perUser == [0, 1])
        #expect(report.coverage[1] == 0.5)          // items {0, 3} of 4
        #expect(report.coverage[2] == 0.75)         // items {0, 1, 3}
    }

    @Test(arguments: [1, 2, 5])
    func batchedClosureMatchesTheFullMatrix(batchSize: Int) {
        let full = RankingEvaluation.evaluate(scores: Self.scores, foldIn: Self.foldIn, target: Self.target,
                                              cutoffs: [1, 2, 3])
        var calls = 0
        let batched = RankingEvaluation.evaluate(foldIn: Self.foldIn, target: Self.target, cutoffs: [1, 2, 3],
                                                 batchSize: batchSize) { batch in
            calls += 1
            // Batches come in row order, so the call count locates the batch's rows.
            let start = (calls - 1) * batchSize
            return Matrix(rows: batch.rows, columns: 4,
                          storage: Array(Self.scores.storage[(start * 4)..<((start + batch.rows) * 4)]))
        }
        #expect(batched == full)
        #expect(calls == (3 + batchSize - 1) / batchSize)
    }
}

@Suite struct RatingEvaluationTests {
    @Test func clipsAndComputesRMSEAndMAE() {
        // Predictions 6 → 5 (error 1), 0 → 1 (error −1), 3 vs 4 (error −1), 2.5 vs 2.5.
        let report = RatingEvaluation.errors(predictions: [6, 0, 3, 2.5], targets: [4, 2, 4, 2.5], range: 1...5)
        // Errors after clipping: 1, −1, −1, 0 → RMSE √(3/4), MAE 3/4.
        #expect(abs(report.rmse - (0.75).squareRoot()) < 1e-12)
        #expect(report.mae == 0.75)
        #expect(report.count == 4)
    }

    @Test func unseenUsersAndItemsGetTheDefaultRating() {
        // Train: user 0 rated item 0. Test: (0,0)=4 seen; (0,1)=5 unseen item; (1,0)=2 unseen user.
        let train = SparseMatrix(dense: Matrix([[3, 0], [0, 0]]))
        let test = SparseMatrix(dense: Matrix([[4, 5], [2, 0]]))
        let report = RatingEvaluation.evaluate(test: test, train: train, range: 1...5) { rows in
            Matrix(rows: rows.count, columns: 2, repeating: 4.5)
        }
        // Predictions: 4.5 (seen), 3 (default), 3 (default) → errors 0.5, −2, 1.
        #expect(report.defaultedCount == 2)
        #expect(abs(report.rmse - ((0.25 + 4 + 1) / 3).squareRoot()) < 1e-9)
        #expect(abs(report.mae - 3.5 / 3) < 1e-9)
    }
}
