import Testing
import Kernels
import TensorCore
@testable import RecCore
@testable import ZooCatalog

/// Runs on every catalog entry: trains on toy data, loss falls, scores are finite with the right
/// shape, seen items are excluded, the same seed gives identical scores.
@Suite struct ZooConformanceTests {
    static let data = SyntheticClicks(userCount: 300, itemCount: 120, clusterCount: 4, clicksPerUser: 12, seed: 5).generate()
    static let options = ModelOptions(seed: 11, epochs: 6, overrides: [:])
    static let smallOverrides: [String: [String: String]] = [
        "mult-vae": ["hidden": "32,8", "batch": "50", "anneal-steps": "20"],
        "mult-dae": ["hidden": "16", "batch": "50"],
        "vampprior-vae": ["hidden": "32", "latent": "8", "components": "10", "batch": "50", "warm-up": "0"],
        "h-vamp": ["hidden": "16", "latent": "8", "latent-1": "8", "components": "10", "batch": "50", "warm-up": "0"],
        "h-vamp-gated": ["hidden": "16", "latent": "8", "latent-1": "8", "components": "10", "batch": "50", "warm-up": "0"],
    ]

    static func make(_ entry: ModelEntry, seed: UInt64 = 11) throws -> any Recommender {
        var options = Self.options
        options.seed = seed
        options.overrides = smallOverrides[entry.name] ?? [:]
        return try entry.make(data.columns, options)
    }

    /// The ranking entries (rating entries have their own suite, `RatingZooConformanceTests`).
    static let rankingNames = ModelZoo.standard.entries.filter { $0.task == .ranking }.map(\.name)

    @Test(arguments: rankingNames)
    func trainsScoresAndExcludesSeen(name: String) throws {
        let entry = try ModelZoo.standard.entry(named: name)
        let model = try Self.make(entry)
        let train = Self.data.rows(in: 0..<250)
        let histories = Self.data.rows(in: 250..<300)
        var losses: [Double] = []
        let summary = try model.fit(train: train, validation: nil) { losses.append($0.loss) }
        #expect(summary.epochs.count == 6)
        #expect(losses.allSatisfy { $0.isFinite })
        #expect(losses.last! < losses.first!, "\(name): loss did not fall: \(losses)")

        let scores = model.scores(for: histories)
        #expect(scores.rows == 50 && scores.columns == Self.data.columns)
        #expect(Kernels.allFinite(scores))
        let top = model.recommend(for: histories, count: 10)
        for row in 0..<histories.rows {
            #expect(Set(top[row]).isDisjoint(with: histories.columns(inRow: row)), "\(name): recommended a seen item")
            #expect(top[row].count == 10)
        }
    }

    @Test(arguments: rankingNames)
    func sameSeedSameScores(name: String) throws {
        let entry = try ModelZoo.standard.entry(named: name)
        let train = Self.data.rows(in: 0..<100)
        let first = try Self.make(entry), second = try Self.make(entry), other = try Self.make(entry, seed: 12)
        for model in [first, second, other] { _ = try model.fit(train: train, validation: nil) { _ in } }
        let histories = Self.data.rows(in: 250..<300)
        #expect(first.scores(for: histories) == second.scores(for: histories))
        #expect(first.scores(for: histories) != other.scores(for: histories))
    }

    /// The small-data settings `CompareModels` applies on its built-in data must be real options.
    @Test(arguments: ModelZoo.standard.entries.filter { $0.task == .ranking }.map(\.name))
    func builtInDataOverridesAreValidOptions(name: String) throws {
        let entry = try ModelZoo.standard.entry(named: name)
        _ = try entry.make(20, ModelOptions(seed: 1, epochs: 1, overrides: entry.builtInDataOverrides))
    }

    @Test func catalogNamesAreUniqueAndListed() {
        #expect(Self.rankingNames == ["mult-vae", "mult-dae", "vampprior-vae", "h-vamp", "h-vamp-gated"])
        #expect(Set(ModelZoo.standard.names).count == ModelZoo.standard.names.count)
    }
}
