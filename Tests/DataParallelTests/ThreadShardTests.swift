import Foundation
import Testing
import Kernels
import ModelKit
import NeuralNet
import RecCore
import TestSupport
import ZooCatalog

/// What one fit shows: the loss and validation metric of each epoch and the test metrics.
struct FitOutcome: Sendable {
    var losses: [Double] = [], validation: [Double] = []
    var metrics: [String: Double] = [:]
    /// The evaluated test users and the task's per-user values (test scoring split when in a group).
    var users: [Int64] = [], perUser: [Double] = []
    /// Every parameter's values after the fit, in order.
    var parameters: [Float] = []
}

/// The trainer's data-parallel path with threads as ranks (no MPI needed): for every
/// gradient-trained entry, 3 members (uneven shards of every batch, of the validation and of the
/// test users, gathered) give one process's numbers within float re-association: loss within 1e-5
/// relative per epoch, metrics and every test user's value within 1e-4, the same users in order.
@Suite(.serialized) struct ThreadShardTests {
    /// The catalog entries trained by gradient steps.
    static let gradientTrained: [String] = ModelZoo.standard.entries.filter { entry in
        (try? ZooTesting.make(entry, epochs: 1)) is any StepTrainedModel
    }.map(\.name)

    static func fit(_ name: String, group: (any DataParallelGroup)?, reproducible: Int? = nil) throws -> FitOutcome {
        let entry = try ModelZoo.standard.entry(named: name)
        let model = try ZooTesting.make(entry, epochs: 3)
        var outcome = FitOutcome()
        try ZooTesting.fit(model, task: entry.task, dataParallel: group, reproducibleShards: reproducible) { report in
            outcome.losses.append(report.loss)
            outcome.validation.append(report.validationMetric ?? .nan)
        }
        let report = try Kernels.withSumsIndependentOfThreads(reproducible != nil) {
            try ZooTesting.evaluate(model, task: entry.task, dataParallel: group)
        }
        outcome.metrics = report.values.mapValues(\.mean)
        outcome.users = report.users
        outcome.perUser = report.perUser[ToyData.task(entry.task).perUserMetric.key] ?? []
        outcome.parameters = model.parameters.flatMap(\.value.storage)
        return outcome
    }

    /// Rank 0's outcome of `size` threads fitting `name` together (every member's error rethrown).
    static func fitTogether(_ name: String, size: Int, reproducible: Int? = nil) throws -> FitOutcome {
        let collective = ThreadCollective(size: size)
        let box = OutcomeBox()
        let threads = (0..<size).map { rank in
            Thread {
                do {
                    let outcome = try fit(name, group: collective.member(rank), reproducible: reproducible)
                    box.set(rank, .success(outcome))
                } catch {
                    box.set(rank, .failure(error))
                }
            }
        }
        threads.forEach { $0.stackSize = 8 << 20; $0.start() }
        return try box.wait(for: size)[0].get()
    }

    @Test(arguments: gradientTrained)
    func threeUnevenShardsGiveOneProcesssNumbers(_ name: String) throws {
        let alone = try Self.fit(name, group: nil)
        let together = try Self.fitTogether(name, size: 3)
        #expect(alone.losses.count == together.losses.count && !alone.losses.isEmpty)
        for (epoch, (a, b)) in zip(alone.losses, together.losses).enumerated() {
            #expect(abs(a - b) <= 1e-5 * max(1, abs(a)), "\(name) epoch \(epoch + 1): loss \(a) alone, \(b) in 3 shards")
        }
        for (key, value) in alone.metrics {
            let other = together.metrics[key] ?? .nan
            #expect(abs(value - other) <= 1e-4, "\(name) \(key): \(value) alone, \(other) in 3 shards")
        }
        #expect(alone.users == together.users && !alone.users.isEmpty && alone.perUser.count == together.perUser.count)
        let largest = zip(alone.perUser, together.perUser).map { abs($0 - $1) }.max() ?? .nan
        #expect(largest <= 1e-4, "\(name): per-user values differ by up to \(largest)")
    }

    /// The reproducible mode (6 parts per batch): 2 and 3 members (3 uneven) train to one
    /// process's bits: every epoch's loss and validation metric, every parameter, every test metric
    /// and per-user value. The deep AE replays its re-feeding update part by part.
    @Test(arguments: gradientTrained)
    func reproducibleModeGivesOneProcesssBitsOnTwoAndThreeMembers(_ name: String) throws {
        let alone = try Self.fit(name, group: nil, reproducible: 6)
        #expect(!alone.parameters.isEmpty && alone.losses.count == 3)
        for size in [2, 3] {
            let together = try Self.fitTogether(name, size: size, reproducible: 6)
            #expect(alone.losses.map(\.bitPattern) == together.losses.map(\.bitPattern),
                    "\(name) on \(size): losses \(alone.losses) alone, \(together.losses) together")
            #expect(alone.validation.map(\.bitPattern) == together.validation.map(\.bitPattern), "\(name) on \(size): validation")
            #expect(alone.parameters.map(\.bitPattern) == together.parameters.map(\.bitPattern), "\(name) on \(size): parameters differ")
            #expect(alone.metrics == together.metrics && alone.users == together.users
                    && alone.perUser.map(\.bitPattern) == together.perUser.map(\.bitPattern), "\(name) on \(size): test report")
        }
    }

    /// The reproducible mode is a different sum, not a different model: its first epoch's loss is
    /// the ordinary run's within float rounding, and both learn (a mode that skipped updates would
    /// keep the initial parameters).
    @Test(arguments: gradientTrained)
    func reproducibleModeTrainsLikeTheOrdinaryRun(_ name: String) throws {
        let ordinary = try Self.fit(name, group: nil)
        let reproducible = try Self.fit(name, group: nil, reproducible: 6)
        #expect(abs(ordinary.losses[0] - reproducible.losses[0]) <= 1e-4 * max(1, abs(ordinary.losses[0])),
                "\(name): epoch 1 loss \(ordinary.losses[0]) ordinary, \(reproducible.losses[0]) reproducible")
        let entry = try ModelZoo.standard.entry(named: name)
        let initial = try ZooTesting.make(entry, epochs: 3).parameters.flatMap(\.value.storage)
        #expect(initial.count == reproducible.parameters.count && initial != reproducible.parameters, "\(name): no update applied")
    }

    /// EASE in 3 members forms the Gram of each shard of users and sums them: integer counts, so
    /// B and the test report are one process's bit for bit; the validation NDCG is a sum of three
    /// parts (re-associated: within 1e-12).
    @Test func easeSumsItsGramOverThreeShardsOfUsers() throws {
        let alone = try Self.fit("ease", group: nil)
        let together = try Self.fitTogether("ease", size: 3)
        #expect(!alone.parameters.isEmpty && alone.parameters.contains { $0 != 0 })
        #expect(alone.parameters.map(\.bitPattern) == together.parameters.map(\.bitPattern), "B differs from one process's")
        #expect(alone.validation.count == 1 && together.validation.count == 1
                && abs(alone.validation[0] - together.validation[0]) <= 1e-12, "\(alone.validation) \(together.validation)")
        #expect(alone.users == together.users && alone.perUser == together.perUser && alone.metrics == together.metrics)
    }

    @Test func membersWithDifferentDataStopWithOneError() {
        let collective = ThreadCollective(size: 2)
        let box = OutcomeBox()
        for rank in 0..<2 {
            Thread {
                do {
                    try collective.member(rank).requireAgreement(on: Array("data \(rank == 1 ? "B" : "A")".utf8), what: "data and options")
                    box.set(rank, .success(FitOutcome()))
                } catch { box.set(rank, .failure(error)) }
            }.start()
        }
        let results = box.wait(for: 2)
        for result in results {
            guard case .failure(let error) = result else { Issue.record("members with different data agreed"); continue }
            #expect(error as? DataParallelError == .membersDisagree(what: "data and options", ranks: [1]))
        }
    }
}

/// The members' results, filled from their threads.
final class OutcomeBox: @unchecked Sendable {
    private let condition = NSCondition()
    private var results: [Int: Result<FitOutcome, Error>] = [:]

    func set(_ rank: Int, _ result: Result<FitOutcome, Error>) {
        condition.lock()
        results[rank] = result
        condition.broadcast()
        condition.unlock()
    }

    /// The results of ranks 0 ..< `count`, once all have arrived.
    func wait(for count: Int) -> [Result<FitOutcome, Error>] {
        condition.lock()
        defer { condition.unlock() }
        while results.count < count { condition.wait() }
        return (0..<count).compactMap { results[$0] }
    }

    /// The results of ranks 0 ..< `count` once all have arrived, or nil when some had not after
    /// `timeout` seconds (members waiting for each other forever fail a test instead of hanging it).
    func wait(for count: Int, timeout: Double) -> [Result<FitOutcome, Error>]? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while results.count < count { if !condition.wait(until: deadline) && results.count < count { return nil } }
        return (0..<count).compactMap { results[$0] }
    }
}
