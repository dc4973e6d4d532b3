import Foundation
import Testing
import TensorCore
@testable import Kernels

/// The reproducible mode's sums (`Kernels+OrderIndependentSums.swift`): integer multiples of one
/// power of two add to the same bits in any grouping and order, within one unit of the exact sum;
/// and under `withSumsIndependentOfThreads` no product is split over its depth and the Double
/// reductions are chunked by size alone.
@Suite struct OrderIndependentSumKernelTests {
    /// `parts` vectors of `count` Floats spanning many binades (and some zeros and negatives).
    static func parts(_ parts: Int, count: Int, seed: UInt64) -> [[Float]] {
        var rng = RandomGenerator(seed: seed)
        return (0..<parts).map { _ in
            (0..<count).map { i in
                if i % 11 == 0 { return 0 }
                let magnitude = Float(pow(2.0, Double(rng.nextUniform()) * 40 - 30))
                return rng.nextUniform() < 0.5 ? -magnitude : magnitude
            }
        }
    }

    /// Σ over `parts` (weights `weights`) by `addMultiples` in the given groups (each group one
    /// accumulator, the groups' accumulators then added in `order`), as Floats.
    static func sum(_ parts: [[Float]], weights: [Double], groups: [Range<Int>], order: [Int]) -> [Float] {
        let count = parts[0].count
        let largest = zip(parts, weights).map { part, weight in
            Double(part.withUnsafeBufferPointer(Kernels.largestMagnitude)) * abs(weight)
        }.max() ?? 0
        let unit = Kernels.multipleUnit(largest: largest, terms: parts.count)!
        let accumulators: [[Double]] = groups.map { group in
            var accumulator = [Double](repeating: 0, count: count)
            accumulator.withUnsafeMutableBufferPointer { out in
                for index in group {
                    parts[index].withUnsafeBufferPointer { Kernels.addMultiples(of: $0, weight: weights[index], unit: unit, into: out) }
                }
            }
            return accumulator
        }
        var total = [Double](repeating: 0, count: count)
        for group in order { for i in 0..<count { total[i] += accumulators[group][i] } }
        var result = [Float](repeating: 0, count: count)
        total.withUnsafeBufferPointer { t in result.withUnsafeMutableBufferPointer { Kernels.valuesOfMultiples(t, unit: unit, into: $0) } }
        return result
    }

    @Test func anyGroupingAndOrderOfThePartsGivesTheSameBits() {
        let parts = Self.parts(12, count: 70_001, seed: 5)             // past one 65,536-entry chunk
        let weights = (0..<12).map { 1 / 12 + Double($0) / 97 }
        let whole = Self.sum(parts, weights: weights, groups: [0..<12], order: [0])
        let splits: [([Range<Int>], [Int])] = [
            ([0..<6, 6..<12], [1, 0]),
            ([0..<4, 4..<8, 8..<12], [2, 0, 1]),
            ([0..<3, 3..<5, 5..<9, 9..<12], [3, 1, 2, 0]),
            ((0..<12).map { $0..<($0 + 1) }, Array((0..<12).reversed())),
        ]
        for (groups, order) in splits {
            let split = Self.sum(parts, weights: weights, groups: groups, order: order)
            #expect(split.map(\.bitPattern) == whole.map(\.bitPattern), "groups \(groups) in order \(order)")
        }
        // An ordinary Float sum in another grouping differs somewhere (what the multiples avoid).
        let ordinaryA = (0..<70_001).map { i in (0..<12).reduce(Float(0)) { $0 + parts[$1][i] * Float(weights[$1]) } }
        let ordinaryB = (0..<70_001).map { i in
            (0..<6).reduce(Float(0)) { $0 + parts[$1][i] * Float(weights[$1]) } + (6..<12).reduce(Float(0)) { $0 + parts[$1][i] * Float(weights[$1]) }
        }
        #expect(ordinaryA.map(\.bitPattern) != ordinaryB.map(\.bitPattern))
    }

    @Test func theSumIsWithinHalfAUnitPerPartOfTheExactSum() {
        let parts = Self.parts(12, count: 5_000, seed: 9)
        let weights = [Double](repeating: 0.25, count: 12)
        let result = Self.sum(parts, weights: weights, groups: [0..<12], order: [0])
        let largest = parts.map { $0.map { Double(abs($0)) * 0.25 }.max() ?? 0 }.max() ?? 0
        let unit = Kernels.multipleUnit(largest: largest, terms: 12)!
        for i in 0..<5_000 {
            let exact = (0..<12).reduce(0.0) { $0 + Double(parts[$1][i]) * 0.25 }         // exact to 2^-53 here
            let bound = 6 * unit + Double(abs(result[i]).ulp) / 2 + 1e-15 * abs(exact)
            #expect(abs(Double(result[i]) - exact) <= bound, "entry \(i): \(result[i]) against \(exact)")
        }
    }

    @Test func theUnitLeavesRoomForEveryPartialSum() throws {
        for (largest, terms) in [(1.0, 1), (0.75, 12), (3.0e-7, 12), (123_456.0, 64), (1e30, 5)] {
            let unit = try #require(Kernels.multipleUnit(largest: largest, terms: terms))
            let headroom = Double(max(1, Int.bitWidth - max(1, terms - 1).leadingZeroBitCount))
            #expect(unit.significand == 1 && largest / unit < pow(2, 52 - headroom), "\(largest), \(terms)")
            #expect(largest / unit >= pow(2, 51 - headroom), "\(largest), \(terms): the unit is finer than it may be")
            #expect(Double(terms) * pow(2, 52 - headroom) <= pow(2, 53))
        }
        #expect(Kernels.multipleUnit(largest: 0, terms: 3) == 1)
        #expect(Kernels.multipleUnit(largest: .nan, terms: 3) == nil && Kernels.multipleUnit(largest: .infinity, terms: 3) == nil)
    }

    @Test func addMultiplesMatchesTheScalarFormula() {
        // Ties (0.25, 0.75, −1.25 units of 0.5 …), values past one SIMD group, a multiple near 2^51.
        let unit = 0.5, weight = 1.0
        var x: [Float] = [0, 1, -1, 0.3, -2.5e-6, 1.5, 2.5, 1e-20, 0.25, 0.75, -1.25, -0.75, 1.25, 3.7, -8.1, 0.125, 5, 6.25]
        x.append(Float(pow(2.0, 49)) * 1.5)                        // 3·2^49 units: within 2^51
        var accumulator = [Double](repeating: 0, count: x.count)
        accumulator[0] = 10
        let start = accumulator
        x.withUnsafeBufferPointer { xb in
            accumulator.withUnsafeMutableBufferPointer { Kernels.addMultiples(of: xb, weight: weight, unit: unit, into: $0) }
        }
        let expected = zip(start, x).map { $0 + (Double($1) * weight / unit).rounded(.toNearestOrEven) }
        #expect(accumulator == expected)
        #expect(x.withUnsafeBufferPointer(Kernels.largestMagnitude) == Float(pow(2.0, 49)) * 1.5)
    }

    @Test func largestMagnitudeIsTheLargestAbsoluteValueOrNaNOrInfinity() {
        var rng = RandomGenerator(seed: 12)
        var x = (0..<200_003).map { _ in rng.nextUniform() * 2 - 1 }
        x[150_001] = -3.5                                           // in another chunk than the first
        #expect(x.withUnsafeBufferPointer(Kernels.largestMagnitude) == 3.5)
        x[7] = -.infinity
        #expect(x.withUnsafeBufferPointer(Kernels.largestMagnitude) == .infinity)
        x[199_999] = .nan                                           // in the scalar tail of the last chunk
        #expect(x.withUnsafeBufferPointer(Kernels.largestMagnitude).isNaN)
        #expect([Float]().withUnsafeBufferPointer(Kernels.largestMagnitude) == 0)
        #expect([Float(1), .nan, 3].withUnsafeBufferPointer(Kernels.largestMagnitude).isNaN)
    }

    /// Element-wise kernels step through a range in SIMD groups and finish with a scalar tail whose
    /// bits may differ (the vectorised and the scalar exp): with ranges starting at multiples of 64
    /// the scalar tail is the array's last elements on any number of threads. The vectorised and
    /// scalar sigmoid here differ, and a range starting elsewhere would show it.
    @Test func elementWiseRangesStartAtMultiplesOf64WhenSumsMustNotDependOnThreads() {
        final class Starts: @unchecked Sendable {
            private let lock = NSLock()
            private(set) var values: [Int] = []
            func add(_ start: Int) { lock.withLock { values.append(start) } }
        }
        for count in [1, 63, 100, 65_537, 200_003] {
            let starts = Starts()
            Kernels.withSumsIndependentOfThreads(true) {
                Kernels.parallelRanges(count, minimumPerChunk: 1) { starts.add($0.lowerBound) }
            }
            #expect(starts.values.allSatisfy { $0 % 64 == 0 } && starts.values.contains(0), "\(count): \(starts.values.sorted())")
        }
        // Pieces of a sigmoid that start at multiples of 64 give the whole's bits.
        var rng = RandomGenerator(seed: 3)
        let x = Matrix(rows: 1, columns: 1_000, storage: (0..<1_000).map { _ in rng.nextUniform() * 16 - 8 })
        let whole = Kernels.activate(x, .sigmoid)
        var pieces: [Float] = []
        for start in stride(from: 0, to: 1_000, by: 320) {
            let part = Matrix(rows: 1, columns: min(320, 1_000 - start), storage: Array(x.storage[start..<min(1_000, start + 320)]))
            pieces += Kernels.activate(part, .sigmoid).storage
        }
        #expect(pieces.map(\.bitPattern) == whole.storage.map(\.bitPattern))
        var unaligned: [Float] = []                                  // pieces of 100: scalar tails inside
        for start in stride(from: 0, to: 1_000, by: 100) {
            unaligned += Kernels.activate(Matrix(rows: 1, columns: 100, storage: Array(x.storage[start..<(start + 100)])), .sigmoid).storage
        }
        #expect(unaligned.map(\.bitPattern) != whole.storage.map(\.bitPattern), "the check could not fail")
    }

    @Test func productsAreNotSplitOverTheirDepthWhenSumsMustNotDependOnThreads() {
        #expect(GEMMPartition.plan(m: 500, n: 600, k: 20_108, parts: 2) == .depth([0..<10_048, 10_048..<20_108]))
        Kernels.withSumsIndependentOfThreads(true) {
            #expect(GEMMPartition.plan(m: 500, n: 600, k: 20_108, parts: 2) == .columns([0..<304, 304..<600]))
            #expect(GEMMPartition.plan(m: 20, n: 20, k: 100_000, parts: 2) == .whole)
            #expect(Kernels.reductionChunks(count: 10 * 65_536) == 10)               // by size, not by threads
            #expect(Kernels.reductionChunks(count: 1_000) == 1)
        }
        #expect(Kernels.reductionChunks(count: 10 * 65_536) == min(Kernels.threadCount, 10))
    }
}
