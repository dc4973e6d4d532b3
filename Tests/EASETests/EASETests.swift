import Testing
import ModelKit
import NeuralNet
import RecCore
import TensorCore
@testable import EASEModule

/// What is particular to EASE (Steck 2019): the closed form against its optimality conditions in
/// Double, new users folded in with no refit, the λ setting, and the memory refusal.
@Suite struct EASETests {
    /// 40 users × 15 items of seeded clicks (some users and items empty).
    static let clicks: SparseMatrix = {
        var rng = RandomGenerator(seed: 5)
        var triplets: [(row: Int, column: Int, value: Float)] = []
        for user in 0..<40 where user % 11 != 3 {
            for item in 0..<15 where item != 9 && rng.nextUniform() < 0.3 + 0.03 * Float(item % 5) {
                triplets.append((user, item, 4))                                 // a rating: EASE binarises it
            }
        }
        return SparseMatrix(rows: 40, columns: 15, triplets: triplets)
    }()

    static func fitted(lambda: Double, log: @escaping (String) -> Void = { _ in }) throws -> EASE {
        let model = EASE(itemCount: 15, configuration: EASEConfiguration(lambda: lambda))
        _ = try model.fit(FitRequest(train: clicks, log: log))
        return model
    }

    /// B minimises ‖X − XB‖² + λ‖B‖² with diag(B) = 0 exactly when its diagonal is 0 and
    /// (XᵀX + λI)·B − XᵀX is diagonal (the Lagrange multipliers of the constraint): checked in Double.
    @Test(arguments: [0.5, 10, 500])
    func satisfiesTheOptimalityConditions(lambda: Double) throws {
        let b = try Self.fitted(lambda: lambda).weights.value
        let x = Self.clicks.withValues(1).toDense()
        var worst = 0.0, largest = 0.0
        for i in 0..<15 {
            #expect(b[i, i] == 0)
            for j in 0..<15 where j != i {
                var gram = 0.0, product = 0.0                                    // (XᵀX)_ij, ((XᵀX + λI)·B)_ij
                for u in 0..<40 { gram += Double(x[u, i]) * Double(x[u, j]) }
                for k in 0..<15 {
                    var g = 0.0
                    for u in 0..<40 { g += Double(x[u, i]) * Double(x[u, k]) }
                    product += (g + (k == i ? lambda : 0)) * Double(b[k, j])
                }
                worst = max(worst, abs(product - gram))
                largest = max(largest, abs(gram))
            }
        }
        #expect(worst <= 1e-4 * max(1, largest), "λ = \(lambda): off-diagonal residual \(worst)")
    }

    /// A history that was not in training is scored as x·B (fold-in, no refit), with its values binarised.
    @Test func newUsersFoldIn() throws {
        let model = try Self.fitted(lambda: 10)
        let history = SparseMatrix(rows: 2, columns: 15, triplets: [(0, 2, 1), (0, 7, 5), (1, 14, 1)])
        let scores = model.scores(for: history)
        let b = model.weights.value
        for j in 0..<15 {
            #expect(abs(scores[0, j] - (b[2, j] + b[7, j])) < 1e-6)
            #expect(scores[1, j] == b[14, j])
        }
    }

    @Test func logsTheMemoryEstimateBeforeFitting() throws {
        var lines: [String] = []
        _ = try Self.fitted(lambda: 500) { lines.append($0) }
        #expect(lines.count == 2)
        #expect(lines.first?.contains("15 × 15 floats") == true && lines.first?.contains("λ = 500") == true)
        #expect(lines.last?.contains("Gram ") == true && lines.last?.contains("inverse") == true)
    }

    @Test func lambdaIsTheOneSetting() throws {
        #expect(try EASEConfiguration.from(ModelOptions()).lambda == 500)
        #expect(try EASEConfiguration.from(ModelOptions(overrides: ["lambda": "250.5"])).lambda == 250.5)
        for bad in ["0", "-3", "nan", "abc", "1e40"] {
            #expect(throws: ModelZooError.self) { try EASEConfiguration.from(ModelOptions(overrides: ["lambda": bad])) }
        }
        #expect(throws: ModelZooError.unknownOption(model: "ease", key: "hidden", known: ["lambda"])) {
            try EASEConfiguration.from(ModelOptions(overrides: ["hidden": "10"]))
        }
    }

    /// Sizes that cannot fit are refused before anything is allocated, naming the size.
    @Test func tooManyItemsAreRefused() throws {
        #expect(try EASEConfiguration.fitBytes(items: 1_000) == 5_000_000)
        #expect(throws: Never.self) { try EASEConfiguration.checkFits(items: 1_000, physicalBytes: 5_000_000) }
        #expect {
            try EASEConfiguration.checkFits(items: 1_001, physicalBytes: 5_000_000)
        } throws: { error in
            guard case ModelZooError.tooLarge("ease", let detail)? = error as? ModelZooError else { return false }
            return detail.contains("1001 × 1001") && detail.contains("physical memory")
        }
        #expect(throws: ModelZooError.self) { try EASEConfiguration.fitBytes(items: 4_000_000_000) }   // overflows
        #expect(throws: ModelZooError.self) { try EASEConfiguration.matrixEntries(items: 0) }
        #expect(throws: ModelZooError.self) {                                    // 4 TB on any machine we run
            _ = try EASE.zooEntry.make(DataShape(users: 10, items: 1_000_000), ModelOptions())
        }
    }
}
