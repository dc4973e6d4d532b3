import NeuralNet
import TensorCore

/// RecVAE's densely connected encoder (Shenbin et al., WSDM 2020, Fig. 1; the authors' `Encoder`):
/// L layers of width H, each a Dense map, swish and layer normalisation (ε = 0.1), where every
/// layer after the first adds the outputs of all earlier layers to its pre-activation:
///
///     h₁ = LN₁(swish(x·W₁ + b₁))
///     h_k = LN_k(swish(h_{k−1}·W_k + b_k + h₁ + … + h_{k−1}))      k = 2…L
///     [μ | logσ²] = h_L·W_head + b_head
///
/// The input x is the L2-normalised click row (dropout is applied by the caller). The code's
/// `fc_mu` and `fc_logvar` are the two column halves of one head layer (the same maps and
/// initialisation). Its first layer reads the sparse batch; backward returns no input gradient.
struct RecVAEEncoder {
    /// x·W₁ + b₁, [I → H], on the CSR batch.
    let input: SparseDense
    /// W_k, b_k for k = 2…L, [H → H].
    let hidden: [Dense]
    /// LN₁…LN_L, gain and bias of width H.
    let norms: [LayerNorm]
    /// [H → 2Z]: μ and logσ² side by side.
    let head: Dense
    let swish = ActivationLayer(.swish)

    /// What `backward` needs: each layer's Dense input (none for the sparse first), swish and
    /// LayerNorm caches, and the head's input.
    struct Cache {
        let input: SparseMatrix
        let denseInputs: [Matrix]
        let activations: [(input: Matrix, output: Matrix)]
        let norms: [LayerNorm.Cache]
        let headInput: Matrix
    }

    /// A fresh encoder named `name` (parameters `name.fc1…`, `name.ln1…`, `name.head`), with
    /// PyTorch's default Linear initialisation as the reference code.
    init(itemCount: Int, hiddenSize: Int, layerCount: Int, latentSize: Int, epsilon: Float, name: String,
         rng: inout RandomGenerator) {
        precondition(layerCount >= 1 && hiddenSize > 0 && latentSize > 0,
                     "RecVAEEncoder: \(layerCount) layers of \(hiddenSize), latent \(latentSize)")
        input = SparseDense(inputSize: itemCount, outputSize: hiddenSize, name: "\(name).fc1",
                            weightInitialization: .fanInUniform, biasInitialization: .fanIn(itemCount), rng: &rng)
        hidden = (2..<(layerCount + 1)).map { k in
            Dense(inputSize: hiddenSize, outputSize: hiddenSize, name: "\(name).fc\(k)",
                  weightInitialization: .fanInUniform, biasInitialization: .fanIn(hiddenSize), rng: &rng)
        }
        norms = (1...layerCount).map { LayerNorm(width: hiddenSize, epsilon: epsilon, name: "\(name).ln\($0)") }
        head = Dense(inputSize: hiddenSize, outputSize: 2 * latentSize, name: "\(name).head",
                     weightInitialization: .fanInUniform, biasInitialization: .fanIn(hiddenSize), rng: &rng)
    }

    /// Every parameter: fc1, fc2…fc_L, ln1…ln_L, head.
    var parameters: [Parameter] {
        input.parameters + hidden.flatMap(\.parameters) + norms.flatMap(\.parameters) + head.parameters
    }

    /// [μ | logσ²] ([B, 2Z]) for the CSR batch `x` ([B, I], already normalised and dropped).
    func forward(sparse x: SparseMatrix, context: inout ForwardContext) -> (output: Matrix, cache: Cache) {
        let (first, inputCache) = input.forward(sparse: x, context: &context)          // x·W₁ + b₁
        var denseInputs: [Matrix] = [], activations: [(input: Matrix, output: Matrix)] = [], normCaches: [LayerNorm.Cache] = []
        var preActivation = first, previous = Matrix(rows: 0, columns: 0), sum = Matrix(rows: 0, columns: 0)
        for k in 0..<norms.count {
            if k > 0 {
                let (linear, denseInput) = hidden[k - 1].forward(previous, context: &context)  // h_{k−1}·W_k + b_k
                denseInputs.append(denseInput)
                preActivation = linear + sum                                             // + h₁ + … + h_{k−1}
            }
            let (activated, activationCache) = swish.forward(preActivation, context: &context)
            let (h, normCache) = norms[k].forward(activated, context: &context)         // h_k
            activations.append(activationCache)
            normCaches.append(normCache)
            if k == 0 { sum = h } else if k < norms.count - 1 { sum += h }
            previous = h
        }
        let (output, headInput) = head.forward(previous, context: &context)
        return (output, Cache(input: inputCache, denseInputs: denseInputs, activations: activations, norms: normCaches,
                              headInput: headInput))
    }

    /// Accumulates every parameter's gradient for dL/d[μ | logσ²].
    func backward(_ outputGradient: Matrix, cache: Cache) {
        var dh = head.backward(outputGradient, cache: cache.headInput)                 // ∂L/∂h_L
        var later = Matrix(rows: 0, columns: 0)                                          // Σ_{m ≥ k} ∂L/∂a_m
        for k in stride(from: norms.count - 1, through: 0, by: -1) {
            let dActivated = norms[k].backward(dh, cache: cache.norms[k])               // through LN_k
            let dPre = swish.backward(dActivated, cache: cache.activations[k])         // ∂L/∂a_k, swish' = σ(1 + a(1 − σ))
            if k == 0 {
                input.backward(dPre, cache: cache.input)                                 // ∂L/∂W₁, ∂L/∂b₁
                break
            }
            if k == norms.count - 1 { later = dPre } else { later += dPre }
            // h_{k−1} feeds W_k and, through the sums, every a_m with m ≥ k: ∂a_m/∂h_{k−1} = I.
            dh = hidden[k - 1].backward(dPre, cache: cache.denseInputs[k - 1]) + later
        }
    }

    /// Every parameter value set to `other`'s (the previous-epoch encoder of the composite prior;
    /// copy-on-write shares the storage until either is updated).
    func copyValues(from other: RecVAEEncoder) {
        for (mine, theirs) in zip(parameters, other.parameters) { mine.value = theirs.value }
    }
}
