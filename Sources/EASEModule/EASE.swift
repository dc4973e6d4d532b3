import ModelKit
import NeuralNet
import RecCore
import TensorCore

/// EASE (Steck, WWW 2019): an item-item linear autoencoder fitted in closed form,
///   B = argmin ‖X − X·B‖²_F + λ‖B‖²_F  subject to diag(B) = 0,
///   B = I − P·diag(1/diag P),  P = (XᵀX + λI)⁻¹,
/// over the training users' clicks X (binarised). The scores of any history x are x·B, so new users
/// fold in with no retraining. One [I, I] matrix: the Gram matrix, its inverse and B are written
/// into the same storage. Deterministic; no epochs (one reported, like `Popularity`). Data-parallel
/// members sum the Gram over their shards of users (`solve`).
public final class EASE: ZooModel {
    /// The number of items.
    public let itemCount: Int
    /// The settings (λ).
    public let configuration: EASEConfiguration
    /// B [I, I], zero diagonal (a parameter so checkpoints store it; its gradient is never allocated).
    let weights: Parameter

    /// An unfitted model (B = 0) for `itemCount` items.
    public init(itemCount: Int, configuration: EASEConfiguration = .paper) {
        precondition(itemCount > 0, "EASE needs items, got \(itemCount)")
        (self.itemCount, self.configuration) = (itemCount, configuration)
        weights = Parameter(name: "weights", value: Matrix(rows: itemCount, columns: itemCount), decays: false,
                            allocatesGradient: false)
    }

    /// [weights].
    public var parameters: [Parameter] { [weights] }

    /// Computes B from `request.train` (logging the memory estimate first and the time and method
    /// after), then reports one epoch validated by the task's rule and hands the state to
    /// `onEpochEnd`. A fit resumed from a state after that epoch keeps the restored B. A Gram
    /// matrix that is not positive definite in Float throws `TrainingError.invalidConfiguration`.
    public func fit(_ request: FitRequest) throws -> TrainingHistory {
        precondition(request.train.columns == itemCount, "EASE: training matrix has \(request.train.columns) items, model has \(itemCount)")
        let clock = ContinuousClock(), started = clock.now
        if (request.resume?.nextEpoch ?? 0) < 1 {
            let matrixBytes = itemCount * itemCount * MemoryLayout<Float>.stride
            request.log("ease: B is \(itemCount) × \(itemCount) floats = \(SystemMemory.describe(matrixBytes)) "
                        + "(≈ \(SystemMemory.describe(matrixBytes / 4 * 5)) at fit); Gram of \(request.train.nonZeroCount) clicks, λ = \(configuration.lambda)")
            let (method, times) = try solve(request.train, over: request.dataParallel)
            request.log("ease: Gram \(Self.rounded(times[0])) s, inverse \(Self.rounded(times[1])) s (\(method)), "
                        + "B \(Self.rounded(times[2])) s")
        }
        let metric = try request.validation.map { try $0.score(self, splitOver: request.dataParallel, parts: request.reproducibleShards) }
        return try request.finishOneEpochFit(validationMetric: metric, seconds: (clock.now - started).inSeconds)
    }

    /// B from the clicks of `train`, written into the storage of `weights` (no second [I, I] matrix);
    /// returns the inverse's method and the seconds of the Gram (with its sum over `group`), the
    /// inverse and B. In a data-parallel `group`, member r forms the Gram of training users
    /// r·U/N ..< (r+1)·U/N and one all-reduce sums them: the counts are integers, exact in Float
    /// below 2²⁴, so every member holds one process's Gram bit for bit and solves it the same way.
    private func solve(_ train: SparseMatrix, over group: (any DataParallelGroup)?) throws -> (method: String, seconds: [Double]) {
        let clock = ContinuousClock()
        var times: [Double] = [], mark = clock.now
        func lap() { times.append((clock.now - mark).inSeconds); mark = clock.now }
        var matrix = weights.value
        weights.value = Matrix(rows: 0, columns: 0)                       // `matrix` now holds the only reference
        if let group, group.size > 1 {
            train.rows(in: BatchShard.rows(of: train.rows, rank: group.rank, size: group.size)).withValues(1).gram(into: &matrix)
            do { try group.allReduceSum(&matrix.storage) } catch {                // G = Σ_r X_rᵀX_r
                weights.value = Matrix(rows: itemCount, columns: itemCount)
                throw error
            }
        } else {
            train.withValues(1).gram(into: &matrix)                       // G = XᵀX (X binarised)
        }
        matrix.addToDiagonal(Float(configuration.lambda))                 // G + λI
        lap()
        let method: String
        do {
            method = try matrix.invertSymmetricPositiveDefinite()        // P = (XᵀX + λI)⁻¹, in place
        } catch {
            matrix = Matrix(rows: 0, columns: 0)
            weights.value = Matrix(rows: itemCount, columns: itemCount)
            throw TrainingError.invalidConfiguration(setting: "ease.lambda",
                                                     value: "\(configuration.lambda): XᵀX + λI failed: \(error); try a larger λ")
        }
        lap()
        matrix.scaleColumnsByReciprocalDiagonal(multiplier: -1, diagonal: 0)   // B_ij = −P_ij / P_jj, B_jj = 0
        weights.value = matrix
        lap()
        return (method, times)
    }

    /// x·B for every history row x (binarised), [rows, I].
    public func scores(for histories: SparseMatrix) -> Matrix {
        precondition(histories.columns == itemCount, "EASE: histories have \(histories.columns) items, model has \(itemCount)")
        return histories.withValues(1).multiplied(by: weights.value)
    }

    /// `value` to two decimals, as text.
    private static func rounded(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }
}

extension EASE {
    /// The zoo entry `ease`.
    public static let zooEntry = ModelEntry(
        name: "ease",
        summary: "EASE: closed-form item-item ridge regression with a zero diagonal, λ = 500 (Steck, WWW 2019)",
        task: .ranking, searchSpace: EASEConfiguration.searchSpace,
        configuration: { try EASEConfiguration.from($0) },
        parameterCount: { shape, _ in try EASEConfiguration.matrixEntries(items: shape.items) }
    ) { shape, configuration in
        try EASEConfiguration.checkFits(items: shape.items)              // refused before the [I, I] allocation
        return EASE(itemCount: shape.items, configuration: configuration)
    }
}
