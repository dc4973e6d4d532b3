import ModelKit
import NeuralNet
import RecCore
import TensorCore

/// Every setting of the VampPrior VAE and H+Vamp (Gated), with the defaults of Kim & Suh's
/// reference code (`psywaves/EVCF`, RecSys 2019) where their paper is silent; see
/// Documentation/Models/VampPrior.md for each source and every deviation.
public struct VampPriorConfiguration: TrainingConfiguration, Equatable {
    /// Width of every hidden layer (`--hidden_size 600`).
    public var hiddenSize: Int
    /// Size of z (VampPrior VAE) or of the top latent z₂ that carries the VampPrior (`--z2_size 200`).
    public var latentSize: Int
    /// Size of the lower latent z₁ of the hierarchical model (`--z1_size 200`); unused by the one-latent model.
    public var lowerLatentSize: Int
    /// Hidden layers per network (`--num_layers`: 1 for the VampPrior VAE, 2 for H+Vamp in the README command).
    public var layerCount: Int
    /// Gated linear units (x·W + b) ⊙ σ(x·V + c) in place of tanh layers (`--gated`).
    public var gated: Bool
    /// K, the number of pseudo-inputs (`--number_components 1000`).
    public var componentCount: Int
    /// Mean of the pseudo-inputs' normal initialisation (`--pseudoinputs_mean 0.05`).
    public var pseudoInputMean: Float
    /// Standard deviation of the pseudo-inputs' initialisation (`--pseudoinputs_std 0.01`).
    public var pseudoInputStandardDeviation: Float
    /// Whether the encoder's input dropout also applies to the pseudo-inputs in training (it does in
    /// the reference code, whose `q_z2_layers` start with `nn.Dropout`).
    public var pseudoInputDropout: Bool
    /// Probability of dropping an input entry (`nn.Dropout(p=0.5)`).
    public var dropout: Float
    /// β cap (`--max_beta`; 0.3 in the README's command, the code's default is 1).
    public var betaCap: Double
    /// Epochs over which β rises linearly to the cap, β = cap · epoch / warm-up (`--warmup 100`).
    public var warmUpEpochs: Int
    /// Adam learning rate (`--lr 0.0005`).
    public var learningRate: Float
    /// The reference code's `AdamNormGrad` (each parameter's gradient divided by its L2 norm before
    /// Adam) instead of plain Adam; off by default (deviation 1 in Documentation/Models/VampPrior.md).
    public var normalizesGradients: Bool = false
    /// Users per mini-batch (`--batch_size 200`).
    public var batchSize: Int
    /// Training epochs (`--epochs 400`).
    public var epochs: Int
    /// Epochs without a better validation NDCG@100 before stopping (`--early_stopping_epochs 50`); nil: never.
    public var patience: Int?
    /// The first epoch (from 1) that counts toward `patience` (`patience-from`, 0 for nil); nil: the warm-up length, the reference's
    /// rule (`perform_experiment.py` resets its counter while epoch < warm-up, so no run stops before
    /// warm-up + patience). 1: every epoch counts (this package's rule before issue 27).
    public var patienceFromEpoch: Int? = nil
    /// Bounds of logσ² (the reference's `Hardtanh(min_val=-12., max_val=4.)`: zero gradient outside).
    public var logVarianceBounds: ClosedRange<Float>
    /// Seed of the model's random generator (initialisation, shuffling, dropout, ε).
    public var seed: UInt64
    /// p(x|z): multinomial over items (default; the paper's comparison with Mult-VAE), or the
    /// Bernoulli per item of the README's command (`--input_type binary`: sigmoid outputs, `log_Bernoulli`).
    public var likelihood: VampPriorLikelihood = .multinomial

    /// What `--tune` varies for every VampPrior entry: the β cap (the README's 0.3), input dropout,
    /// Adam's learning rate, and the two settings where the authors' README command differs from
    /// the paper's (deviations 1 and 5 of `Documentation/Models/VampPrior.md`): the likelihood
    /// (`binary` there) and the optimiser (AdamNormGrad there). On the ML-1M split that pair gave
    /// H+Vamp (Gated) a better best validation NDCG@100 over 3 seeds (`BENCHMARKS.md` §19), so a
    /// search on validation data should be able to choose it.
    public static let searchSpace = SearchSpace([
        .real("beta-cap", 0.1...1, paper: "0.3"),
        .real("dropout", 0.1...0.7, paper: "0.5"),
        .real("lr", 1e-4...3e-3, logScale: true, paper: "0.0005"),
        .choices("likelihood", VampPriorLikelihood.allCases.map(\.rawValue), paper: "multinomial"),
        .choices("optimizer", optimizerNames, paper: "adam"),
    ])

    /// The `optimizer` key's values: plain Adam, or the reference's AdamNormGrad (deviation 1).
    static let optimizerNames = ["adam", "adam-normgrad"]

    /// The one-latent VampPrior VAE: Mult-VAE's [I-600-200-600-I] tanh networks with the VampPrior.
    public static let vampPrior = VampPriorConfiguration(
        hiddenSize: 600, latentSize: 200, lowerLatentSize: 200, layerCount: 1, gated: false, componentCount: 1000,
        pseudoInputMean: 0.05, pseudoInputStandardDeviation: 0.01, pseudoInputDropout: true, dropout: 0.5,
        betaCap: 0.3, warmUpEpochs: 100, learningRate: 5e-4, batchSize: 200, epochs: 400, patience: 50,
        logVarianceBounds: -12...4, seed: 0)

    /// H+Vamp: two latents (z₁ = z₂ = 200), hidden 600, two layers per network, tanh.
    public static let hierarchical: VampPriorConfiguration = {
        var c = VampPriorConfiguration.vampPrior
        c.layerCount = 2
        return c
    }()

    /// H+Vamp (Gated): H+Vamp with gated linear units in place of the tanh layers.
    public static let hierarchicalGated: VampPriorConfiguration = {
        var c = VampPriorConfiguration.hierarchical
        c.gated = true
        return c
    }()

    /// β over training: the reference's β = cap · epoch / warm-up (epochs from 1), as the shared
    /// schedule min(cap, (epoch + 1) / W′) with W′ = round(warm-up / cap) (the same slope).
    public var klSchedule: KLSchedule {
        guard betaCap > 0, warmUpEpochs > 0 else { return .constant(betaCap) }
        return .warmUpPerEpoch(cap: betaCap, warmUpEpochs: max(1, Int((Double(warmUpEpochs) / betaCap).rounded())))
    }

    /// Adam (or AdamNormGrad) on batches of 200 users, β warmed up per epoch, early stopping.
    var recipe: TrainingRecipe {
        var optimizer = Adam(learningRate: learningRate)
        optimizer.normalizesGradients = normalizesGradients
        return TrainingRecipe(epochs: epochs, stepping: .miniBatch(batchSize: batchSize, optimizer: optimizer),
                              klSchedule: klSchedule, patience: patience, patienceStartEpoch: patienceStartEpoch)
    }

    /// The first epoch (from 0) counting toward patience: `patience-from` − 1, by default warm-up − 1
    /// (the reference's epochs ≥ warm-up, from 1); 0 without a warm-up.
    public var patienceStartEpoch: Int {
        max(0, (patienceFromEpoch ?? warmUpEpochs) - 1)
    }

    /// `base` with `options` applied (`--set NAME.KEY=VALUE`); unknown keys throw, listing the known ones.
    public static func from(_ options: ModelOptions, model: String, base: VampPriorConfiguration) throws -> VampPriorConfiguration {
        var bounds = (low: 0.0, high: 0.0)   // checked once every key is read, so an unknown key is reported first
        var c = try base.applying(options, model: model) { reader, c in
            c.hiddenSize = try reader.int("hidden", default: c.hiddenSize, minimum: 1)
            c.latentSize = try reader.int("latent", default: c.latentSize, minimum: 1)
            c.lowerLatentSize = try reader.int("latent-1", default: c.lowerLatentSize, minimum: 1)
            c.layerCount = try reader.int("layers", default: c.layerCount, minimum: 1)
            c.componentCount = try reader.int("components", default: c.componentCount, minimum: 1)
            c.pseudoInputMean = Float(try reader.double("pseudo-mean", default: Double(c.pseudoInputMean)))
            c.pseudoInputStandardDeviation = Float(try reader.nonNegative("pseudo-std", default: Double(c.pseudoInputStandardDeviation)))
            c.pseudoInputDropout = try reader.choice("pseudo-dropout", default: c.pseudoInputDropout ? "on" : "off",
                                                     among: ["on", "off"]) == "on"
            c.dropout = try reader.probability("dropout", default: c.dropout)
            c.betaCap = try reader.nonNegative("beta-cap", default: c.betaCap)
            c.warmUpEpochs = try reader.int("warm-up", default: c.warmUpEpochs, minimum: 0)
            c.normalizesGradients = try reader.choice("optimizer", default: c.normalizesGradients ? "adam-normgrad" : "adam",
                                                      among: optimizerNames) == "adam-normgrad"
            let patienceFrom = try reader.int("patience-from", default: c.patienceFromEpoch ?? 0, minimum: 0)
            c.patienceFromEpoch = patienceFrom > 0 ? patienceFrom : nil   // 0: the warm-up length
            c.likelihood = try reader.choice("likelihood", default: c.likelihood)
            bounds = (try reader.double("logvar-min", default: Double(c.logVarianceBounds.lowerBound)),
                      try reader.double("logvar-max", default: Double(c.logVarianceBounds.upperBound)))
        }
        guard bounds.low < bounds.high else {
            throw ModelZooError.invalidOption(model: model, key: "logvar-min", value: "\(bounds.low)",
                                              expected: "a number below logvar-max (\(bounds.high))")
        }
        c.logVarianceBounds = Float(bounds.low)...Float(bounds.high)
        return c
    }
}

/// The decoder's likelihood (`likelihood` key): the reference code's `--input_type multinomial` or `binary`.
public enum VampPriorLikelihood: String, CaseIterable, Sendable, Equatable {
    /// −Σ_i x_i log softmax(logits)_i per user (`log_Softmax`).
    case multinomial
    /// −Σ_i [x_i log σ(l_i) + (1 − x_i) log(1 − σ(l_i))] per user over every item (`log_Bernoulli`;
    /// the reference clamps σ to [10⁻⁵, 1 − 10⁻⁵], we use the exact logistic loss).
    case bernoulli

    /// (mean over users of −log p(x|logits), ∂/∂logits) for the click batch `target`.
    func negativeLogLikelihood(_ logits: Matrix, target: SparseMatrix) -> (loss: Double, gradient: Matrix) {
        switch self {
        case .multinomial:
            return MultinomialLikelihood(reduction: .meanOverRows).negativeLogLikelihood(logits, target: target)
        case .bernoulli:
            return BernoulliLikelihood(reduction: .meanOverRows).negativeLogLikelihood(logits, target: target.toDense())
        }
    }
}

/// Building blocks shared by the VampPrior VAE and H+Vamp, following Kim & Suh's `NonLinear`:
/// tanh(x·W + b), or the gated (x·W + b) ⊙ σ(x·V + c) with no tanh when gated.
enum VampPriorLayers {
    /// A dense layer initialised as the reference: He-normal weights N(0, 2/In) (`he_init`) and
    /// PyTorch's default biases U(±1/√In) (`he_init` leaves them).
    static func dense(_ inputSize: Int, _ outputSize: Int, name: String, rng: inout RandomGenerator) -> Dense {
        Dense(inputSize: inputSize, outputSize: outputSize, name: name,
              weightInitialization: .normal(standardDeviation: (2 / Float(inputSize)).squareRoot()),
              biasInitialization: .fanIn(inputSize), rng: &rng)
    }

    /// One hidden layer on dense input: GatedDense, or Dense then tanh.
    static func block(_ inputSize: Int, _ outputSize: Int, name: String, gated: Bool, rng: inout RandomGenerator) -> [AnyLayer] {
        let linear = dense(inputSize, outputSize, name: name, rng: &rng)
        guard gated else { return [AnyLayer(linear), AnyLayer(ActivationLayer(.tanh))] }
        let gate = dense(inputSize, outputSize, name: "\(name).gate", rng: &rng)
        return [AnyLayer(GatedDense(linear: linear, gate: gate))]
    }

    /// `count` hidden layers H → H named `name.0`, `name.1`, …
    static func blocks(_ count: Int, size: Int, name: String, gated: Bool, rng: inout RandomGenerator) -> [AnyLayer] {
        (0..<max(0, count)).flatMap { block(size, size, name: "\(name).\($0)", gated: gated, rng: &rng) }
    }

    /// The Gaussian head H → [μ | logσ²] (2Z wide): a linear map, logσ² clamped to `bounds`. Its
    /// weight and bias pack the reference's two `nn.Linear` heads (`*_mean`, `*_logvar`, e.g.
    /// `HVamp.py` `q_z2_mean`/`q_z2_logvar`), so both are normalised in 2 column blocks, μ's and
    /// logσ²'s, under AdamNormGrad (`Parameter.normalizationBlocks`; plain Adam is unaffected).
    static func gaussianHead(_ inputSize: Int, latent: Int, name: String, bounds: ClosedRange<Float>,
                             rng: inout RandomGenerator) -> [AnyLayer] {
        let head = dense(inputSize, 2 * latent, name: name, rng: &rng)
        head.weight.normalizationBlocks = 2
        head.bias.normalizationBlocks = 2
        return [AnyLayer(head), AnyLayer(LogVarianceClamp(bounds: bounds))]
    }

    /// The VampPrior over K pseudo-inputs (initialised from `rng`), running them through the encoder
    /// it shares with q(z|x): [`dropout` →] the dense twin of the sparse `input` block → `tail`.
    static func prior(_ c: VampPriorConfiguration, itemCount: Int, dropout: Dropout, encoder input: SparseHiddenLayer,
                      _ tail: Chain, rng: inout RandomGenerator) -> VampPrior {
        let pseudoDropout = c.pseudoInputDropout && c.dropout > 0 ? [AnyLayer(dropout)] : []
        return VampPrior(componentCount: c.componentCount, inputSize: itemCount,
                         encoder: AnyLayer(Chain(pseudoDropout + input.denseLayers + [AnyLayer(tail)])),
                         name: "prior.pseudoinputs", initialMean: c.pseudoInputMean,
                         initialStandardDeviation: c.pseudoInputStandardDeviation, pseudoInputBounds: 0...1, rng: &rng)
    }

    /// The trainable scalars of the VampPrior VAE (`layerCount`-deep networks, one latent) or, when
    /// `hierarchical`, of H+Vamp (the parts built by their initialisers), pseudo-inputs included.
    static func parameterCount(items: Int, _ c: VampPriorConfiguration, model: String) throws -> Int {
        var count = ParameterCount(model: model)
        let h = c.hiddenSize, blocks = c.gated ? 2 : 1
        func block(_ inputs: Int, _ outputs: Int, times: Int = 1) throws {
            for _ in 0..<(max(0, times) * blocks) { try count.dense(inputs, outputs) }
        }
        if model == "vampprior-vae" {
            try block(items, h); try block(h, h, times: c.layerCount - 1); try count.dense(h, 2 * c.latentSize)  // q(z|x)
            try block(c.latentSize, h); try block(h, h, times: c.layerCount - 1); try count.dense(h, items)      // p(x|z)
        } else {
            try block(items, h); try block(h, h, times: c.layerCount - 1); try count.dense(h, 2 * c.latentSize)  // q(z₂|x)
            try block(items, h); try block(c.latentSize, h); try block(2 * h, h)                                 // q(z₁|x, z₂)
            try block(h, h, times: c.layerCount - 2); try count.dense(h, 2 * c.lowerLatentSize)
            try block(c.latentSize, h); try block(h, h, times: c.layerCount - 1)                                 // p(z₁|z₂)
            try count.dense(h, 2 * c.lowerLatentSize)
            try block(c.lowerLatentSize, h); try block(c.latentSize, h); try block(2 * h, h)                     // p(x|z₁, z₂)
            try block(h, h, times: c.layerCount - 2); try count.dense(h, items)
        }
        try count.tensor(c.componentCount, items)                                                               // pseudo-inputs
        return count.total
    }

    /// The first layer of an encoder on the sparse click batch, I → H (gated, or tanh).
    static func sparseInput(_ inputSize: Int, _ outputSize: Int, name: String, gated: Bool,
                            rng: inout RandomGenerator) -> SparseHiddenLayer {
        let linear = SparseDense(dense(inputSize, outputSize, name: name, rng: &rng))
        let gate = gated ? SparseDense(dense(inputSize, outputSize, name: "\(name).gate", rng: &rng)) : nil
        return SparseHiddenLayer(linear: linear, gate: gate, activation: .tanh)
    }
}

extension VampPriorLayers {
    /// An entry of the VampPrior family: `base` with the options applied, K = 100 pseudo-inputs on
    /// the built-in data, the parameters counted by `parameterCount(items:_:model:)`.
    static func zooEntry(name: String, summary: String, base: VampPriorConfiguration, testOverrides: [String: String],
                         make: @escaping @Sendable (DataShape, VampPriorConfiguration) -> any ZooModel) -> ModelEntry {
        ModelEntry(name: name, summary: summary, task: .ranking,
                   builtInDataOverrides: ["components": "100"],   // K = 1000 is sized for ML-20M's 116k training users
                   testOverrides: testOverrides, searchSpace: VampPriorConfiguration.searchSpace,
                   configuration: { try .from($0, model: name, base: base) },
                   parameterCount: { shape, c in try parameterCount(items: shape.items, c, model: name) },
                   make: make)
    }
}

extension VampPriorVAE {
    /// The zoo entry `vampprior-vae`.
    public static let zooEntry = VampPriorLayers.zooEntry(
        name: "vampprior-vae",
        summary: "VampPrior VAE: Mult-VAE [I-600-200-600-I] with a VampPrior of K=1000 pseudo-inputs (Kim & Suh, RecSys 2019; Tomczak & Welling 2018)",
        base: .vampPrior, testOverrides: ["hidden": "32", "latent": "8", "components": "10", "batch": "50", "warm-up": "0"]
    ) { shape, c in
        VampPriorVAE(itemCount: shape.items, configuration: c)
    }
}

extension HierarchicalVampPriorVAE {
    /// The zoo entry `h-vamp`: tanh layers.
    public static let zooEntry = hierarchicalZooEntry(
        name: "h-vamp", base: .hierarchical,
        summary: "H+Vamp: hierarchical VAE z1|z2, VampPrior on z2 (K=1000), tanh, hidden 600, z 200+200 (Kim & Suh, RecSys 2019)")

    /// The zoo entry `h-vamp-gated`: gated linear units in place of tanh.
    public static let gatedZooEntry = hierarchicalZooEntry(
        name: "h-vamp-gated", base: .hierarchicalGated,
        summary: "H+Vamp (Gated): H+Vamp with gated linear units (x·W+b)⊙σ(x·V+c) (Kim & Suh, RecSys 2019)")

    /// An H+Vamp entry `name` whose settings are `base` with the options applied.
    static func hierarchicalZooEntry(name: String, base: VampPriorConfiguration, summary: String) -> ModelEntry {
        VampPriorLayers.zooEntry(
            name: name, summary: summary, base: base,
            testOverrides: ["hidden": "16", "latent": "8", "latent-1": "8", "components": "10", "batch": "50", "warm-up": "0"]
        ) { shape, c in
            HierarchicalVampPriorVAE(itemCount: shape.items, configuration: c)
        }
    }
}
