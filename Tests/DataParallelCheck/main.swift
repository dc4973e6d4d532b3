// Trains every catalog entry on its toy data (the gradient-trained ones by shards of every batch,
// EASE by shards of its Gram matrix, popularity whole on every rank), alone or as one rank of an
// `mpirun` job, and prints on rank 0 one JSON line per entry: the loss and validation metric of
// every epoch, the test metrics (test users split over the ranks and gathered), the per-user
// values with their users, the top-10 items of each test user and a fingerprint of the trained
// parameters' bits. `DataParallelTests` compares the lines of `mpirun -np 2` and `-np 3` with those
// of one process; with `--reproducible K` (the trainer's reproducible mode) they must be equal bit for bit.
//
//   DataParallelCheck [--epochs N] [--seed S] [--models A,B] [--reproducible K]
//                     [--fail-rank R (--fail-after-epoch E | --fail-in-step E:B [--fault error|nan|kill])]
//
// --fail-rank/--fail-after-epoch make rank R throw after epoch E (a test of
// `MemberFailures.together`: every rank must stop, rank 0 naming rank R and its error);
// --fail-in-step E:B makes rank R's step of epoch E, batch B (from 1) throw, see a NaN loss or be
// killed by SIGKILL just before its first update (`FailsInStep`; a test of `StepFailures`).
//
//   DataParallelCheck --compare-models MODEL STOP -- CompareModels arguments…
//
// runs `CompareModels` itself (alone or as a rank) with MODEL stopping after epoch STOP (0: never),
// as a process killed between two epochs: the first half of a `--resume-dir` test.
//
//   DataParallelCheck --compare-models-failing MODEL R E:B FAULT -- CompareModels arguments…
//
// runs `CompareModels` with rank R's step of MODEL in epoch E, batch B meeting FAULT (the rank
// read from the launcher's environment, `MPILaunch`).
import Foundation
import Kernels
import MPIBackend
import ModelComparison
import ModelKit
import NeuralNet
import RecCore
import TensorCore
import TestSupport
import ZooCatalog

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("error: " + message + "\n").utf8))
    exit(1)
}

if CommandLine.arguments.count >= 5 && CommandLine.arguments[1] == "--compare-models" && CommandLine.arguments[4] == "--" {
    let (name, stop) = (CommandLine.arguments[2], Int(CommandLine.arguments[3]) ?? 0)
    let zoo: ModelZoo
    do { zoo = stop > 0 ? try ModelZoo.standard.stopping(name, after: stop) : .standard } catch { fail("\(error)") }
    exit(CompareModelsCommand.main(arguments: Array(CommandLine.arguments.dropFirst(5)), zoo: zoo,
                                   output: { print($0) }, log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }))
}

/// "E:B" as (epoch, batch), or nil.
func epochAndBatch(_ text: String) -> (epoch: Int, batch: Int)? {
    let parts = text.split(separator: ":").compactMap { Int($0) }
    return parts.count == 2 ? (parts[0], parts[1]) : nil
}

if CommandLine.arguments.count >= 7 && CommandLine.arguments[1] == "--compare-models-failing" && CommandLine.arguments[6] == "--" {
    let arguments = CommandLine.arguments
    guard let failingRank = Int(arguments[3]) else { fail("--compare-models-failing: rank \(arguments[3]) is not an integer") }
    guard let place = epochAndBatch(arguments[4]) else { fail("--compare-models-failing: \(arguments[4]) is not EPOCH:BATCH") }
    guard let fault = StepFault(rawValue: arguments[5]) else { fail("--compare-models-failing: unknown fault \(arguments[5])") }
    let rank = MPILaunch.detect(in: ProcessInfo.processInfo.environment)?.rank ?? 0
    let zoo: ModelZoo
    do {
        zoo = try ModelZoo.standard.failing(arguments[2], rank: rank, failingRank: failingRank, epoch: place.epoch,
                                            batch: place.batch, fault: fault)
    } catch { fail("\(error)") }
    exit(CompareModelsCommand.main(arguments: Array(arguments.dropFirst(7)), zoo: zoo,
                                   output: { print($0) }, log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }))
}

var settings = (epochs: 3, seed: UInt64(11), models: [String](), failRank: -1, failAfterEpoch: 0,
                failInStep: (epoch: 0, batch: 0), fault: StepFault.error, reproducible: Int?.none)
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let flag = arguments.removeFirst()
    guard let value = arguments.first else { fail("\(flag) needs a value") }
    arguments.removeFirst()
    switch flag {
    case "--epochs":
        guard let epochs = Int(value) else { fail("--epochs \(value): not an integer") }
        settings.epochs = epochs
    case "--seed":
        guard let seed = UInt64(value) else { fail("--seed \(value): not an integer") }
        settings.seed = seed
    case "--reproducible":
        guard let parts = Int(value), parts >= 1 else { fail("--reproducible \(value): not a positive integer") }
        settings.reproducible = parts
    case "--models": settings.models = value.split(separator: ",").map(String.init)
    case "--fail-rank":
        guard let rank = Int(value) else { fail("--fail-rank \(value): not an integer") }
        settings.failRank = rank
    case "--fail-after-epoch":
        guard let epoch = Int(value) else { fail("--fail-after-epoch \(value): not an integer") }
        settings.failAfterEpoch = epoch
    case "--fail-in-step":
        guard let place = epochAndBatch(value) else { fail("--fail-in-step \(value): not EPOCH:BATCH") }
        settings.failInStep = place
    case "--fault":
        guard let fault = StepFault(rawValue: value) else { fail("--fault \(value): not one of error, nan, kill") }
        settings.fault = fault
    default: fail("unknown option \(flag)")
    }
}

let group: MPICommunicator?
do { group = try MPICommunicator.start(environment: ProcessInfo.processInfo.environment) } catch { fail("\(error)") }
let isLead = (group?.rank ?? 0) == 0
if let group, isLead { print(group.banner) }

func bytes<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes(Array.init) }

/// The failure `--fail-rank` injects.
struct InjectedFailure: Error, CustomStringConvertible {
    let rank: Int, epoch: Int
    var description: String { "injected failure on rank \(rank) after epoch \(epoch)" }
}

do {
    let entries = ModelZoo.standard.entries.filter { settings.models.isEmpty || settings.models.contains($0.name) }
    for entry in entries {
        let rank = group?.rank ?? 0
        var model = try ZooTesting.make(entry, epochs: settings.epochs, seed: settings.seed)
        if settings.failInStep.epoch > 0 {
            model = FailsInStep.wrapping(model, rank: rank, failingRank: settings.failRank, epoch: settings.failInStep.epoch,
                                         batch: settings.failInStep.batch, fault: settings.fault)
        }
        let split = ToyData.split(for: entry.task)
        if let group {                                                     // same data and options everywhere
            let train = split.train
            let described = Array("\(entry.name) \(settings.epochs) \(settings.seed) \(entry.testOverrides.sorted { $0.key < $1.key })".utf8)
                + bytes(train.rowPointers) + bytes(train.columnIndices) + bytes(train.values)
            try group.requireAgreement(on: described, what: "data and options")
        }
        var losses: [Double] = [], validation: [Double] = []
        let injected: (TrainingState) throws -> Void = { state in
            if rank == settings.failRank && state.nextEpoch == settings.failAfterEpoch {
                throw InjectedFailure(rank: rank, epoch: state.nextEpoch)
            }
        }
        let history = try ZooTesting.fit(model, task: entry.task, onEpochEnd: injected, dataParallel: group,
                                         reproducibleShards: settings.reproducible) { report in
            losses.append(report.loss)
            validation.append(report.validationMetric ?? -1)
        }
        let report = try Kernels.withSumsIndependentOfThreads(settings.reproducible != nil) {   // test users split, gathered
            try ZooTesting.evaluate(model, task: entry.task, dataParallel: group)
        }
        var line: [String: Any] = ["model": entry.name, "losses": losses, "validation": validation,
                                   "metrics": report.values.mapValues(\.mean).filter { $0.value.isFinite }, "bestEpoch": history.bestEpoch,
                                   "users": report.users.map(Int.init),
                                   "perUser": report.perUser[ToyData.task(entry.task).perUserMetric.key] ?? [],
                                   "parameters": String(Kernels.fingerprint(bytes(model.parameters.flatMap(\.value.storage))), radix: 16)]
        if entry.task != .rating {
            let clicks = ToyData.clicks.test
            line["top10"] = Kernels.topK(model.scores(for: clicks.foldIn), k: 10, excluding: clicks.foldIn).map { $0.map(Int.init) }
        }
        if isLead {
            let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }
} catch {
    if isLead { FileHandle.standardError.write(Data(("error: \(error)\n").utf8)) }
    group?.finish()
    exit(1)
}
group?.finish()
