import Foundation
import Testing
import NeuralNet

/// A rank that fails stops every rank at the next fixed point (`MemberFailures.together`), with one
/// error on rank 0 naming the rank and its message, and a non-zero exit: threads as ranks, then
/// `mpirun` (an error injected after an epoch on rank 1 of `DataParallelCheck`; a data file that
/// rank 1 of `CompareModels` cannot open). A rank killed by a signal is left to `mpirun`.
@Suite(.serialized) struct FaultTests {
    struct Broken: Error, CustomStringConvertible { var description: String { "disk full on this rank" } }

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
