import Foundation
import Testing
import ModelKit
import NeuralNet
import TestSupport
import ZooCatalog

/// A rank that fails stops every rank at the next fixed point (`MemberFailures.together`), with one
/// error on rank 0 naming the rank and its message, and a non-zero exit: threads as ranks, then
/// `mpirun` (an error injected after an epoch on rank 1 of `DataParallelCheck`; a data file that
/// rank 1 of `CompareModels` cannot open). A rank whose training step fails (an error, a NaN loss
/// on its shard, an error after its updates) stops every rank in the next loss reduction
/// (`StepFailures`), with threads and under `mpirun`; a rank killed by SIGKILL inside a step is
/// left to `mpirun`, which must end the job with a non-zero status. Every wait has a timeout, so a
/// rank left waiting fails the test instead of hanging it.
@Suite(.serialized) struct FaultTests {
    struct Broken: Error, CustomStringConvertible { var description: String { "disk full on this rank" } }

    /// The mini-batch-trained catalog entries (a full-batch step has no point where one rank's
    /// model can throw: its NaN is in the reduced loss every rank checks).
    static let miniBatchTrained: [String] = ThreadShardTests.gradientTrained.filter { name in
        guard let entry = try? ModelZoo.standard.entry(named: name),
              let model = try? ZooTesting.make(entry, epochs: 1) as? any StepTrainedModel,
              case .miniBatch = model.recipe.stepping else { return false }
        return true
    }

    /// Every member's outcome of `size` threads fitting `name` for 3 epochs, rank 1 meeting `fault` in
    /// epoch 2, batch `batch` (nil: its last); nil when a member was still waiting after `timeout` s.
    static func fitWithFault(_ name: String, size: Int, batch: Int?, fault: StepFault, reproducible: Int? = nil,
                             timeout: Double = 120) throws -> [Result<FitOutcome, Error>]? {
        let entry = try ModelZoo.standard.entry(named: name)
        guard let probe = try ZooTesting.make(entry, epochs: 3) as? any StepTrainedModel,
              case .miniBatch(let batchSize, _, _) = probe.recipe.stepping else {
            Issue.record("\(name) is not trained by mini-batches")
            return []
        }
        let rows = probe.trainingRows(of: ToyData.split(for: entry.task).train).rows
        let place = batch ?? (rows + batchSize - 1) / batchSize
        let box = OutcomeBox()
        let collective = ThreadCollective(size: size)
        for rank in 0..<size {
            let thread = Thread {
                box.set(rank, Result {
                    guard let inner = try ZooTesting.make(entry, epochs: 3) as? any StepTrainedModel else { return FitOutcome() }
                    let model = FailsInStep(inner, rank: rank, failingRank: 1, epoch: 2, batch: place, fault: fault)
                    var outcome = FitOutcome()
                    try ZooTesting.fit(model, task: entry.task, dataParallel: collective.member(rank),
                                       reproducibleShards: reproducible) { outcome.losses.append($0.loss) }
                    return outcome
                })
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        return box.wait(for: size, timeout: timeout)
    }

    /// Every member of `results` failed with `DataParallelError.memberFailed` naming rank 1 alone
    /// and a message that starts with `expected`.
    static func expectRankOneFailed(_ results: [Result<FitOutcome, Error>]?, _ expected: String, _ what: String) {
        guard let results else { Issue.record("\(what): a member was still waiting after the timeout"); return }
        for (rank, result) in results.enumerated() {
            guard case .failure(let error) = result else { Issue.record("\(what): rank \(rank) went on after rank 1 failed"); continue }
            guard case DataParallelError.memberFailed(let failures) = error else {
                Issue.record("\(what): rank \(rank) threw \(error), not a member's failure")
                continue
            }
            #expect(failures.map(\.rank) == [1] && failures.first?.message.hasPrefix(expected) == true,
                    "\(what): rank \(rank): \(error)")
        }
    }

    @Test(arguments: miniBatchTrained)
    func aRankWhoseStepThrowsStopsEveryRankWithItsError(_ name: String) throws {
        let results = try Self.fitWithFault(name, size: 3, batch: 1, fault: .error)
        Self.expectRankOneFailed(results, "injected failure on rank 1 in epoch 2, batch 1", name)
    }

    /// The reproducible mode runs each rank's parts one after the other: a part that throws, sees a
    /// NaN loss or fails after its updates stops every rank alike (the deep AE: in its replayed
    /// second update too).
    @Test(arguments: [("mult-dae", StepFault.error, "injected failure on rank 1 in epoch 2, batch 1"),
                      ("mult-dae", .nan, "non-finite loss nan in epoch 2, batch 1"),
                      ("deep-ae", .error, "injected failure on rank 1 in epoch 2, batch 1"),
                      ("deep-ae", .afterUpdates, "injected failure on rank 1 in epoch 2, batch 1")])
    func aRankWhosePartFailsInTheReproducibleModeStopsEveryRank(_ name: String, _ fault: StepFault, _ message: String) throws {
        let results = try Self.fitWithFault(name, size: 3, batch: 1, fault: fault, reproducible: 6)
        Self.expectRankOneFailed(results, message, "\(name), \(fault), reproducible")
    }

    @Test func aNaNLossOnOneRanksShardNamesThatRank() throws {
        let results = try Self.fitWithFault("mult-dae", size: 3, batch: 2, fault: .nan)
        Self.expectRankOneFailed(results, "non-finite loss nan in epoch 2, batch 2", "mult-dae, NaN")
    }

    @Test func aRankFailingAfterThePassesLastUpdateStopsEveryRankAtThePassesEnd() throws {
        let results = try Self.fitWithFault("mult-dae", size: 3, batch: nil, fault: .afterUpdates)
        Self.expectRankOneFailed(results, "injected failure on rank 1 in epoch 2, batch", "mult-dae, after the last update")
    }

    @Test func aRankFailingAfterAStepsUpdatesStopsEveryRankInTheNextStep() throws {
        let results = try Self.fitWithFault("mult-dae", size: 3, batch: 1, fault: .afterUpdates)
        Self.expectRankOneFailed(results, "injected failure on rank 1 in epoch 2, batch 1", "mult-dae, after batch 1's update")
    }

    @Test func oneMemberFailingStopsEveryMemberWithItsRankAndMessage() {
        let collective = ThreadCollective(size: 3)
        let box = OutcomeBox()
        for rank in 0..<3 {
            Thread {
                do {
                    let value = try MemberFailures.together(collective.member(rank)) { () throws -> Int in
                        if rank == 1 { throw Broken() }
                        return rank
                    }
                    box.set(rank, .success(FitOutcome(losses: [Double(value)])))
                } catch { box.set(rank, .failure(error)) }
            }.start()
        }
        for (rank, result) in box.wait(for: 3).enumerated() {
            guard case .failure(let error) = result else { Issue.record("rank \(rank) went on after rank 1 failed"); continue }
            #expect(error as? DataParallelError == .memberFailed([.init(rank: 1, message: "disk full on this rank")]))
            #expect("\(error)" == "data-parallel: rank 1 failed: disk full on this rank")
        }
    }

    @Test func membersFailingAlikeAreNamedInOneLine() {
        let collective = ThreadCollective(size: 3)
        let box = OutcomeBox()
        for rank in 0..<3 {
            Thread {
                box.set(rank, Result {
                    try MemberFailures.together(collective.member(rank)) { if rank != 1 { throw Broken() } }
                    return FitOutcome()
                })
            }.start()
        }
        for result in box.wait(for: 3) {
            guard case .failure(let error) = result else { Issue.record("a member went on after ranks 0 and 2 failed"); continue }
            #expect("\(error)" == "data-parallel: ranks 0, 2 failed: disk full on this rank")
        }
    }

    @Test func membersThatAllSucceedGetTheirOwnValues() throws {
        let collective = ThreadCollective(size: 2)
        let box = OutcomeBox()
        for rank in 0..<2 {
            Thread {
                box.set(rank, Result { FitOutcome(losses: [Double(try MemberFailures.together(collective.member(rank)) { rank + 10 })]) })
            }.start()
        }
        let values = try box.wait(for: 2).map { try $0.get().losses }
        #expect(values == [[10], [11]])
    }

    @Test func aRankFailingAfterAnEpochStopsTheJobWithItsErrorOnRankZero() throws {
        if let missing = MPIEqualityTests.missing {
            print("skipped: MPI fault after an epoch: \(missing)")
            return
        }
        let run = try MPIEqualityTests.check(ranks: 2, ["--models", "mult-dae", "--epochs", "3", "--fail-rank", "1", "--fail-after-epoch", "2"],
                                             timeout: 300)
        #expect(!run.timedOut, "the job was still waiting after 300 s")
        #expect(run.status != 0)
        let errors = run.errors.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors == ["error: data-parallel: rank 1 failed: injected failure on rank 1 after epoch 2"], "\(run.errors)")
    }

    @Test(arguments: [("error", "injected failure on rank 1 in epoch 2, batch 1"), ("nan", "non-finite loss nan in epoch 2, batch 1"),
                      ("afterUpdates", "injected failure on rank 1 in epoch 2, batch 1")])
    func aRankWhoseStepFailsStopsTheJobWithItsErrorOnRankZero(_ fault: String, _ message: String) throws {
        if let missing = MPIEqualityTests.missing {
            print("skipped: MPI fault inside a step: \(missing)")
            return
        }
        let run = try MPIEqualityTests.check(ranks: 2, ["--models", "mult-dae", "--epochs", "3", "--fail-rank", "1",
                                                        "--fail-in-step", "2:1", "--fault", fault], timeout: 120)
        #expect(!run.timedOut, "the job was still waiting after 120 s")
        #expect(run.status != 0)
        let errors = run.errors.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors == ["error: data-parallel: rank 1 failed: \(message)"], "\(run.errors)")
        #expect(!run.output.contains("{"), "a result line was printed: \(run.output)")
    }

    @Test func aRankWhoseStepFailsInCompareModelsLeavesNoResultsFile() throws {
        guard MPIEqualityTests.missing == nil, let mpirun = MPIEqualityTests.mpirun else {
            print("skipped: MPI fault inside a step of CompareModels: \(MPIEqualityTests.missing ?? "mpirun not found")")
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("faults-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let results = folder.appendingPathComponent("results.json").path
        let run = try MPIEqualityTests.run(mpirun, ["--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", "2",
                                                    try MPIEqualityTests.helper(), "--compare-models-failing", "mult-dae", "1", "2:1", "error",
                                                    "--", "--models", "mult-dae", "--epochs", "3", "--quiet", "--output", results],
                                           environment: ["OMPI_MCA_btl_vader_single_copy_mechanism": "none"], timeout: 120)
        #expect(!run.timedOut, "the job was still waiting after 120 s")
        #expect(run.status != 0)
        let errors = run.errors.split(separator: "\n").filter { $0.contains("error:") }
        #expect(errors.count == 1 && errors.first?.hasPrefix("error: data-parallel: rank 1 failed: injected failure on rank 1 in epoch 2, batch 1") == true,
                "\(run.errors)")
        #expect(!FileManager.default.fileExists(atPath: results), "a results file was written")
    }

    @Test func aRankKilledInsideAStepEndsTheJobWithANonZeroStatus() throws {
        if let missing = MPIEqualityTests.missing {
            print("skipped: MPI rank killed inside a step: \(missing)")
            return
        }
        let run = try MPIEqualityTests.check(ranks: 2, ["--models", "mult-dae", "--epochs", "3", "--fail-rank", "1",
                                                        "--fail-in-step", "2:1", "--fault", "kill"], timeout: 120)
        #expect(!run.timedOut, "the job was still waiting after 120 s")
        #expect(run.status != 0)
        #expect(run.errors.contains("process rank 1") && run.errors.contains("signal 9"), "mpirun's message: \(run.errors)")
        #expect(!run.output.contains("{"), "a result line was printed: \(run.output)")
    }

    @Test func aRankThatCannotOpenItsDataStopsTheJobWithItsErrorOnRankZero() throws {
        guard MPIEqualityTests.missing == nil, let mpirun = MPIEqualityTests.mpirun else {
            print("skipped: MPI fault at loading: \(MPIEqualityTests.missing ?? "mpirun not found")")
            return
        }
        let compare = try MPIEqualityTests.built("CompareModels")
        let arguments = ["--models", "mult-dae", "--epochs", "1", "--quiet"]
        let run = try MPIEqualityTests.run(mpirun, ["--allow-run-as-root", "--oversubscribe", "--bind-to", "none",
                                                    "-np", "1", compare] + arguments + [":", "-np", "1", compare] + arguments
                                                    + ["--data", "/nonexistent/autoencoderzoo/ratings.csv"],
                                           environment: ["OMPI_MCA_btl_vader_single_copy_mechanism": "none"], timeout: 300)
        #expect(!run.timedOut, "the job was still waiting after 300 s")
        #expect(run.status != 0)
        let errors = run.errors.split(separator: "\n").filter { $0.contains("error:") }
        #expect(errors.count == 1 && errors.first?.hasPrefix("error: data-parallel: rank 1 failed: /nonexistent/autoencoderzoo/ratings.csv") == true,
                "\(run.errors)")
    }
}
