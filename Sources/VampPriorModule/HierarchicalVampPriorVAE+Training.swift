import Kernels
import NeuralNet
import TensorCore

extension HierarchicalVampPriorVAE {
    /// One β-ELBO step of the reference `HVamp.calculate_loss`, averaged over users:
    /// NLL + β·[log q(z₁|x, z₂) − log p(z₁|z₂) + log q(z₂|x) − log p(z₂)], one sample of each latent,
    /// p(z₂) the VampPrior. Gradients reach every network, the pseudo-inputs, and z₂ through all
    /// four of its uses (q(z₁|·), p(z₁|·), the decoder, the VampPrior term).
    public func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
        let beta = step.klWeight
        let x = Kernels.l2NormalizeRows(batch)                                                    // x/‖x‖₂
        // q(z₂|x)
        let (h2, topInputCache) = topInput.forward(sparse: inputDropout.apply(sparse: x, context: &context), context: &context)
        let (encodedTop, topTailCache) = topTail.forward(h2, context: &context)                    // [B, 2Z₂]
        let top = GaussianPosterior(encoderOutput: encodedTop, context: &context)
        // q(z₁|x, z₂): its own dropout mask on x, as the reference's separate nn.Dropout
        let (hx, lowerInputCache) = lowerInput.forward(sparse: inputDropout.apply(sparse: x, context: &context), context: &context)
        let (hz, lowerFromTopCache) = lowerFromTop.forward(top.sample, context: &context)
        let (encodedLower, lowerJointCache) = lowerJoint.forward(Kernels.concatenateColumns(hx, hz), context: &context)
        let lower = GaussianPosterior(encoderOutput: encodedLower, context: &context)            // [B, 2Z₁] → z₁
        // p(z₁|z₂)
        let (conditional, conditionalCache) = conditionalPrior.forward(top.sample, context: &context)
        let z1Size = lower.sample.columns
        let priorMean = Kernels.columns(0..<z1Size, of: conditional)
        let priorLogVariance = Kernels.columns(z1Size..<(2 * z1Size), of: conditional)
        // p(x|z₁, z₂)
        let (logits, decoderCaches) = decode(lower: lower.sample, top: top.sample, context: &context)
        let (nll, dLogits) = likelihood.negativeLogLikelihood(logits, target: batch)
        // KL terms: z₁ by one-sample MC against p(z₁|z₂); z₂ against the VampPrior
        let lowerKL = Kernels.meanDifference(
            Kernels.diagonalGaussianLogDensity(sample: lower.sample, mean: lower.mean, logVariance: lower.logVariance),
            Kernels.diagonalGaussianLogDensity(sample: lower.sample, mean: priorMean, logVariance: priorLogVariance))
        let topKL = prior.divergence(from: top, weight: beta, context: &context)

        // Backward: the decoder
        let dJoint = decoderJoint.backward(dLogits, cache: decoderCaches.joint)                 // ∂/∂[g₁ | g₂]
        let hidden = dJoint.columns / 2
        var dz1 = decoderFromLower.backward(Kernels.columns(0..<hidden, of: dJoint), cache: decoderCaches.lower)
        var dz2 = decoderFromTop.backward(Kernels.columns(hidden..<(2 * hidden), of: dJoint), cache: decoderCaches.top)
        // β·KL(z₁) = β·mean_b [log q(z₁|x, z₂) − log p(z₁|z₂)]
        let scale = Float(batch.rows > 0 ? beta / Double(batch.rows) : 0)
        let q1 = Kernels.diagonalGaussianLogDensityBackward(sample: lower.sample, mean: lower.mean,
                                                            logVariance: lower.logVariance, scale: scale)       // ∂(s·Σ log q)
        let p1 = Kernels.diagonalGaussianLogDensityBackward(sample: lower.sample, mean: priorMean,
                                                            logVariance: priorLogVariance, scale: -scale)       // ∂(−s·Σ log p)
        Kernels.axpy(1, q1.sample, &dz1)                                                          // both densities use z₁
        Kernels.axpy(1, p1.sample, &dz1)
        let dConditional = Kernels.concatenateColumns(p1.mean, p1.logVariance)                   // ∂/∂[μ_p | logσ_p²]
        Kernels.axpy(1, conditionalPrior.backward(dConditional, cache: conditionalCache), &dz2)  // p(z₁|z₂) uses z₂
        // q(z₁|x, z₂)
        let (dLowerMean, dLowerLogVariance) = lower.backward(sampleGradient: dz1)                 // z₁ = μ₁ + σ₁·ε₁
        let dEncodedLower = GaussianPosterior.encoderGradient(mean: Kernels.add(dLowerMean, q1.mean),
                                                              logVariance: Kernels.add(dLowerLogVariance, q1.logVariance))
        let dLowerJoint = lowerJoint.backward(dEncodedLower, cache: lowerJointCache)             // ∂/∂[h_x | h_z]
        lowerInput.backward(Kernels.columns(0..<hidden, of: dLowerJoint), cache: lowerInputCache)
        Kernels.axpy(1, lowerFromTop.backward(Kernels.columns(hidden..<(2 * hidden), of: dLowerJoint),
                                              cache: lowerFromTopCache), &dz2)                   // q(z₁|x, z₂) uses z₂
        // q(z₂|x), with the VampPrior's ∂/∂z₂, ∂/∂μ₂, ∂/∂logσ₂²
        Kernels.axpy(1, topKL.sample, &dz2)
        let (dTopMean, dTopLogVariance) = top.backward(sampleGradient: dz2)                       // z₂ = μ₂ + σ₂·ε₂
        let dEncodedTop = GaussianPosterior.encoderGradient(mean: Kernels.add(dTopMean, topKL.mean),
                                                            logVariance: Kernels.add(dTopLogVariance, topKL.logVariance))
        topInput.backward(topTail.backward(dEncodedTop, cache: topTailCache), cache: topInputCache)
        return nll + beta * (lowerKL + topKL.value)
    }
}
