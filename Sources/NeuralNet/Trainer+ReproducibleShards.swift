import Kernels
import TensorCore

/// The reproducible mode (`Trainer.reproducibleShards`, `--reproducible K`): every batch is cut into
/// the same K parts whatever the number of ranks and threads, each part's loss and gradients are
/// computed on their own, and the parts are added exactly, so one process on any number of threads
/// and `mpirun -np N` (N ≤ K) train to the same bits (Documentation/Scaling.md, "Reproducible mode").
///
/// Without it, a rank's gradient is one Float sum over its rows, and a different split rounds
/// differently; models that amplify rounding (the VampPrior entries, I-AutoRec, the deep AE: BENCHMARKS.md
/// §18) then end training measurably apart. Here rank r runs the parts `BatchShard.rows(of: K, rank: r,
/// size: N)` one after the other (each as the data-parallel path runs a rank's shard), keeps each
/// part's weighted gradient, and the group adds them as integer multiples of one power of two per
/// parameter (`Kernels.addMultiples`): exact in Double, so the order of the ranks' reduction does not
/// matter. The price: K smaller products per batch instead of N, a copy of the gradients per part,
/// and each part's gradient rounded to a multiple of 2^−(52 − h) times a power of two above the
/// parameter's largest part entry, h = max(1, ⌈log₂ K⌉): no coarser than Float's own rounding for
/// every entry within 2^(h − 27) of that largest (2^−23 for K = 12), an error of at most 2^(h − 52) of it below.
///
/// A model that updates several times per batch (the deep AE's dense re-feeding) declares it
/// (`TrainableModel.updatesPerStep`); update u then replays each part from the batch's start: the
/// parameters are set to those after each earlier update as the model reaches it, so every part
/// sees one process's parameters at every point.
struct ReproducibleShards {
    /// K, the parts of every batch.
    let count: Int
    /// The ranks sharing them (a group of one alone).
    let group: any DataParallelGroup
    /// The kept gradients, reused from step to step.
    let sum: ExactGradientSum

    /// This member's parts.
    var mine: Range<Int> { BatchShard.rows(of: count, rank: group.rank, size: group.size) }
}

/// A part's step stopped after the update being computed (`ReproducibleShards`' replay).
private struct PartStopped: Error {}

extension Trainer {
    /// The reproducible mode's parts for this run, or nil when it is off.
    func reproducibleParts() -> ReproducibleShards? {
        guard let count = reproducibleShards else { return nil }
        return ReproducibleShards(count: count, group: dataParallel ?? SoleMember(), sum: exactSum)
    }

    /// One mini-batch of the reproducible mode: every update of `model`'s step over the parts of
    /// `global`, each added exactly and applied by `optimizer`; returns the step's (first) loss and
    /// the number of updates. `trace` hears each update's loss (rank 0's step trace).
    func reproducibleStep<Model: TrainableModel>(
        _ model: Model, global: SparseMatrix, parts: ReproducibleShards, step: TrainingStep,
        epoch: Int, batchIndex: Int, parameters: [Parameter], updated: [Parameter], frozen: [Parameter],
        optimizer: inout any Optimizer, context: inout ForwardContext, trace: (Int, Double) -> Void
    ) throws -> (loss: Double, updates: Int) {
        let updates = max(1, model.updatesPerStep)
        let start = context.rng
        var after: [[Matrix]] = []                  // `updated`'s values after each update but the last
        let before = updates > 1 ? updated.map(\.value) : []
        var firstLoss = 0.0, end = start
        for update in 0..<updates {
            parts.sum.begin(slots: parts.mine.count)
            for (slot, index) in parts.mine.enumerated() {
                let (batch, shard, weights) = ShardPlan.part(index, of: parts.count, in: global, weighting: recipe.shardWeighting)
                let weight = weights[min(update, weights.count - 1)]
                if updates > 1 { for (parameter, value) in zip(updated, before) { parameter.value = value } }
                parameters.zeroGradients()
                var partContext = context
                (partContext.rng, partContext.shard) = (start, shard)
                var call = 0
                do {
                    _ = try model.trainStep(batch: batch, step: step, context: &partContext) { localLoss in
                        defer { call += 1 }
                        guard call == update else {
                            guard call < update else {
                                throw TrainingError.invalidConfiguration(
                                    setting: "updatesPerStep", value: "\(updates), but the model's step updated more often")
                            }
                            for (parameter, value) in zip(updated, after[call]) { parameter.value = value }
                            parameters.zeroGradients()
                            return
                        }
                        try Self.check(loss: localLoss, epoch: epoch, batch: batchIndex)   // this part's: names the rank
                        parts.sum.keep(updated, weight: weight, loss: weight * localLoss, slot: slot)
                        if update < updates - 1 { throw PartStopped() }
                    }
                } catch is PartStopped {
                } catch {
                    guard parts.group.size > 1 else { throw error }
                    try StepFailures.join(failing: error, over: parts.group)
                }
                guard call > update else {
                    let error = TrainingError.invalidConfiguration(
                        setting: "updatesPerStep", value: "\(updates), but the model's step updated \(call) time(s)")
                    guard parts.group.size > 1 else { throw error }
                    try StepFailures.join(failing: error, over: parts.group)
                }
                if update == updates - 1 { end = partContext.rng }
            }
            if updates > 1 {                                          // the group's parameters before this update
                for (parameter, value) in zip(updated, after.last ?? before) { parameter.value = value }
            }
            let loss = try parts.sum.reduce(into: updated, parts: parts.count, over: parts.group)
            try Self.check(loss: loss, epoch: epoch, batch: batchIndex)
            if update == 0 { firstLoss = loss }
            trace(update, loss)
            if let name = optimizer.updateZeroingGradients(updated) {
                throw TrainingError.nonFiniteGradient(epoch: epoch + 1, batch: batchIndex + 1, parameter: name)
            }
            frozen.zeroGradients()
            if update < updates - 1 { after.append(updated.map(\.value)) }
        }
        parameters.zeroGradients()
        context.rng = end                           // every part's draws advance the generator alike
        return (firstLoss, updates)
    }

    /// One full-batch evaluation of the reproducible mode: the loss and gradients of `model` on
    /// `data`, part by part from `stepContext`, added exactly into `parameters`' gradients.
    func reproducibleEvaluation<Model: TrainableModel>(
        _ model: Model, data: SparseMatrix, parts: ReproducibleShards, step: TrainingStep,
        parameters: [Parameter], stepContext: ForwardContext
    ) throws -> Double {
        parts.sum.begin(slots: parts.mine.count)
        for (slot, index) in parts.mine.enumerated() {
            let (batch, shard, weights) = ShardPlan.part(index, of: parts.count, in: data, weighting: recipe.shardWeighting)
            parameters.zeroGradients()
            var context = stepContext
            context.shard = shard
            let loss = model.lossAndGradients(batch: batch, step: step, context: &context)
            parts.sum.keep(parameters, weight: weights[0], loss: weights[0] * loss, slot: slot)
        }
        return try parts.sum.reduce(into: parameters, parts: parts.count, over: parts.group)
    }
}

/// The parts' weighted gradients and losses of one update, and their exact sum over the group.
final class ExactGradientSum {
    /// Per slot (this member's parts in order), each parameter's weighted gradient, kept across steps.
    private var gradients: [[Matrix]] = []
    /// Per slot, the weight its gradients carry.
    private var weights: [Double] = []
    /// Per slot, its weighted loss.
    private var losses: [Double] = []
    /// The exact sums, one Double per parameter entry, kept across steps.
    private var multiples: [Double] = []

    /// Starts an update of `slots` parts.
    func begin(slots: Int) {
        if gradients.count > slots { gradients.removeLast(gradients.count - slots) }
        weights = Array(repeating: 0, count: slots)
        losses = Array(repeating: 0, count: slots)
    }

    /// Keeps `parameters`' gradients as slot `slot`'s, with its weight and weighted loss. The
    /// gradients are moved, not copied: each parameter gets the matrix this slot held last (its
    /// contents stale, to be zeroed in place by the next `zeroGradients`), so no part pays a fresh
    /// allocation, its page faults and a copy of every gradient.
    func keep(_ parameters: [Parameter], weight: Double, loss: Double, slot: Int) {
        let previous = slot < gradients.count ? gradients[slot] : []
        let taken = parameters.enumerated().map { index, parameter in
            let gradient = parameter.gradient
            if index < previous.count, previous[index].rows == gradient.rows, previous[index].columns == gradient.columns {
                parameter.gradient = previous[index]
            }
            return gradient
        }
        if slot < gradients.count { gradients[slot] = taken } else { gradients.append(taken) }
        (weights[slot], losses[slot]) = (weight, loss)
    }

    /// Σ over every member's parts of the kept gradients, written into `parameters`' gradients, and
    /// the sum of the parts' weighted losses in part order (one gather). The step's status reduction
    /// comes first (`StepFailures`: a member whose part failed joins it flagged, and every member
    /// throws). Each parameter's unit is the largest weighted part entry over the group (one
    /// gather), the sums one `allReduceSum` of Doubles holding integers: the same bits for any
    /// split of the `parts` parts over the members.
    func reduce(into parameters: [Parameter], parts: Int, over group: any DataParallelGroup) throws -> Double {
        if group.size > 1 { _ = try StepFailures.reduce(0, over: group) }
        let allLosses = group.size > 1 ? try group.allGather(values: losses).flatMap { $0 } : losses
        let loss = allLosses.reduce(0, +)
        var largest = parameters.indices.map { index in
            zip(gradients, weights).reduce(0.0) { largest, part in
                let magnitude = part.0[index].withUnsafeBufferPointer(Kernels.largestMagnitude)
                let weighted = Double(magnitude) * abs(part.1)
                return weighted.isNaN || largest.isNaN ? .nan : max(largest, weighted)
            }
        }
        if group.size > 1 {
            let all = try group.allGather(values: largest)
            largest = largest.indices.map { index in
                all.reduce(0.0) { $0.isNaN || $1[index].isNaN ? .nan : max($0, $1[index]) }
            }
        }
        let total = parameters.scalarCount
        if multiples.count != total { multiples = Array(repeating: 0, count: total) } else {
            multiples.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
        let units = largest.map { Kernels.multipleUnit(largest: $0, terms: parts) }
        var offset = 0
        multiples.withUnsafeMutableBufferPointer { flat in
            for (index, parameter) in parameters.enumerated() {
                let slice = UnsafeMutableBufferPointer(rebasing: flat[offset..<(offset + parameter.value.count)])
                if let unit = units[index] {
                    for (part, weight) in zip(gradients, weights) {
                        part[index].withUnsafeBufferPointer { Kernels.addMultiples(of: $0, weight: weight, unit: unit, into: slice) }
                    }
                } else {
                    slice.update(repeating: largest[index])             // NaN or ∞: reported as a non-finite gradient
                }
                offset += parameter.value.count
            }
        }
        if group.size > 1 { try group.allReduceSum(&multiples) }
        offset = 0
        multiples.withUnsafeBufferPointer { flat in
            for (index, parameter) in parameters.enumerated() {
                let slice = UnsafeBufferPointer(rebasing: flat[offset..<(offset + parameter.value.count)])
                parameter.gradient.withUnsafeMutableBufferPointer { gradient in
                    if let unit = units[index] {
                        Kernels.valuesOfMultiples(slice, unit: unit, into: gradient)
                    } else {
                        gradient.update(repeating: Float(largest[index]))
                    }
                }
                offset += parameter.value.count
            }
        }
        return loss
    }
}

/// This process alone as a group (the reproducible mode without MPI): every collective returns
/// this member's own values.
final class SoleMember: DataParallelGroup {
    var rank: Int { 0 }
    var size: Int { 1 }
    func allReduceSum(_ values: inout [Float]) throws {}
    func allReduceSum(_ values: inout [Double]) throws {}
    func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] { [bytes] }
}
