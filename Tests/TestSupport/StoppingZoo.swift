import ModelKit
import NeuralNet
import RecCore
import TensorCore

/// A zoo model that stops (by throwing) once the state after `stopAfter` epochs has been handed to
/// the fit's `onEpochEnd` hook, as a process killed between two epochs would: what a test of
/// `--resume-dir` runs first.
public final class StopsAfter: ZooModel {
    /// The error that stops the fit.
    public struct Stop: Error, CustomStringConvertible {
        public var description: String { "stopped on purpose" }
    }
    let inner: any ZooModel
    let stopAfter: Int

    /// `inner`, stopping after epoch `stopAfter`.
    public init(_ inner: any ZooModel, stopAfter: Int) {
        self.inner = inner
        self.stopAfter = stopAfter
    }

    public var parameters: [Parameter] { inner.parameters }
    public func scores(for histories: SparseMatrix) -> Matrix { inner.scores(for: histories) }

    public func fit(_ request: FitRequest) throws -> TrainingHistory {
        var request = request
        let (hook, stopAfter) = (request.onEpochEnd, self.stopAfter)
        request.onEpochEnd = { state in
            try hook?(state)
            if state.nextEpoch == stopAfter { throw Stop() }
        }
        return try inner.fit(request)
    }
}

extension ModelZoo {
    /// This zoo with `name` replaced by its `StopsAfter` twin stopping after `epochs`.
    public func stopping(_ name: String, after epochs: Int) throws -> ModelZoo {
        let standard = try entry(named: name)
        return ModelZoo(entries.filter { $0.name != name } + [
            ModelEntry(name: name, summary: "stops after \(epochs) epochs", task: standard.task,
                       parameterCount: standard.parameterCount) { shape, options in
                StopsAfter(try standard.make(shape, options), stopAfter: epochs)
            },
        ])
    }
}
