import Foundation

/// A metric's mean over test users with its standard error.
public struct MeanWithError: Sendable, Codable, Equatable {
    /// Mean over users.
    public var mean: Double
    /// Standard error of that mean (s.d. / √n).
    public var standardError: Double

    /// A mean and its standard error.
    public init(mean: Double, standardError: Double) {
        self.mean = mean
        self.standardError = standardError
    }
}

/// One model trained and scored with one seed.
public struct SeedRun: Sendable, Codable, Equatable {
    public var seed: UInt64
    public var recall20: MeanWithError
    public var recall50: MeanWithError
    public var ndcg100: MeanWithError
    public var bestEpoch: Int
    public var trainingSeconds: Double
    public var testUsers: Int

    /// A finished run.
    public init(seed: UInt64, recall20: MeanWithError, recall50: MeanWithError, ndcg100: MeanWithError,
                bestEpoch: Int, trainingSeconds: Double, testUsers: Int) {
        self.seed = seed
        self.recall20 = recall20
        self.recall50 = recall50
        self.ndcg100 = ndcg100
        self.bestEpoch = bestEpoch
        self.trainingSeconds = trainingSeconds
        self.testUsers = testUsers
    }
}

/// One model's runs over every seed.
public struct ModelResult: Sendable, Codable, Equatable {
    public var model: String
    public var parameterCount: Int
    public var runs: [SeedRun]

    /// Results of `model` over `runs`.
    public init(model: String, parameterCount: Int, runs: [SeedRun]) {
        self.model = model
        self.parameterCount = parameterCount
        self.runs = runs
    }

    /// A metric summarised over seeds: with one seed, its mean ± standard error over users; with
    /// several, the mean over seeds ± the sample standard deviation over seeds.
    public func summary(_ metric: KeyPath<SeedRun, MeanWithError>) -> MeanWithError {
        let values = runs.map { $0[keyPath: metric] }
        if values.count == 1 { return values[0] }
        let means = values.map(\.mean)
        let mean = means.reduce(0, +) / Double(means.count)
        let variance = means.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, means.count - 1))
        return MeanWithError(mean: mean, standardError: variance.squareRoot())
    }

    /// Median training seconds over seeds.
    public var medianTrainingSeconds: Double {
        let sorted = runs.map(\.trainingSeconds).sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2]
            : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

/// Formats results as the stdout table, JSON and CSV.
public enum ResultsTable {
    /// The table: one row per model, the best NDCG@100 marked with `*`.
    public static func render(_ results: [ModelResult], dataDescription: String) -> String {
        let seeds = results.first?.runs.count ?? 0
        let spread = seeds > 1 ? "mean ± s.d. over \(seeds) seeds" : "mean ± standard error over test users"
        let best = results.max { $0.summary(\.ndcg100).mean < $1.summary(\.ndcg100).mean }?.model
        let header = ["", "model", "Recall@20", "Recall@50", "NDCG@100", "train s", "params"]
        var rows: [[String]] = [header]
        for result in results {
            rows.append([
                result.model == best ? "*" : "",
                result.model,
                format(result.summary(\.recall20)),
                format(result.summary(\.recall50)),
                format(result.summary(\.ndcg100)),
                String(format: "%.1f", result.medianTrainingSeconds),
                groupedInteger(result.parameterCount),
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = ["\(dataDescription) — \(spread)"]
        for (index, row) in rows.enumerated() {
            let cells = row.enumerated().map { column, cell in
                column <= 1 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }
            lines.append(cells.joined(separator: "  "))
            if index == 0 { lines.append(String(repeating: "-", count: lines.last?.count ?? 0)) }
        }
        lines.append("* best NDCG@100")
        return lines.joined(separator: "\n")
    }

    /// Results as pretty-printed JSON.
    public static func json(_ results: [ModelResult]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(results)
    }

    /// Results as CSV, one line per (model, seed).
    public static func csv(_ results: [ModelResult]) -> String {
        var lines = ["model,seed,recall20,recall20_se,recall50,recall50_se,ndcg100,ndcg100_se,best_epoch,train_seconds,test_users,parameters"]
        for result in results {
            for run in result.runs {
                let fields: [String] = [
                    result.model, "\(run.seed)",
                    "\(run.recall20.mean)", "\(run.recall20.standardError)",
                    "\(run.recall50.mean)", "\(run.recall50.standardError)",
                    "\(run.ndcg100.mean)", "\(run.ndcg100.standardError)",
                    "\(run.bestEpoch)", "\(run.trainingSeconds)", "\(run.testUsers)", "\(result.parameterCount)",
                ]
                lines.append(fields.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func format(_ value: MeanWithError) -> String {
        String(format: "%.4f ± %.4f", value.mean, value.standardError)
    }

    private static func groupedInteger(_ value: Int) -> String {
        let digits = String(value)
        var result = ""
        for (offset, character) in digits.enumerated() {
            if offset > 0 && (digits.count - offset) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return result
    }
}
