import Foundation
import Testing
import RecCore
@testable import ModelComparison

/// The results file's layout: written and read back whole, the older bare-array layout still read,
/// and a file that is neither refused naming itself and the key.
@Suite struct ResultsDocumentTests {
    static func result() -> ModelResult {
        let run = SeedRun(seed: 3, metrics: ["ndcg100": MeanWithError(mean: 0.4, standardError: 0.01)], bestEpoch: 2,
                          bestValidationMetric: 0.41, trainingSeconds: 5, evaluatedCount: 10,
                          curve: [EpochPoint(epoch: 1, loss: 3.5, validationMetric: 0.3, seconds: 2),
                                  EpochPoint(epoch: 2, loss: .nan, validationMetric: nil, seconds: 2.5)])
        return ModelResult(model: "m", task: .ranking, parameterCount: 7, runs: [run])
    }

    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("results-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func roundTripsWithItsCurveAndEnvironment() throws {
        let environment = RunEnvironment.current(started: Date(timeIntervalSinceNow: -3), kernels: "kernels: builtin")
        let document = ResultsDocument(task: .ranking, data: "toy: 10 users", environment: environment, results: [Self.result()])
        let path = try Self.write(String(decoding: try document.json(), as: UTF8.self))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let read = try ResultsDocument.read(path)
        #expect(read.environment == environment && read.data == "toy: 10 users" && read.task == .ranking)
        #expect(environment.seconds >= 3 && environment.cores >= 1)
        let curve = read.results[0].runs[0].curve
        #expect(curve.count == 2 && curve[0] == EpochPoint(epoch: 1, loss: 3.5, validationMetric: 0.3, seconds: 2))
        #expect(curve[1].loss.isNaN && curve[1].validationMetric == nil)   // NaN written as null, read back as NaN
    }

    @Test func readsTheBareArrayOfTheFirstLayout() throws {
        var old = Self.result()
        old.runs[0].curve = []
        let text = """
            [{"model": "m", "task": "ranking", "parameterCount": 7, "runs": [{"seed": 3, "bestEpoch": 2,
              "metrics": {"ndcg100": {"mean": 0.4, "standardError": 0.01}}, "bestValidationMetric": 0.41,
              "trainingSeconds": 5, "evaluatedCount": 10, "counts": {}}]}]
            """
        let path = try Self.write(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let read = try ResultsDocument.read(path)
        #expect(read.results == [old] && read.environment == .unknown && read.task == .ranking)
    }

    @Test func refusesAFileThatIsNotResultsNamingItAndTheKey() throws {
        let path = try Self.write(#"{"format": 2, "task": "ranking", "data": "x", "results": []}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ResultsFileError.malformed(file: path, reason: "top level: missing key 'environment'")) {
            try ResultsDocument.read(path)
        }
        #expect(throws: ResultsFileError.self) { try ResultsDocument.read(path + ".absent") }
    }
}
