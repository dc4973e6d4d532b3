import TensorCore
import Kernels

/// Limited-memory BFGS (Nocedal 1980; Liu & Nocedal 1989) for full-batch objectives, with a
/// backtracking Armijo line search (AutoRec's L-BFGS, Sedhain et al. 2015).
///
/// Each `step` is one iteration: a two-loop-recursion direction from the last `historySize`
/// curvature pairs, then a step length halved from 1 until the loss falls enough. `evaluate` must
/// zero the gradients, compute the loss and accumulate its gradients into the parameters.
public struct LBFGS {
    /// m, the number of curvature pairs kept (torch: 10).
    public var historySize: Int
    /// c₁ of the Armijo condition f(θ + t·d) ≤ f(θ) + c₁·t·gᵀd.
    public var sufficientDecrease: Double
    /// The most halvings of the step length per iteration.
    public var maximumBacktracks: Int
    var steps: [[Matrix]] = []          // s_k = θ_{k+1} − θ_k
    var changes: [[Matrix]] = []        // y_k = g_{k+1} − g_k
    var current: (loss: Double, gradient: [Matrix])?
    /// y_kᵀs_k of every pair and y_kᵀy_k of the newest, cached so the two-loop recursion computes only
    /// the 2m dots it needs (recomputed from the pairs after a `restore`).
    var curvatures: [Double] = [], newestChangeSquaredNorm = 0.0
    /// Loss/gradient evaluations made so far (the first point's and every line-search trial's).
    public private(set) var evaluationCount = 0
    /// Evaluations the latest `step` made (1 when its first trial step length was accepted).
    public private(set) var lastStepEvaluations = 0
    /// The step length the latest `step` accepted (0 when it could not decrease the loss).
    public private(set) var lastStepLength = 0.0

    /// An optimizer keeping `historySize` pairs.
    public init(historySize: Int = 10, sufficientDecrease: Double = 1e-4, maximumBacktracks: Int = 30) {
        precondition(historySize > 0, "LBFGS: history size must be positive, got \(historySize)")
        self.historySize = historySize
        self.sufficientDecrease = sufficientDecrease
        self.maximumBacktracks = maximumBacktracks
    }

    /// One iteration on `parameters`; returns the loss at the new point (the gradients there are left
    /// in the parameters). A step that cannot decrease the loss leaves the parameters unchanged.
    public mutating func step(_ parameters: [Parameter], evaluate: () -> Double) -> Double {
        let evaluationsBefore = evaluationCount
        defer { lastStepEvaluations = evaluationCount - evaluationsBefore }
        func counted() -> Double {
            evaluationCount += 1
            return evaluate()
        }
        if curvatures.count != steps.count { refreshCurvatures() }
        if current == nil { current = (counted(), parameters.map(\.gradient)) }
        guard let (loss, gradient) = current else { return .nan }
        var direction = twoLoopDirection(gradient)
        var slope = Self.dot(gradient, direction)                               // gᵀd < 0 for descent
        if !(slope < 0) {
            clearHistory()
            direction = gradient.map { var d = $0; Kernels.scale(&d, by: -1); return d }
            slope = Self.dot(gradient, direction)
        }
        let start = parameters.map(\.value)
        // First iteration: step 1/‖g‖ (torch's min(1, 1/‖g‖₁) is similar in spirit); later, 1.
        var length = steps.isEmpty ? min(1, 1 / max(1e-12, (-slope).squareRoot())) : 1
        for _ in 0...maximumBacktracks {
            for (index, parameter) in parameters.enumerated() {
                var value = start[index]
                Kernels.axpy(Float(length), direction[index], &value)            // θ + t·d
                parameter.value = value
            }
            let trial = counted()
            if trial.isFinite && trial <= loss + sufficientDecrease * length * slope {
                let newGradient = parameters.map(\.gradient)
                let s = direction.map { var d = $0; Kernels.scale(&d, by: Float(length)); return d }
                let y = zip(newGradient, gradient).map { Kernels.subtract($0, $1) }
                let curvature = Self.dot(y, s)
                if curvature > 1e-10 {
                    steps.append(s); changes.append(y); curvatures.append(curvature)
                    newestChangeSquaredNorm = Self.dot(y, y)
                    if steps.count > historySize { steps.removeFirst(); changes.removeFirst(); curvatures.removeFirst() }
                }
                current = (trial, newGradient)
                lastStepLength = length
                return trial
            }
            length *= 0.5
        }
        for (index, parameter) in parameters.enumerated() { parameter.value = start[index] }
        current = (counted(), parameters.map(\.gradient))
        clearHistory()
        lastStepLength = 0
        return loss
    }

    /// Forgets every curvature pair.
    private mutating func clearHistory() {
        steps.removeAll(); changes.removeAll(); curvatures.removeAll()
        newestChangeSquaredNorm = 0
    }

    /// Recomputes the cached y_kᵀs_k and the newest y_kᵀy_k from the pairs (after a `restore`).
    private mutating func refreshCurvatures() {
        curvatures = zip(changes, steps).map { Self.dot($0, $1) }
        newestChangeSquaredNorm = changes.last.map { Self.dot($0, $0) } ?? 0
    }

    /// d = −H·g by the two-loop recursion, H₀ = (sᵀy / yᵀy)·I; 2m dots and 2m axpys for m pairs.
    private func twoLoopDirection(_ gradient: [Matrix]) -> [Matrix] {
        var q = gradient
        var alphas = [Double](repeating: 0, count: steps.count)
        for k in steps.indices.reversed() {
            alphas[k] = Self.dot(steps[k], q) / curvatures[k]
            for i in q.indices { Kernels.axpy(Float(-alphas[k]), changes[k][i], &q[i]) }   // q −= α_k·y_k
        }
        if let newest = curvatures.last {
            let gamma = Float(newest / newestChangeSquaredNorm)
            for i in q.indices { Kernels.scale(&q[i], by: gamma) }
        }
        for k in steps.indices {
            let beta = Self.dot(changes[k], q) / curvatures[k]
            for i in q.indices { Kernels.axpy(Float(alphas[k] - beta), steps[k][i], &q[i]) }  // q += (α_k − β)·s_k
        }
        for i in q.indices { Kernels.scale(&q[i], by: -1) }
        return q
    }

    private static func dot(_ a: [Matrix], _ b: [Matrix]) -> Double {
        zip(a, b).reduce(0) { $0 + Kernels.dot($1.0, $1.1) }
    }
}
