import Foundation
import Checkpoints
import Recommendation
import ZooCatalog

/// `Benchmarks recommend --checkpoint FILE [--users N] [--count K] [--batch B] [--repetitions R]`:
/// top-K recommendations for the checkpoint's known (training) users in batches of B, through the
/// same path as `Recommend --batch`; prints users/second (median of R timed passes after a warm-up).
enum RecommendBenchmark {
    static func run(_ arguments: [String]) throws {
        var path: String? = nil
        var users = 10_000, count = 100, batch = 1_000, repetitions = 3
        var index = 0
        func number(_ flag: String) throws -> Int {
            index += 1
            guard index < arguments.count, let value = Int(arguments[index]), value > 0 else {
                throw RecommendError.invalidOption(flag: flag, value: index < arguments.count ? arguments[index] : "",
                                                   expected: "a positive integer")
            }
            return value
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--checkpoint":
                index += 1
                path = index < arguments.count ? arguments[index] : nil
            case "--users": users = try number("--users")
            case "--count": count = try number("--count")
            case "--batch": batch = try number("--batch")
            case "--repetitions": repetitions = try number("--repetitions")
            case "-h", "--help":
                print("usage: Benchmarks recommend --checkpoint FILE [--users N (10000)] [--count K (100)] [--batch B (1000)] [--repetitions R (3)]")
                return
            default: throw RecommendError.invalidOption(flag: arguments[index], value: arguments[index], expected: "see --help")
            }
            index += 1
        }
        guard let path else { throw RecommendError.invalidOption(flag: "--checkpoint", value: "", expected: "a checkpoint file") }
        let loadStart = ContinuousClock.now
        let checkpoint = try Checkpoint.load(from: path)
        let recommender = try CheckpointRecommender(checkpoint: checkpoint, zoo: .standard)
        let loadSeconds = seconds(ContinuousClock.now - loadStart)
        guard !checkpoint.userIDs.isEmpty else { throw RecommendError.noHistories(checkpoint: path) }
        let ids = (0..<min(users, checkpoint.userIDs.count)).map { checkpoint.userIDs[$0] }
        var recommended = 0
        let times = try (0...repetitions).map { _ -> Double in
            let start = ContinuousClock.now
            for first in stride(from: 0, to: ids.count, by: batch) {
                let requests = ids[first..<min(ids.count, first + batch)].map { RecommendationRequest.knownUser($0) }
                recommended += try recommender.recommend(requests, count: count).count
            }
            return seconds(ContinuousClock.now - start)
        }.dropFirst()
        let median = BenchmarkTiming.median(Array(times))
        print("recommend \(path): model \(checkpoint.model), \(checkpoint.itemCount) items, \(ids.count) users, top-\(count), batch \(batch)")
        print("load_seconds \(BenchmarkTiming.format(loadSeconds, digits: 3))")
        print("seconds_per_pass \(times.map { BenchmarkTiming.format($0, digits: 3) }.joined(separator: " "))")
        print("users_per_second \(BenchmarkTiming.format(Double(ids.count) / median, digits: 0))")
        precondition(recommended == ids.count * (repetitions + 1), "recommend benchmark: \(recommended) answers")
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
