/// The package's only source of randomness: xoshiro256** (Blackman & Vigna, 2018), seeded by
/// expanding a 64-bit seed with SplitMix64, as the algorithm's authors recommend.
///
/// A value type: copying it copies the stream, so a saved `state` resumes exactly. The same seed
/// gives the same numbers on every platform (no use of the system generator).
public struct RandomGenerator: RandomNumberGenerator, Sendable, Equatable {
    /// The four 64-bit words of xoshiro256** state (for checkpoints; never all zero).
    public var state: (UInt64, UInt64, UInt64, UInt64) { words }

    /// The state itself; internal but visible to inlined code, so that `next()` and
    /// `nextUniform()` inline into the kernels' loops (a dropout mask draws millions per update).
    @usableFromInline var words: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose state is SplitMix64(seed) expanded to 256 bits.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        words = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    }

    /// A generator resumed from a saved `state` (which must not be all zero).
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "xoshiro256** state must not be all zero")
        self.words = state
    }

    public static func == (lhs: RandomGenerator, rhs: RandomGenerator) -> Bool { lhs.state == rhs.state }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        let result = Self.rotateLeft(words.1 &* 5, 7) &* 9
        let t = words.1 << 17
        words.2 ^= words.0
        words.3 ^= words.1
        words.1 ^= words.2
        words.0 ^= words.3
        words.2 ^= t
        words.3 = Self.rotateLeft(words.3, 45)
        return result
    }

    /// A uniform Float in [0, 1) from the top 24 bits.
    @inlinable
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A standard normal Float by the Box–Muller transform (one of the pair; the other is discarded
    /// so that the stream position depends only on how many normals were drawn).
    public mutating func nextNormal() -> Float {
        // u1 in (0, 1] so log(u1) is finite.
        let u1 = Double((next() >> 11) + 1) * (1.0 / 9_007_199_254_740_992.0)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2.0 * _log(u1)).squareRoot() * _cos(2.0 * Double.pi * u2))
    }

    /// A new generator seeded from this one's stream, for an independent sub-stream
    /// (e.g. one per model or per seed) without sharing state.
    public mutating func split() -> RandomGenerator {
        RandomGenerator(seed: next())
    }

    /// A uniformly random permutation of `0..<count` (Fisher–Yates).
    public mutating func permutation(_ count: Int) -> [Int] {
        var order = Array(0..<count)
        shuffle(&order)
        return order
    }

    /// Shuffles `array` in place with Fisher–Yates, using only this generator.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = Int(nextBelow(UInt64(i + 1)))
            array.swapAt(i, j)
        }
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire's method).
    public mutating func nextBelow(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0, "nextBelow needs a positive bound")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return product.high
    }

    @inlinable @inline(__always)
    static func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) private func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
