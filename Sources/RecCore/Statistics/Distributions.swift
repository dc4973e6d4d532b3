import Foundation

/// The distribution functions the paired tests need, in Double: the standard normal's upper tail
/// (from `erfc`), the regularized incomplete beta function (Lentz's continued fraction, Numerical
/// Recipes §6.4) and, from it, Student's t tails.
public enum Distributions {
    /// P(Z > z) for a standard normal Z: erfc(z / √2) / 2, accurate far into the tail.
    public static func normalUpperTail(_ z: Double) -> Double {
        erfc(z / 2.0.squareRoot()) / 2
    }

    /// P(|T| ≥ |t|) for Student's t with `degreesOfFreedom` ν > 0: I_{ν/(ν+t²)}(ν/2, 1/2).
    public static func studentTTwoSidedTail(_ t: Double, degreesOfFreedom: Double) -> Double {
        precondition(degreesOfFreedom > 0, "Distributions: degrees of freedom must be positive, got \(degreesOfFreedom)")
        if t.isNaN { return .nan }
        if t.isInfinite { return 0 }
        return regularizedIncompleteBeta(degreesOfFreedom / (degreesOfFreedom + t * t), a: degreesOfFreedom / 2, b: 0.5)
    }

    /// The t > 0 with P(|T| ≥ t) = `tail` for Student's t with `degreesOfFreedom` ν > 0 (e.g. tail 0.05:
    /// the half-width of a 95 % interval in standard errors): bisection on `studentTTwoSidedTail` to 1e-12.
    public static func studentTTwoSidedCritical(tail: Double, degreesOfFreedom: Double) -> Double {
        precondition(tail > 0 && tail < 1, "Distributions: tail probability must be in (0, 1), got \(tail)")
        var low = 0.0, high = 1.0
        while studentTTwoSidedTail(high, degreesOfFreedom: degreesOfFreedom) > tail { high *= 2 }
        while high - low > 1e-12 * high {
            let middle = (low + high) / 2
            if studentTTwoSidedTail(middle, degreesOfFreedom: degreesOfFreedom) > tail { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// I_x(a, b) = B(x; a, b) / B(a, b) for a, b > 0 and x in [0, 1].
    public static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        precondition(a > 0 && b > 0, "Distributions: incomplete beta needs a, b > 0, got a = \(a), b = \(b)")
        precondition(x >= 0 && x <= 1, "Distributions: incomplete beta needs x in [0, 1], got \(x)")
        if x == 0 || x == 1 { return x }
        // x^a (1−x)^b / (a B(a, b)), in logarithms.
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        // The continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry otherwise.
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * continuedFraction(x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * continuedFraction(1 - x, a: b, b: a) / b
    }

    /// The continued fraction of the incomplete beta by the modified Lentz method.
    private static func continuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300, epsilon = 1e-16
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var result = d
        for m in 1...10_000 {
            let m = Double(m), twoM = 2 * m
            // Even step: d_{2m} = m(b−m)x / ((a+2m−1)(a+2m)).
            var numerator = m * (b - m) * x / ((a + twoM - 1) * (a + twoM))
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            result *= d * c
            // Odd step: d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)).
            numerator = -(a + m) * (a + b + m) * x / ((a + twoM) * (a + twoM + 1))
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            result *= delta
            if abs(delta - 1) < epsilon { break }
        }
        return result
    }
}
