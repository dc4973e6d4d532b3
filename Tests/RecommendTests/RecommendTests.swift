import Foundation
import Testing
import TensorCore
import Kernels
import RecCore
import ModelKit
import NeuralNet
import ZooCatalog
import Checkpoints
import TestSupport
@testable import Recommendation

/// Tiny trained checkpoints of catalog entries (with their test settings) on toy data, with item
/// ids 10·i + 7 and user ids 1000 + u.
enum ToyCheckpoint {
    /// The catalog's ranking and rating entries, in catalog order.
    static let rankingNames = ModelZoo.standard.entries.filter { $0.task == .ranking }.map(\.name)
    static let ratingNames = ModelZoo.standard.entries.filter { $0.task == .rating }.map(\.name)

    static var split: StrongGeneralizationSplit { ToyData.clicks }

    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "recommend-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes a trained ranking checkpoint into `folder`; returns its path.
    static func ranking(in folder: String, name: String = rankingNames[0]) throws -> String {
        let entry = try ModelZoo.standard.entry(named: name)
        let options = ModelOptions(seed: 3, epochs: 2, overrides: entry.testOverrides)
        let model = try entry.make(split.shape, options)
        _ = try model.fit(FitRequest(train: split.train))
        let path = folder + "/\(name).safetensors"
        try Checkpoint(model, name: name, task: entry.task, options: options, shape: split.shape, itemIDs: split.itemIDs,
                       history: split.train, userIDs: split.trainUserIDs).save(to: path)
        return path
    }

    /// Runs the command in-process; returns stdout lines, stderr lines.
    static func run(_ arguments: [String]) throws -> (output: [String], warnings: [String]) {
        final class Lines: @unchecked Sendable { var output: [String] = [], warnings: [String] = [] }
        let lines = Lines()
        try RecommendCommand(zoo: .standard, output: { lines.output.append($0) }, warn: { lines.warnings.append($0) }).run(arguments)
        return (lines.output, lines.warnings)
    }
}

@Suite struct RecommendTests {
    /// A training-state checkpoint (as `--resume-dir` writes) holds the last epoch's weights and the
    /// best epoch's beside them: it serves the best ones, as the finished fit does, and says so.
    @Test func aTrainingStateCheckpointServesTheBestEpoch() throws {
        let folder = try ToyCheckpoint.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let split = ToyCheckpoint.split
        let loadedBest = try Checkpoint.load(from: ToyCheckpoint.ranking(in: folder))
        let best = loadedBest.parameters
        var lastEpoch = best
        for name in lastEpoch.keys { Kernels.scale(&lastEpoch[name]!, by: 1.5) }
        var state = loadedBest
        state.parameters = lastEpoch
        state.training = TrainingState(nextEpoch: 6, updates: 24, optimizerSteps: 24, generator: RandomGenerator(seed: 1),
                                       bestEpoch: 2, bestMetric: 0.5, bestValues: best)
        let path = folder + "/state.safetensors"
        try state.save(to: path)

        let histories = split.test.foldIn
        let trained = try loadedBest.makeModel(zoo: .standard)
        let resumable = try Checkpoint.load(from: path).makeModel(zoo: .standard)
        let served = try CheckpointRecommender(checkpoint: Checkpoint.load(from: path), zoo: .standard).model
        let expected = trained.scores(for: histories)
        #expect(served.scores(for: histories) == expected)
        #expect(resumable.scores(for: histories) != expected)          // for resuming: the last epoch's
        let warnings = try ToyCheckpoint.run(["--checkpoint", path, "--user", "\(split.trainUserIDs[0])"]).warnings
        #expect(warnings.contains { $0.contains("training state saved after epoch 6") && $0.contains("(epoch 3)") }, "\(warnings)")
    }

    @Test func foldingInATrainingUsersHistoryEqualsTheKnownUserPath() throws {
        let folder = try ToyCheckpoint.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for name in ToyCheckpoint.rankingNames.prefix(2) {
            let recommender = try CheckpointRecommender(checkpoint: Checkpoint.load(from: ToyCheckpoint.ranking(in: folder, name: name)),
                                                        zoo: .standard)
            let split = ToyCheckpoint.split
            for row in [0, 5, 17] {
                let user = split.trainUserIDs[row]
                let items = split.train.columns(inRow: row).map { split.itemIDs[Int($0)] }
                let known = try recommender.recommend([.knownUser(user)], count: 10)[0]
                let folded = try recommender.recommend([.newUser(items)], count: 10)[0]
                #expect(known.items.map(\.id) == folded.items.map(\.id))
                #expect(known.items.map(\.score.bitPattern) == folded.items.map(\.score.bitPattern))
                #expect(known.items.count == 10 && Set(known.items.map(\.id)).isDisjoint(with: items), "recommended a seen item")
            }
        }
    }

    @Test func ratingModelsRankUnseenItemsOfKnownUsers() throws {
        let interactions = Interactions(ratings: SparseMatrix(rows: 6, columns: 5, triplets: [
            (0, 0, 5), (0, 1, 3), (1, 1, 4), (2, 2, 2), (3, 3, 5), (4, 4, 1), (5, 0, 4), (5, 4, 2)]),
                                        userIDs: [11, 12, 13, 14, 15, 16], itemIDs: [100, 200, 300, 400, 500])
        let name = ToyCheckpoint.ratingNames[0]
        let entry = try ModelZoo.standard.entry(named: name)
        let options = ModelOptions(seed: 1, epochs: 2, overrides: entry.testOverrides)
        let shape = DataShape(users: 6, items: 5)
        let made = try entry.make(shape, options)
        _ = try made.fit(FitRequest(train: interactions.ratings))
        let checkpoint = Checkpoint(made, name: name, task: .rating, options: options, shape: shape, itemIDs: interactions.itemIDs,
                                    history: interactions.ratings, userIDs: interactions.userIDs)
        let recommender = try CheckpointRecommender(checkpoint: checkpoint, zoo: .standard)
        let result = try recommender.recommend([.knownUser(11)], count: 10)[0]
        #expect(Set(result.items.map(\.id)) == [300, 400, 500])
        #expect(zip(result.items, result.items.dropFirst()).allSatisfy { $0.score >= $1.score })
        #expect(throws: RecommendError.foldInUnsupported(model: name)) {
            _ = try recommender.recommend([.newUser([100])], count: 3)
        }
    }

    @Test func tableJSONLinesUnknownItemsAndStrictMode() throws {
        let folder = try ToyCheckpoint.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = try ToyCheckpoint.ranking(in: folder)
        let user = ToyCheckpoint.split.trainUserIDs[2]
        let table = try ToyCheckpoint.run(["--checkpoint", path, "--user", String(user), "-k", "3"])
        #expect(table.output.count == 5 && table.output[1] == "rank\titem\tscore" && table.output[2].hasPrefix("1\t"))
        #expect(table.warnings.isEmpty)

        let json = try ToyCheckpoint.run(["--checkpoint", path, "--items", "7,17,99999", "--format", "jsonl", "-k", "4"])
        #expect(json.warnings == ["warning: --items:1: unknown item ids ignored: 99999"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output[0].utf8)) as? [String: Any])
        #expect((object["items"] as? [[String: Any]])?.count == 4)
        #expect(object["unknown_items"] as? [Int] == [99999] && object["history_size"] as? Int == 2)

        #expect(throws: RecommendError.unknownItems(source: "--items", line: 1, ids: ["99999"])) {
            _ = try ToyCheckpoint.run(["--checkpoint", path, "--items", "7,99999", "--strict"])
        }
        #expect(throws: RecommendError.unknownUser(source: "--user", line: 1, id: "424242")) {
            _ = try ToyCheckpoint.run(["--checkpoint", path, "--user", "424242"])
        }
    }

    @Test func batchFilesStreamInBatchesAndNameTheLineOfABadRequest() throws {
        let folder = try ToyCheckpoint.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = try ToyCheckpoint.ranking(in: folder)
        let users = ToyCheckpoint.split.trainUserIDs
        let batch = folder + "/requests.txt"
        try "# requests\nuser:\(users[0])\n\n7,17,27\nuser:\(users[1])\r\n17\n".write(toFile: batch, atomically: true, encoding: .utf8)
        let whole = try ToyCheckpoint.run(["--checkpoint", path, "--batch", batch, "--format", "jsonl", "-k", "2"])
        let small = try ToyCheckpoint.run(["--checkpoint", path, "--batch", batch, "--format", "jsonl", "-k", "2", "--batch-size", "1"])
        #expect(whole.output.count == 4 && whole.output == small.output)
        try "user:\(users[0])\n7,x\n".write(toFile: batch, atomically: true, encoding: .utf8)
        #expect(throws: RecommendError.malformedRequest(source: batch, line: 2, text: "7,x",
                                                        reason: "item id 'x' is not an integer (expected user:ID or A,B,C)")) {
            _ = try ToyCheckpoint.run(["--checkpoint", path, "--batch", batch])
        }
    }

    @Test func movieTitlesInEveryMovieLensFormat() throws {
        let folder = try ToyCheckpoint.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data([0x37, 0x3A, 0x3A, 0x43, 0x69, 0x74, 0xE9, 0x3A, 0x3A, 0x44, 0x72, 0x61, 0x6D, 0x61, 0x0A])   // 7::Cité::Drama (latin-1)
            .write(to: URL(fileURLWithPath: folder + "/movies.dat"))
        try "movieId,title,genres\n7,\"Toy Story, The (1995)\",Comedy\n17,Heat (1995),Action\n"
            .write(toFile: folder + "/movies.csv", atomically: true, encoding: .utf8)
        try "7|Babe (1995)|01-Jan-1995||http://x|0\n".write(toFile: folder + "/u.item", atomically: true, encoding: .utf8)
        #expect(try MovieTitles(path: folder + "/movies.dat").titles == [7: "Cité"])
        #expect(try MovieTitles(path: folder + "/movies.csv").titles == [7: "Toy Story, The (1995)", 17: "Heat (1995)"])
        #expect(try MovieTitles(path: folder + "/u.item").titles == [7: "Babe (1995)"])
        try "7::Fine::Drama\nnot a line\n".write(toFile: folder + "/movies.dat", atomically: true, encoding: .utf8)
        #expect(throws: RecommendError.malformedTitles(file: folder + "/movies.dat", line: 2, text: "not a line")) {
            _ = try MovieTitles(path: folder + "/movies.dat")
        }
    }

    @Test func badCommandLinesAreTypedErrors() {
        #expect(throws: RecommendError.invalidOption(flag: "--checkpoint", value: "", expected: "a checkpoint file")) {
            _ = try RecommendOptions.parse(["--user", "1"])
        }
        #expect(throws: RecommendError.invalidOption(flag: "--count", value: "0", expected: "a positive integer")) {
            _ = try RecommendOptions.parse(["--checkpoint", "f", "--user", "1", "--count", "0"])
        }
        #expect(throws: RecommendError.invalidOption(flag: "--user/--items/--batch", value: "2 given", expected: "exactly one")) {
            _ = try RecommendOptions.parse(["--checkpoint", "f", "--user", "1", "--items", "2"])
        }
    }
}
