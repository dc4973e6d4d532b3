import TensorCore
import Kernels

/// How a weight matrix [In, Out] is initialised.
public enum WeightInitialization: Sendable, Equatable {
    /// Glorot & Bengio (2010) uniform, U(±√(6/(In+Out))): TensorFlow's `xavier_initializer()`
    /// default, which Mult-VAE's reference code uses (Liang et al. 2018).
    case glorotUniform
    /// Glorot normal, N(0, 2/(In+Out)).
    case glorotNormal
    /// N(0, std²).
    case normal(standardDeviation: Float)
    /// LeCun normal, N(0, 1/In): the SELU initialisation (Klambauer et al. 2017).
    case lecunNormal
    /// U(±1/√In): PyTorch's default `nn.Linear` weight (`kaiming_uniform_` with a = √5), which
    /// RecVAE's reference code keeps (Shenbin et al. 2020).
    case fanInUniform
    /// All zeros (tests).
    case zeros

    /// A fresh [inputs, outputs] matrix drawn from `rng`.
    public func makeWeight(inputs: Int, outputs: Int, using rng: inout RandomGenerator) -> Matrix {
        let fanSum = Float(max(1, inputs + outputs))
        switch self {
        case .glorotUniform:
            let limit = (6 / fanSum).squareRoot()
            return Kernels.randomUniform(rows: inputs, columns: outputs, low: -limit, high: limit, using: &rng)
        case .glorotNormal:
            return Kernels.randomNormal(rows: inputs, columns: outputs, standardDeviation: (2 / fanSum).squareRoot(), using: &rng)
        case .normal(let standardDeviation):
            return Kernels.randomNormal(rows: inputs, columns: outputs, standardDeviation: standardDeviation, using: &rng)
        case .lecunNormal:
            return Kernels.randomNormal(rows: inputs, columns: outputs,
                                        standardDeviation: (1 / Float(max(1, inputs))).squareRoot(), using: &rng)
        case .fanInUniform:
            let limit = 1 / Float(max(1, inputs)).squareRoot()
            return Kernels.randomUniform(rows: inputs, columns: outputs, low: -limit, high: limit, using: &rng)
        case .zeros:
            return Matrix(rows: inputs, columns: outputs)
        }
    }
}

/// How a bias row [1, Out] is initialised.
public enum BiasInitialization: Sendable, Equatable {
    /// All zeros.
    case zeros
    /// Truncated N(0, std²) within 2 std, as Mult-VAE's reference code (`truncated_normal_initializer(stddev=0.001)`).
    case truncatedNormal(standardDeviation: Float)
    /// U(±limit); `.fanIn(inputs)` gives PyTorch's default Linear bias U(±1/√In).
    case uniform(limit: Float)

    /// PyTorch's default `nn.Linear` bias, U(±1/√In), which the VampPrior reference codes keep.
    public static func fanIn(_ inputs: Int) -> BiasInitialization { .uniform(limit: 1 / Float(max(1, inputs)).squareRoot()) }

    /// Mult-VAE's bias initialiser: truncated N(0, 0.001²) (Liang et al. 2018, reference code).
    public static let multVAE = BiasInitialization.truncatedNormal(standardDeviation: 0.001)

    /// A fresh [1, outputs] row drawn from `rng`.
    public func makeBias(outputs: Int, using rng: inout RandomGenerator) -> Matrix {
        switch self {
        case .zeros: return Matrix(rows: 1, columns: outputs)
        case .truncatedNormal(let standardDeviation):
            return Kernels.randomTruncatedNormal(rows: 1, columns: outputs, standardDeviation: standardDeviation, using: &rng)
        case .uniform(let limit):
            return Kernels.randomUniform(rows: 1, columns: outputs, low: -limit, high: limit, using: &rng)
        }
    }
}
