import Foundation
import Testing
import RecCore

/// `CompareModels --resume-dir` on a different number of ranks: a run on 2 ranks stopped after
/// epoch 2 of 4 continues on 1 rank and on 3 ranks to the figures of one process that never
/// stopped (the training state does not depend on the number of ranks): the results' curve holds
/// every epoch (1-2 from the state file), losses and validation NDCG within 1e-5 relative, test
/// metrics within 1e-4, the same best epoch.
@Suite(.serialized) struct ResumeAcrossRanksTests {
    static let model = "mult-dae"
    static let common = ["--models", model, "--epochs", "4", "--quiet", "--format", "csv", "--heldout-users", "40"]

    /// A small click file (user,item: 400 users × 150 items of clustered clicks), written once.
    static let clicks: String = {
        let matrix = SyntheticClicks(userCount: 400, itemCount: 150, clusterCount: 4, clicksPerUser: 15, seed: 7).generate()
        var text = "user,item\n"
        for user in 0..<matrix.rows { for item in matrix.columns(inRow: user) { text += "\(user),\(item)\n" } }
        let path = NSTemporaryDirectory() + "resume-ranks-clicks-\(UUID().uuidString).csv"
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }()

    /// `CompareModels` (through `DataParallelCheck --compare-models`) on `ranks` ranks (nil:
    /// alone), stopping after `stop` epochs (0: never); the results file it wrote, decoded.
    static func compare(ranks: Int?, stop: Int, _ arguments: [String]) throws -> (status: Int32, errors: String, results: [String: Any]) {
        let json = NSTemporaryDirectory() + "resume-ranks-\(UUID().uuidString).json"
        defer { for path in [json, json.replacingOccurrences(of: ".json", with: ".csv")] { try? FileManager.default.removeItem(atPath: path) } }
        let helper = try MPIEqualityTests.helper()
        let command = [helper, "--compare-models", model, String(stop), "--"] + common + arguments + ["--data", clicks, "--output", json]
        let run: (status: Int32, output: String, errors: String, timedOut: Bool)
        if let ranks, let mpirun = MPIEqualityTests.mpirun {
            run = try MPIEqualityTests.run(mpirun, ["--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", String(ranks)] + command,
                                           environment: ["OMPI_MCA_btl_vader_single_copy_mechanism": "none"], timeout: 300)
        } else {
            run = try MPIEqualityTests.run(command[0], Array(command.dropFirst()), timeout: 300)
        }
        let data = FileManager.default.contents(atPath: json) ?? Data()
        let results = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return (run.status, run.errors, results)
    }

    /// The first run's curve (epoch → (loss, validation)), test metrics and best epoch.
    static func figures(_ document: [String: Any]) -> (curve: [Int: [Double]], metrics: [String: Double], best: Int) {
        let run = ((document["results"] as? [[String: Any]])?.first?["runs"] as? [[String: Any]])?.first ?? [:]
        var curve: [Int: [Double]] = [:]
        for point in run["curve"] as? [[String: Any]] ?? [] {
            if let epoch = point["epoch"] as? Int { curve[epoch] = [point["loss"] as? Double ?? .nan, point["validationMetric"] as? Double ?? .nan] }
        }
        var metrics: [String: Double] = [:]
        for (key, value) in run["metrics"] as? [String: Any] ?? [:] { metrics[key] = (value as? [String: Any])?["mean"] as? Double }
        return (curve, metrics, run["bestEpoch"] as? Int ?? -1)
    }

    @Test func aRunStoppedOnTwoRanksContinuesOnOneAndOnThree() throws {
        if let missing = MPIEqualityTests.missing {
            print("skipped: resuming with another number of ranks: \(missing)")
            return
        }
        let straight = try Self.compare(ranks: nil, stop: 0, [])
        #expect(straight.status == 0, "\(straight.errors)")
        let reference = Self.figures(straight.results)
        #expect(reference.curve.keys.sorted() == [1, 2, 3, 4] && !reference.metrics.isEmpty, "\(straight.results.keys)")

        let folder = NSTemporaryDirectory() + "resume-ranks-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let stopped = try Self.compare(ranks: 2, stop: 2, ["--resume-dir", folder + "/state"])
        #expect(stopped.status != 0 && stopped.errors.contains("stopped on purpose"), "\(stopped.errors)")
        for ranks in [1, 3] {
            let copy = folder + "/state-\(ranks)"
            try FileManager.default.copyItem(atPath: folder + "/state", toPath: copy)
            let resumed = try Self.compare(ranks: ranks == 1 ? nil : ranks, stop: 0, ["--resume-dir", copy])
            #expect(resumed.status == 0, "\(resumed.errors)")
            let figures = Self.figures(resumed.results)
            // The whole curve: epochs 1-2 from the 2-rank run's state file, 3-4 trained now.
            #expect(figures.curve.keys.sorted() == [1, 2, 3, 4], "resumed on \(ranks) rank(s): epochs \(figures.curve.keys.sorted())")
            for (epoch, values) in figures.curve {
                let expected = reference.curve[epoch] ?? []
                for (a, b) in zip(expected, values) {
                    #expect(abs(a - b) <= 1e-5 * max(1, abs(a)), "epoch \(epoch) on \(ranks) rank(s): \(b), one process \(a)")
                }
            }
            #expect(figures.best == reference.best)
            for (key, value) in reference.metrics {
                #expect(abs(value - (figures.metrics[key] ?? .nan)) <= 1e-4, "\(key) on \(ranks) rank(s)")
            }
        }
    }
}
