import Testing
import TensorCore
import Kernels
@testable import NeuralNet

/// `AUTOENCODERZOO_STEP_TRACE`: one line per mini-batch update, and no number changed by it (the
/// trace reads the gradients, which writes out the sparse layer's deferred gradient first).
@Suite struct StepTraceTests {
    /// Trains the toy autoencoder (a sparse first layer: deferred gradients) for 2 epochs of
    /// batches of 10; returns the trace lines (nil: no trace) and the final parameters' bits.
    func train(tracing: Bool) throws -> (lines: [String], bits: [UInt32], losses: [Double]) {
        let model = ToyAutoencoder(items: 12, hidden: 4, seed: 3)
        var context = ForwardContext(mode: .training, seed: 9)
        var trainer = miniBatch(2, batch: 10, Adam(learningRate: 0.05))
        var lines: [String] = []
        trainer.stepTrace = tracing ? { lines.append($0) } : nil
        let history = try trainer.train(model, on: toyClicks(), context: &context)
        return (lines, model.parameters.flatMap { $0.value.storage.map(\.bitPattern) }, history.epochs.map(\.loss))
    }

    @Test func everyUpdateIsOneLineAndTheNumbersAreUnchanged() throws {
        let traced = try train(tracing: true), plain = try train(tracing: false)
        #expect(traced.bits == plain.bits, "tracing changed the parameters")
        #expect(traced.losses == plain.losses)
        #expect(plain.lines.isEmpty)
        // 24 rows in batches of 10: 3 batches per epoch, one update each.
        #expect(traced.lines.count == 6)
        #expect(traced.lines.first?.hasPrefix("step: epoch 1 batch 1 update 1 loss ") == true)
        #expect(traced.lines.last?.hasPrefix("step: epoch 2 batch 3 update 1 loss ") == true)
        // The epoch's loss is the mean of its batches' losses: the trace's losses give it back.
        let firstEpoch = traced.lines.prefix(3).compactMap { line -> Double? in
            let words = line.split(separator: " ")
            return words.firstIndex(of: "loss").flatMap { Double(words[$0 + 1]) }
        }
        #expect(firstEpoch.count == 3)
        #expect(firstEpoch.reduce(0, +) / 3 == traced.losses[0])
    }

    @Test func theLineHoldsTheSquaredNormOfTheGradients() {
        let a = Parameter(name: "a", value: Matrix([[1, 2]])), b = Parameter(name: "b", value: Matrix([[3]]))
        a.gradient = Matrix([[0.5, -2]])
        b.gradient = Matrix([[3]])
        let line = StepTraceLine(epoch: 2, batch: 5, update: 2, loss: 0.1, gradients: [a, b])
        #expect(line.squaredGradientNorm == 0.25 + 4 + 9)
        #expect(line.text == "step: epoch 2 batch 5 update 2 loss 0.1 |g|² 13.25")
    }
}
