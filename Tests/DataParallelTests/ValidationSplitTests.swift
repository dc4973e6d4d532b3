import Testing
import ModelKit
import NeuralNet
import RecCore
import TestSupport
import ZooCatalog

/// Validation scored in parts: the parts of 3 members add up to the whole rule's value.
struct ValidationSplitTests {
    @Test func threePartsOfTheRankingValidationAddUpToTheWhole() throws {
        let entry = try #require(ModelZoo.standard.entries.first { $0.task == .ranking })
        let model = try ZooTesting.make(entry, epochs: 1)
        let rule = try #require(RankingTask().validation(on: ToyData.clicks))
        let partial = try #require(rule.partialScore)
        #expect(rule.rowCount == ToyData.clicks.validation.foldIn.rows && rule.rowCount > 3)
        let parts = (0..<3).map { partial(model, BatchShard.rows(of: rule.rowCount, rank: $0, size: 3)) }
        let whole = rule.score(model)
        let combined = parts.reduce(0) { $0 + $1.sum } / Double(parts.reduce(0) { $0 + $1.count })
        #expect(whole.isFinite && abs(combined - whole) <= 1e-12, "parts \(combined), whole \(whole)")
    }

    @Test func ratingValidationIsNotSplit() throws {
        let rule = try #require(RatingTask().validation(on: ToyData.ratings))
        #expect(rule.partialScore == nil)                         // I-AutoRec scores an item from every user's ratings
    }
}
