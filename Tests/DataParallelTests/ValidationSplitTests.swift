import Foundation
import Testing
import ModelKit
import NeuralNet
import RecCore
import TestSupport
import ZooCatalog

/// Validation and test scoring in parts: the parts of 3 members give the whole rule's value and
/// the whole test report (the same users in the same order, the same per-user values).
struct ValidationSplitTests {
    /// A catalog entry of `task` trained one epoch on its toy data.
    static func trained(_ task: TaskName) throws -> any ZooModel {
        let entry = try #require(ModelZoo.standard.entries.first { $0.task == task && $0.name != "popularity" })
        let model = try ZooTesting.make(entry, epochs: 1)
        try ZooTesting.fit(model, task: task, validate: false)
        return model
    }

    @Test(arguments: [TaskName.ranking, .rating])
    func threePartsOfTheValidationGiveTheWhole(_ task: TaskName) throws {
        let model = try Self.trained(task)
        let rule = try #require(task == .rating ? RatingTask().validation(on: ToyData.ratings) : RankingTask().validation(on: ToyData.clicks))
        let partial = try #require(rule.partialScore)
        #expect(rule.rowCount > 3)
        let parts = (0..<3).map { partial(model, BatchShard.rows(of: rule.rowCount, rank: $0, size: 3)) }
        let whole = rule.score(model)
        let combined = rule.finish(parts.reduce(0) { $0 + $1.sum }, parts.reduce(0) { $0 + $1.count })
        #expect(whole.isFinite && abs(combined - whole) <= 1e-12, "\(task): parts \(combined), whole \(whole)")
    }

    @Test(arguments: [TaskName.ranking, .rating])
    func threePartsOfTheTestScoringGiveTheWholeReport(_ task: TaskName) throws {
        let model = try Self.trained(task)
        let whole = ZooTesting.evaluate(model, task: task)
        let scoring: TestScoring = try #require(task == .rating ? RatingTask().testScoring(model, on: ToyData.ratings)
                                                                : RankingTask().testScoring(model, on: ToyData.clicks))
        let parts = (0..<3).map { scoring.part(BatchShard.rows(of: scoring.rowCount, rank: $0, size: 3)) }
        #expect(parts.allSatisfy { !$0.isEmpty })
        let report = scoring.report(parts.flatMap { $0 })
        #expect(report.users == whole.users && !whole.users.isEmpty)
        #expect(report.evaluatedCount == whole.evaluatedCount && report.counts == whole.counts)
        for (key, values) in whole.perUser {
            let other = report.perUser[key] ?? []
            #expect(other.count == values.count)
            let largest = zip(values, other).map { abs($0 - $1) }.max() ?? .nan
            #expect(largest <= 1e-6, "\(task) \(key): per-user values differ by up to \(largest)")
        }
        for (key, value) in whole.values {
            #expect(abs(value.mean - (report.values[key]?.mean ?? .nan)) <= 1e-9, "\(task) \(key)")
        }
    }

    @Test func gatheringValuesOfUnequalLengthsKeepsRankOrder() throws {
        let collective = ThreadCollective(size: 3)
        let sent: [[Double]] = [[1, 2, 3], [], [4.5, -0.0]]
        let results = GatherBox()
        let threads = (0..<3).map { rank in
            Thread { results.set(rank, Result { try collective.member(rank).allGather(values: sent[rank]) }) }
        }
        threads.forEach { $0.start() }
        for result in results.wait(for: 3) {
            let gathered = try result.get()
            #expect(gathered.count == 3 && zip(gathered, sent).allSatisfy { $0.map(\.bitPattern) == $1.map(\.bitPattern) }, "\(gathered)")
        }
    }
}

/// The gathered values of each thread.
final class GatherBox: @unchecked Sendable {
    private let condition = NSCondition()
    private var results: [Int: Result<[[Double]], Error>] = [:]

    func set(_ rank: Int, _ result: Result<[[Double]], Error>) {
        condition.lock()
        results[rank] = result
        condition.broadcast()
        condition.unlock()
    }

    func wait(for count: Int) -> [Result<[[Double]], Error>] {
        condition.lock()
        defer { condition.unlock() }
        while results.count < count { condition.wait() }
        return (0..<count).compactMap { results[$0] }
    }
}
