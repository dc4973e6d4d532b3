import Kernels
import TensorCore

/// Limited-memory BFGS (Nocedal 1980; Liu & Nocedal 1989) for full-batch objectives (AutoRec's
/// L-BFGS, Sedhain et al. 2015), with a backtracking Armijo or a strong-Wolfe line search.
///
/// Each `step` is one iteration: a two-loop-recursion direction from the last `historySize`
/// curvature pairs, then a step length along it: `.armijo` halves it from 1 until the loss falls
/// enough; `.strongWolfe` also asks the slope to have flattened (|gₜᵀd| ≤ c₂·|g₀ᵀd|), extrapolating
/// and zooming with cubic interpolation (Nocedal & Wright 2006, Algorithms 3.5–3.6; the kind of
/// search torch's `LBFGS(line_search_fn="strong_wolfe")` runs). `evaluate` must zero the
/// gradients, compute the loss and accumulate its gradients into the parameters.
public struct LBFGS: FullBatchOptimizer {
    /// How the step length along the quasi-Newton direction is chosen.
    public enum LineSearch: String, Sendable, CaseIterable {
        /// Halve from 1 until the sufficient-decrease condition holds.
        case armijo
        /// Sufficient decrease and the strong curvature condition (bracketing and cubic zoom).
        case strongWolfe = "strong-wolfe"
    }
    /// The line search.
    public var lineSearch: LineSearch
    /// c₂ of the strong curvature condition |∇f(θ + t·d)ᵀd| ≤ c₂·|∇f(θ)ᵀd| (0.9, the usual
    /// quasi-Newton value and torch's).
    public var curvatureCondition: Double
    /// The most loss/gradient evaluations one strong-Wolfe search may make (25, torch's max_ls).
    public var maximumLineSearchEvaluations: Int
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
    public init(historySize: Int = 10, sufficientDecrease: Double = 1e-4, maximumBacktracks: Int = 30,
                lineSearch: LineSearch = .armijo, curvatureCondition: Double = 0.9, maximumLineSearchEvaluations: Int = 25) {
        precondition(historySize > 0, "LBFGS: history size must be positive, got \(historySize)")
        precondition(sufficientDecrease > 0 && sufficientDecrease < curvatureCondition && curvatureCondition < 1,
                     "LBFGS: need 0 < c1 < c2 < 1, got c1 \(sufficientDecrease), c2 \(curvatureCondition)")
        (self.historySize, self.sufficientDecrease) = (historySize, sufficientDecrease)
        (self.maximumBacktracks, self.lineSearch) = (maximumBacktracks, lineSearch)
        self.curvatureCondition = curvatureCondition
        self.maximumLineSearchEvaluations = max(1, maximumLineSearchEvaluations)
    }

    /// Whether every `step` prints its evaluations, step length and loss on stderr, then the
    /// decisions it took (`AUTOENCODERZOO_LBFGS_TRACE=1`, a debugging aid): the iteration (counted
    /// from 1 by this optimizer, so from 1 again after a resume), the
    /// starting loss f₀ and slope gᵀd, the curvature pairs used (and whether the history was
    /// cleared because d was no descent direction), every trial step length with its loss and the
    /// Armijo bound f₀ + c₁·t·gᵀd it was held to, and the new pair's yᵀs (kept or skipped).
    public var tracesSteps = RuntimeOptions.current.tracesLineSearch
    /// What the latest `step` decided (what the trace prints).
    private(set) var trace = StepTrace()

    /// One iteration on `parameters`; returns the loss at the new point (the gradients there are left
    /// in the parameters). A step that cannot decrease the loss leaves the parameters unchanged.
    public mutating func step(_ parameters: [Parameter], evaluate: () -> Double) -> Double {
        trace = StepTrace(iteration: trace.iteration + 1)
        let loss = iterate(parameters, evaluate: evaluate)
        if tracesSteps {
            writeTraceLine("lbfgs: \(lastStepEvaluations) evaluation(s), step length \(lastStepLength), loss \(loss) "
                           + "(\(evaluationCount) evaluations in all); \(trace.description)")
        }
        return loss
    }

    /// The decisions of one iteration, for the trace (every value printed round-trip exact).
    struct StepTrace {
        var iteration = 0, startLoss = Double.nan, slope = Double.nan, pairs = 0, clearedHistory = false
        var trials: [(length: Double, loss: Double, bound: Double)] = []
        var curvature: Double? = nil, keptPair = false

        var description: String {
            let tried = trials.map { "t \($0.length) f \($0.loss) bound \($0.bound)" }.joined(separator: " | ")
            let pair = curvature.map { "y·s \($0) \(keptPair ? "kept" : "skipped")" } ?? "no pair"
            return "iteration \(iteration), f0 \(startLoss), slope \(slope), pairs \(pairs)\(clearedHistory ? " (cleared: no descent)" : ""), "
                + "trials [\(tried)], \(pair)"
        }
    }

    /// `step` without the trace.
    private mutating func iterate(_ parameters: [Parameter], evaluate: () -> Double) -> Double {
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
            trace.clearedHistory = true
            direction = gradient.map { var d = $0; Kernels.scale(&d, by: -1); return d }
            slope = Self.dot(gradient, direction)
        }
        (trace.startLoss, trace.slope, trace.pairs) = (loss, slope, steps.count)
        let start = parameters.map(\.value)
        // First iteration: step 1/‖g‖ (torch's min(1, 1/‖g‖₁) is similar in spirit); later, 1.
        let initialLength = steps.isEmpty ? min(1, 1 / max(1e-12, (-slope).squareRoot())) : 1
        func move(to length: Double) {
            for (index, parameter) in parameters.enumerated() {
                var value = start[index]
                Kernels.axpy(Float(length), direction[index], &value)            // θ + t·d
                parameter.value = value
            }
        }
        let found: LinePoint?
        switch lineSearch {
        case .armijo:
            var length = initialLength, accepted: LinePoint? = nil
            for _ in 0...maximumBacktracks {
                move(to: length)
                let trial = counted(), bound = loss + sufficientDecrease * length * slope
                trace.trials.append((length, trial, bound))
                if trial.isFinite && trial <= bound {
                    accepted = LinePoint(length: length, loss: trial, slope: 0, gradient: parameters.map(\.gradient))
                    break
                }
                length *= 0.5
            }
            found = accepted
        case .strongWolfe:
            found = strongWolfe(from: LinePoint(length: 0, loss: loss, slope: slope, gradient: gradient),
                                initialLength: initialLength) { length in
                move(to: length)
                let trial = counted()
                trace.trials.append((length, trial, loss + sufficientDecrease * length * slope))
                let trialGradient = parameters.map(\.gradient)
                return LinePoint(length: length, loss: trial, slope: Self.dot(trialGradient, direction), gradient: trialGradient)
            }
            if let found {                  // the search may have evaluated other points after it
                move(to: found.length)
                for (parameter, value) in zip(parameters, found.gradient) { parameter.gradient = value }
            }
        }
        guard let found else {
            for (index, parameter) in parameters.enumerated() { parameter.value = start[index] }
            current = (counted(), parameters.map(\.gradient))
            clearHistory()
            lastStepLength = 0
            return loss
        }
        let s = direction.map { var d = $0; Kernels.scale(&d, by: Float(found.length)); return d }
        let y = zip(found.gradient, gradient).map { Kernels.subtract($0, $1) }
        let curvature = Self.dot(y, s)
        (trace.curvature, trace.keptPair) = (curvature, curvature > 1e-10)
        if curvature > 1e-10 {
            steps.append(s); changes.append(y); curvatures.append(curvature)
            newestChangeSquaredNorm = Self.dot(y, y)
            if steps.count > historySize { steps.removeFirst(); changes.removeFirst(); curvatures.removeFirst() }
        }
        current = (found.loss, found.gradient)
        lastStepLength = found.length
        return found.loss
    }

    /// A point on the search line: step length t, loss f(θ + t·d), slope ∇f(θ + t·d)ᵀd and the gradient.
    struct LinePoint {
        var length: Double, loss: Double, slope: Double, gradient: [Matrix]
    }

    /// The strong-Wolfe search from `origin` (t = 0): a point with f(t) ≤ f(0) + c₁·t·f'(0) and
    /// |f'(t)| ≤ c₂·|f'(0)|, or, when the evaluation budget runs out first, the lowest point found
    /// that satisfies the first condition; nil when none does. `probe` evaluates a step length.
    func strongWolfe(from origin: LinePoint, initialLength: Double, probe: (Double) -> LinePoint) -> LinePoint? {
        let c1 = sufficientDecrease, c2 = curvatureCondition
        var evaluations = 0
        func decreasesEnough(_ point: LinePoint) -> Bool {
            point.loss.isFinite && point.loss <= origin.loss + c1 * point.length * origin.slope
        }
        func flatEnough(_ point: LinePoint) -> Bool { abs(point.slope) <= -c2 * origin.slope }

        // Zoom (N&W Algorithm 3.6): `low` decreases enough and is the lowest such point seen, its
        // slope points towards `high`, and the interval between them holds a point satisfying both
        // conditions.
        func zoom(_ low: LinePoint, _ high: LinePoint) -> LinePoint? {
            var low = low, high = high
            while evaluations < maximumLineSearchEvaluations {
                let lower = min(low.length, high.length), upper = max(low.length, high.length)
                let width = upper - lower
                guard width > 1e-12 * max(1, upper) else { break }
                // Cubic minimiser, kept at least a tenth of the interval away from either end.
                var length = Self.cubicMinimiser(low, high, lower: lower, upper: upper)
                length = min(max(length, lower + 0.1 * width), upper - 0.1 * width)
                let point = probe(length)
                evaluations += 1
                if !decreasesEnough(point) || point.loss >= low.loss {
                    high = point
                } else {
                    if flatEnough(point) { return point }
                    if point.slope * (high.length - low.length) >= 0 { high = low }
                    low = point
                }
            }
            return low.length > 0 ? low : nil
        }

        var previous = origin, length = initialLength
        while evaluations < maximumLineSearchEvaluations {
            let point = probe(length)
            evaluations += 1
            if !decreasesEnough(point) || (previous.length > 0 && point.loss >= previous.loss) {
                return zoom(previous, point)
            }
            if flatEnough(point) { return point }
            if point.slope >= 0 { return zoom(point, previous) }
            // Still descending: extrapolate, between a little beyond t and ten times t.
            let next = Self.cubicMinimiser(previous, point, lower: length + 0.01 * (length - previous.length),
                                           upper: 10 * length)
            previous = point
            length = next
        }
        return previous.length > 0 ? previous : nil
    }

    /// The minimiser of the cubic through two points' losses and slopes, clamped to [lower, upper];
    /// the interval's midpoint when the cubic has no minimiser or a point's loss is not finite
    /// (Nocedal & Wright 2006, eq. 3.59).
    static func cubicMinimiser(_ a: LinePoint, _ b: LinePoint, lower: Double, upper: Double) -> Double {
        guard a.loss.isFinite, b.loss.isFinite, a.length != b.length else { return (lower + upper) / 2 }
        let d1 = a.slope + b.slope - 3 * (a.loss - b.loss) / (a.length - b.length)
        let discriminant = d1 * d1 - a.slope * b.slope
        guard discriminant >= 0 else { return (lower + upper) / 2 }
        let d2 = (b.length > a.length ? 1.0 : -1.0) * discriminant.squareRoot()
        let length = b.length - (b.length - a.length) * (b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2)
        return length.isFinite ? min(max(length, lower), upper) : (lower + upper) / 2
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
