import Kernels
import TensorCore

/// One member's part of a global batch in data-parallel training, and the sum that makes the
/// members' shards one step: Σ_r w_r·(loss_r, ∂loss_r/∂θ) over the group, w_r from the recipe's
/// `shardWeighting`. Every member runs the same updates in the same order, so the reduced
/// gradients, the optimizer steps and hence the parameters are the same everywhere.
struct ShardPlan {
    /// The group summing the shards.
    let group: any DataParallelGroup
    /// The rows this member computes (a batch smaller than the group gives some members none:
    /// they compute the batch's first row with weight 0, so their generator and their calls to
    /// the group stay in step with the others').
    let batch: SparseMatrix
    /// Where `batch` sits in the global batch.
    let shard: BatchShard
    /// w_r for each update of the step (the last repeating).
    let weights: [Double]
    /// The message the gradients are packed into, kept across steps.
    let buffer: ReductionBuffer

    /// The shard of `global` for this member of `group`, weighted by `weighting`.
    init(_ global: SparseMatrix, group: any DataParallelGroup, weighting: [ShardWeighting], buffer: ReductionBuffer) {
        (self.group, self.buffer) = (group, buffer)
        (batch, shard, weights) = Self.part(group.rank, of: group.size, in: global, weighting: weighting)
    }

    /// Part `index` of `count` of `global` (`BatchShard`'s rule), and w for each update of the
    /// step; an empty part is the batch's first row with weight 0 (see `batch`).
    static func part(_ index: Int, of count: Int, in global: SparseMatrix,
                     weighting: [ShardWeighting]) -> (batch: SparseMatrix, shard: BatchShard, weights: [Double]) {
        var shard = BatchShard(of: global, rank: index, size: count)
        let contributes = !shard.rows.isEmpty
        let weighting = weighting.isEmpty ? [ShardWeighting.rows] : weighting
        let weights = weighting.map {
            contributes ? $0.weight(shardRows: shard.rows.count, shardEntries: shard.entries.count,
                                    globalRows: shard.globalRows, globalEntries: shard.globalEntries) : 0
        }
        if !contributes && global.rows > 0 {
            shard.rows = 0..<1
            shard.entries = global.rowPointers[0]..<global.rowPointers[1]
        }
        return (global.rows(in: shard.rows), shard, weights)
    }

    /// The global batch's loss for update `update` of the step, after replacing the gradients of
    /// `parameters` (this shard's) with the group's weighted sum. The loss's reduction carries the
    /// step's status (`StepFailures`): when a member joined it failing, every member throws
    /// `DataParallelError.memberFailed` here, before the gradients' reduction.
    func reduce(loss: Double, parameters: [Parameter], update: Int) throws -> Double {
        let weight = weights[min(update, weights.count - 1)]
        let total = try StepFailures.reduce(weight * loss, over: group)
        try buffer.sumGradients(parameters, weight: Float(weight), over: group)
        return total
    }

    /// This member's step failed with `error` (its own, not one the group's reduction threw alike
    /// on every member): joins the other members' next loss reduction flagged, and throws
    /// `DataParallelError.memberFailed` with every member.
    func fail(_ error: any Error) throws -> Never {
        try StepFailures.join(failing: error, over: group)
    }

    /// Throws `DataParallelError.parametersDiverged` unless every member's parameters have the
    /// bitwise same checksum (Σθ and Σθ², in Double) as rank 0's; every member throws alike.
    static func checkParametersAgree(_ parameters: [Parameter], epoch: Int, group: any DataParallelGroup) throws {
        let sums = parameters.reduce((0.0, 0.0)) { ($0.0 + Kernels.sum($1.value), $0.1 + Kernels.sumOfSquares($1.value)) }
        let bytes = [sums.0, sums.1].flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) }
        let all = try group.allGather(bytes)
        let differing = all.indices.filter { all[$0] != all[0] }
        if !differing.isEmpty { throw DataParallelError.parametersDiverged(epoch: epoch, ranks: differing) }
    }
}

/// One message holding every gradient of an update, reused from step to step (a fresh 100 MB
/// array per step costs its page faults; see Documentation/Scaling.md).
final class ReductionBuffer {
    private var packed = Matrix(rows: 0, columns: 0)

    /// Replaces each parameter's gradient g with Σ_r weight_r·g_r over `group` (one message),
    /// copying in and out of the kept buffer, the gradients written in place.
    func sumGradients(_ parameters: [Parameter], weight: Float, over group: any DataParallelGroup) throws {
        let count = parameters.scalarCount
        if packed.count != count { packed = Matrix(rows: 1, columns: count) }
        var offset = 0
        packed.withUnsafeMutableBufferPointer { flat in
            for parameter in parameters {
                parameter.gradient.withUnsafeBufferPointer { gradient in
                    _ = UnsafeMutableBufferPointer(rebasing: flat[offset..<(offset + gradient.count)]).update(fromContentsOf: gradient)
                    offset += gradient.count
                }
            }
        }
        Kernels.scale(&packed, by: weight)
        try group.allReduceSum(&packed.storage)
        offset = 0
        packed.withUnsafeBufferPointer { flat in
            for parameter in parameters {
                parameter.gradient.withUnsafeMutableBufferPointer { gradient in
                    _ = gradient.update(fromContentsOf: UnsafeBufferPointer(rebasing: flat[offset..<(offset + gradient.count)]))
                    offset += gradient.count
                }
            }
        }
    }
}

extension Trainer {
    /// This member's shard of `global` when training data-parallel (nil: one process).
    func shardPlan(_ global: SparseMatrix) -> ShardPlan? {
        dataParallel.map { ShardPlan(global, group: $0, weighting: recipe.shardWeighting, buffer: reductionBuffer) }
    }

    /// At the end of a pass of mini-batches, the status reduction alone (a member whose model
    /// failed after the last update of the pass's last step joins it flagged; see `StepFailures`).
    func checkPassStatus() throws {
        if let group = dataParallel, group.size > 1 { _ = try StepFailures.reduce(0, over: group) }
    }

    /// In debug builds of a data-parallel run, checks after each epoch that every member holds
    /// the same parameters (see `ShardPlan.checkParametersAgree`); nothing otherwise.
    func checkMembersAgree(_ parameters: [Parameter], epoch: Int) throws {
        #if DEBUG
        if let group = dataParallel, group.size > 1 {
            try ShardPlan.checkParametersAgree(parameters, epoch: epoch + 1, group: group)
        }
        #endif
    }
}
