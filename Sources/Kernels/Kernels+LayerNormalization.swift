import TensorCore

extension Kernels {
    /// Layer normalisation of each row (Ba et al. 2016, as `torch.nn.LayerNorm` over the last
    /// dimension): x̂ = (x − mean)/√(var + ε) with the biased variance, y = g ⊙ x̂ + b.
    /// x is [B, C], g and b have C values. Returns y, x̂ and 1/√(var + ε) per row (what the backward
    /// pass needs). Mean and variance are accumulated in Double; rows run in parallel.
    public static func layerNormalization(_ x: Matrix, gain: Matrix, bias: Matrix, epsilon: Float)
        -> (output: Matrix, normalized: Matrix, inverseStandardDeviations: [Float]) {
        let rows = x.rows, columns = x.columns
        precondition(gain.count == columns && bias.count == columns,
                     "layerNormalization: x \(x.shapeDescription), gain \(gain.shapeDescription), bias \(bias.shapeDescription)")
        precondition(epsilon >= 0, "layerNormalization: epsilon \(epsilon) < 0")
        var normalized = Matrix(rows: rows, columns: columns)
        var output = Matrix(rows: rows, columns: columns)
        var inverse = [Float](repeating: 0, count: rows)
        guard rows > 0, columns > 0 else { return (output, normalized, inverse) }
        x.withUnsafeBufferPointer { xBuffer in
            gain.withUnsafeBufferPointer { gBuffer in
                bias.withUnsafeBufferPointer { bBuffer in
                    normalized.withUnsafeMutableBufferPointer { nBuffer in
                        output.withUnsafeMutableBufferPointer { yBuffer in
                            inverse.withUnsafeMutableBufferPointer { iBuffer in
                                guard let xb = xBuffer.baseAddress, let gb = gBuffer.baseAddress, let bb = bBuffer.baseAddress,
                                      let nb = nBuffer.baseAddress, let yb = yBuffer.baseAddress,
                                      let ib = iBuffer.baseAddress else { return }
                                let xp = SharedPointer(xb), gp = SharedPointer(gb), bp = SharedPointer(bb)
                                let np = SharedMutablePointer(nb), yp = SharedMutablePointer(yb), ip = SharedMutablePointer(ib)
                                parallelRanges(rows, minimumPerChunk: max(1, 16_384 / columns)) { range in
                                    for r in range {
                                        let row = xp.base + r * columns, xHat = np.base + r * columns, y = yp.base + r * columns
                                        var sum = 0.0
                                        for c in 0..<columns { sum += Double(row[c]) }
                                        let mean = sum / Double(columns)
                                        var squares = 0.0
                                        for c in 0..<columns { let d = Double(row[c]) - mean; squares += d * d }
                                        let inverseDeviation = 1 / (squares / Double(columns) + Double(epsilon)).squareRoot()
                                        for c in 0..<columns {
                                            let value = Float((Double(row[c]) - mean) * inverseDeviation)
                                            xHat[c] = value
                                            y[c] = gp.base[c] * value + bp.base[c]
                                        }
                                        ip.base[r] = Float(inverseDeviation)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (output, normalized, inverse)
    }

    /// The backward pass of `layerNormalization`: with d = dy ⊙ g per row,
    /// dx = s·(d − mean(d) − x̂ ⊙ mean(d ⊙ x̂)) where s = 1/√(var + ε); accumulates
    /// dg += Σ_b dy ⊙ x̂ and db += Σ_b dy. Returns dx.
    public static func layerNormalizationBackward(_ dy: Matrix, normalized: Matrix, inverseStandardDeviations: [Float],
                                                  gain: Matrix, gainGradient: inout Matrix, biasGradient: inout Matrix) -> Matrix {
        let rows = dy.rows, columns = dy.columns
        precondition(normalized.rows == rows && normalized.columns == columns && inverseStandardDeviations.count == rows
                     && gain.count == columns && gainGradient.count == columns && biasGradient.count == columns,
                     "layerNormalizationBackward: dy \(dy.shapeDescription), x̂ \(normalized.shapeDescription), "
                     + "\(inverseStandardDeviations.count) deviations, gain \(gain.shapeDescription), "
                     + "gain gradient \(gainGradient.shapeDescription), bias gradient \(biasGradient.shapeDescription)")
        var dx = Matrix(rows: rows, columns: columns)
        guard rows > 0, columns > 0 else { return dx }
        var gainSums = [Double](repeating: 0, count: columns), biasSums = [Double](repeating: 0, count: columns)
        for r in 0..<rows {
            for c in 0..<columns {
                let g = Double(dy[r, c])
                gainSums[c] += g * Double(normalized[r, c])                        // ∂L/∂g = Σ_b dy ⊙ x̂
                biasSums[c] += g                                                   // ∂L/∂b = Σ_b dy
            }
        }
        for c in 0..<columns {
            gainGradient.storage[c] += Float(gainSums[c])
            biasGradient.storage[c] += Float(biasSums[c])
        }
        dy.withUnsafeBufferPointer { dyBuffer in
            normalized.withUnsafeBufferPointer { nBuffer in
                gain.withUnsafeBufferPointer { gBuffer in
                    dx.withUnsafeMutableBufferPointer { dxBuffer in
                        guard let dyb = dyBuffer.baseAddress, let nb = nBuffer.baseAddress, let gb = gBuffer.baseAddress,
                              let dxb = dxBuffer.baseAddress else { return }
                        let dyp = SharedPointer(dyb), np = SharedPointer(nb), gp = SharedPointer(gb)
                        let dxp = SharedMutablePointer(dxb)
                        parallelRanges(rows, minimumPerChunk: max(1, 16_384 / columns)) { range in
                            for r in range {
                                let g = dyp.base + r * columns, xHat = np.base + r * columns, out = dxp.base + r * columns
                                var meanD = 0.0, meanDX = 0.0
                                for c in 0..<columns {
                                    let d = Double(g[c]) * Double(gp.base[c])             // ∂L/∂x̂ = dy ⊙ g
                                    meanD += d
                                    meanDX += d * Double(xHat[c])
                                }
                                meanD /= Double(columns)
                                meanDX /= Double(columns)
                                let s = Double(inverseStandardDeviations[r])
                                for c in 0..<columns {                                     // ∂x̂/∂x through mean and variance
                                    let d = Double(g[c]) * Double(gp.base[c])
                                    out[c] = Float(s * (d - meanD - Double(xHat[c]) * meanDX))
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx
    }
}
