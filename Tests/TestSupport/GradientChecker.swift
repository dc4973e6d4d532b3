import TensorCore
import Kernels
import NeuralNet

/// A scalar loss of some inputs and parameters, with its analytic gradients.
///
/// `evaluate(inputs, &context, backward)` returns the loss (Double) and, when `backward` is true,
/// the analytic gradients w.r.t. each input (same order) and accumulates those w.r.t. `parameters`.
public struct GradientProblem {
    public var parameters: [Parameter]
    public var inputs: [Matrix]
    /// Which inputs to check (e.g. none for a likelihood's target or a sparse layer's data).
    public var checkedInputs: [Int]
    public var seed: UInt64
    public var mode: ForwardContext.Mode
    public var evaluate: (_ inputs: [Matrix], _ context: inout ForwardContext, _ backward: Bool) -> (loss: Double, inputGradients: [Matrix])

    /// A problem over `parameters` and `inputs`, checking the inputs listed in `checkedInputs`.
    public init(parameters: [Parameter], inputs: [Matrix], checkedInputs: [Int], seed: UInt64, mode: ForwardContext.Mode,
                evaluate: @escaping (_ inputs: [Matrix], _ context: inout ForwardContext, _ backward: Bool)
                    -> (loss: Double, inputGradients: [Matrix])) {
        self.parameters = parameters
        self.inputs = inputs
        self.checkedInputs = checkedInputs
        self.seed = seed
        self.mode = mode
        self.evaluate = evaluate
    }
}

/// One compared tensor: the worst entry's relative error.
public struct GradientMismatch: CustomStringConvertible, Sendable {
    public let tensor: String, index: Int, analytic: Double, numeric: Double, error: Double
    public var description: String { "\(tensor)[\(index)]: analytic \(analytic), numeric \(numeric), relative error \(error)" }
}

/// Central-difference gradient checker.
///
/// For every scalar θ_i of every checked tensor, numeric_i = (L(θ + h·e_i) − L(θ − h·e_i)) / 2h with
/// the loss accumulated in Double and the context *re-seeded identically* for each call (so dropout
/// masks and reparameterisation noise are the same in every evaluation). An entry passes when
/// |analytic − numeric| ≤ tolerance · max(|analytic|, |numeric|, floor), where floor = 1e-2 · the
/// largest |numeric| of that tensor (so entries that are ~0 are compared on the tensor's scale) or
/// 1e-4 absolute, whichever is larger.
///
/// Two options for whole models, whose Float forward passes are long: `measuresNoise` raises the
/// floor to what central differences can resolve — it perturbs up to 16 parameter entries by one
/// unit in the last place (a change whose true effect on the loss is ~10⁻¹¹), takes the largest
/// change of the loss as its rounding noise ε, and judges no entry below 4ε/2h — and
/// `smallStepAtKinks` re-checks an entry that fails at h with h/10, where it may also agree on one
/// side ((L(θ ± h) − L(θ))/h): when a SELU pre-activation or a clamp bound lies within h of θ, the
/// central difference averages two slopes, and a smaller step on the far side sees one. A wrong
/// gradient fails at both steps.
public struct GradientChecker: Sendable {
    public var step: Float = 1e-2
    public var tolerance: Double = 1e-2
    /// Whether the floor includes the loss's measured rounding noise.
    public var measuresNoise = false
    /// Whether a failing entry is re-checked with step/10 and one-sided differences.
    public var smallStepAtKinks = false
    /// The most entries checked per tensor (evenly spread; nil: all of them).
    public var entriesPerTensor: Int? = nil

    /// A checker with central-difference step `step` and relative tolerance `tolerance`.
    public init(step: Float = 1e-2, tolerance: Double = 1e-2, measuresNoise: Bool = false, smallStepAtKinks: Bool = false,
                entriesPerTensor: Int? = nil) {
        self.step = step
        self.tolerance = tolerance
        self.measuresNoise = measuresNoise
        self.smallStepAtKinks = smallStepAtKinks
        self.entriesPerTensor = entriesPerTensor
    }

    /// The entries of a tensor of `count` scalars that are checked: all, or `entriesPerTensor` spread evenly.
    func checkedEntries(_ count: Int) -> [Int] {
        guard let limit = entriesPerTensor, count > limit else { return Array(0..<count) }
        return (0..<limit).map { $0 * count / limit + ($0 * 7) % max(1, count / limit) }
    }

    /// The worst mismatch per tensor, and whether all passed.
    public func check(_ problem: GradientProblem) -> (passed: Bool, worst: [GradientMismatch]) {
        problem.parameters.zeroGradients()
        var context = ForwardContext(mode: problem.mode, seed: problem.seed)
        let analyticInputs = problem.evaluate(problem.inputs, &context, true).inputGradients
        let base = loss(problem, problem.inputs)
        let noiseFloor = measuresNoise ? 4 * roundingNoise(problem, base: base) / (2 * Double(step)) : 0
        var tensors: [(name: String, analytic: Matrix, numeric: Matrix, recheck: (Int, Double) -> Double?)] = []

        for parameter in problem.parameters {
            let analytic = parameter.gradient
            let original = parameter.value
            func numericAt(_ i: Int, _ h: Float, oneSided: Bool, analytic a: Double) -> Double {
                parameter.value.storage[i] = original.storage[i] + h
                let plus = loss(problem, problem.inputs)
                parameter.value.storage[i] = original.storage[i] - h
                let minus = loss(problem, problem.inputs)
                parameter.value = original
                return Self.closest(to: a, plus: plus, minus: minus, base: base, step: Double(h), oneSided: oneSided)
            }
            var numeric = Matrix(rows: analytic.rows, columns: analytic.columns, repeating: .nan)
            for i in checkedEntries(original.count) { numeric.storage[i] = Float(numericAt(i, step, oneSided: false, analytic: 0)) }
            tensors.append((parameter.name, analytic, numeric, { i, a in numericAt(i, step / 10, oneSided: true, analytic: a) }))
        }
        for k in problem.checkedInputs {
            var inputs = problem.inputs
            var numeric = Matrix(rows: inputs[k].rows, columns: inputs[k].columns)
            for i in 0..<inputs[k].count {
                let original = problem.inputs[k].storage[i]
                inputs[k].storage[i] = original + step
                let plus = loss(problem, inputs)
                inputs[k].storage[i] = original - step
                let minus = loss(problem, inputs)
                inputs[k].storage[i] = original
                numeric.storage[i] = Float((plus - minus) / (2 * Double(step)))
            }
            tensors.append(("input\(k)", analyticInputs[k], numeric, { _, _ in nil }))
        }

        var passed = true
        var worst: [GradientMismatch] = []
        for tensor in tensors {
            precondition(tensor.analytic.count == tensor.numeric.count,
                         "\(tensor.name): analytic \(tensor.analytic.shapeDescription), numeric \(tensor.numeric.shapeDescription)")
            let scale = tensor.numeric.storage.reduce(0) { $1.isNaN ? $0 : max($0, abs(Double($1))) }
            let floor = max(1e-2 * scale, 1e-4, noiseFloor)
            var worstHere = GradientMismatch(tensor: tensor.name, index: -1, analytic: 0, numeric: 0, error: 0)
            for i in 0..<tensor.analytic.count where !tensor.numeric.storage[i].isNaN {
                let a = Double(tensor.analytic.storage[i])
                func error(_ n: Double) -> Double { abs(a - n) / max(abs(a), abs(n), floor) }
                var n = Double(tensor.numeric.storage[i]), e = error(n)
                if e > tolerance && smallStepAtKinks, let finer = tensor.recheck(i, a), error(finer) < e { (n, e) = (finer, error(finer)) }
                if e > worstHere.error || worstHere.index < 0 {
                    worstHere = GradientMismatch(tensor: tensor.name, index: i, analytic: a, numeric: n, error: e)
                }
            }
            if worstHere.error > tolerance { passed = false }
            worst.append(worstHere)
        }
        return (passed, worst)
    }

    /// Of the central and (when `oneSided`) the right and left differences, the one closest to `analytic`.
    static func closest(to analytic: Double, plus: Double, minus: Double, base: Double, step: Double, oneSided: Bool) -> Double {
        let central = (plus - minus) / (2 * step)
        guard oneSided else { return central }
        return [central, (plus - base) / step, (base - minus) / step].min { abs($0 - analytic) < abs($1 - analytic) } ?? central
    }

    /// The largest change of the loss when up to 16 parameter entries, spread over the tensors, move
    /// by one unit in the last place: the loss's rounding noise.
    private func roundingNoise(_ problem: GradientProblem, base: Double) -> Double {
        var noise = 0.0
        let parameters = problem.parameters.filter { $0.value.count > 0 }
        guard !parameters.isEmpty else { return 0 }
        for k in 0..<min(16, parameters.reduce(0) { $0 + $1.value.count }) {
            let parameter = parameters[k % parameters.count]
            let i = (k / parameters.count * 7919) % parameter.value.count
            let original = parameter.value.storage[i]
            parameter.value.storage[i] = original.nextUp
            noise = max(noise, abs(loss(problem, problem.inputs) - base))
            parameter.value.storage[i] = original
        }
        return noise
    }

    private func loss(_ problem: GradientProblem, _ inputs: [Matrix]) -> Double {
        var context = ForwardContext(mode: problem.mode, seed: problem.seed)
        return problem.evaluate(inputs, &context, false).loss
    }
}

/// Deterministic test data.
public enum Fixtures {
    public static func matrix(_ rows: Int, _ columns: Int, seed: UInt64, scale: Float = 1) -> Matrix {
        var rng = RandomGenerator(seed: seed)
        return Kernels.randomNormal(rows: rows, columns: columns, standardDeviation: scale, using: &rng)
    }

    /// A dense 0/1 matrix (about half ones).
    public static func binary(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix {
        Matrix(rows: rows, columns: columns, storage: matrix(rows, columns, seed: seed).storage.map { $0 > 0 ? 1 : 0 })
    }

    /// A CSR batch with roughly `density` of the entries set to small positive counts, one empty row.
    public static func sparse(_ rows: Int, _ columns: Int, seed: UInt64, density: Float = 0.4) -> SparseMatrix {
        var rng = RandomGenerator(seed: seed)
        var triplets: [(row: Int, column: Int, value: Float)] = []
        for r in 0..<rows where r != 1 {
            for c in 0..<columns where rng.nextUniform() < density {
                triplets.append((r, c, Float(1 + rng.nextBelow(3))))
            }
        }
        return SparseMatrix(rows: rows, columns: columns, triplets: triplets)
    }
}
