import Foundation
import NeuralNet

/// `size` threads of one process as a `DataParallelGroup`: each collective waits for every member,
/// then hands each the sum (in rank order, so every member gets the same bits) or the gathered
/// bytes. The trainer's data-parallel path runs in a test with no MPI at all.
final class ThreadCollective: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var generation = 0, arrived = 0
    private var contributions: [[UInt8]]
    private var result: [[UInt8]] = []

    init(size: Int) {
        self.size = size
        contributions = Array(repeating: [], count: size)
    }

    /// Every member's `bytes`, in rank order, once all have called.
    func exchange(_ bytes: [UInt8], rank: Int) -> [[UInt8]] {
        condition.lock()
        defer { condition.unlock() }
        let round = generation
        contributions[rank] = bytes
        arrived += 1
        if arrived == size {
            (result, arrived, generation) = (contributions, 0, generation + 1)
            condition.broadcast()
        } else {
            while generation == round { condition.wait() }
        }
        return result
    }

    /// Member `rank` of this collective.
    func member(_ rank: Int) -> ThreadGroupMember { ThreadGroupMember(collective: self, rank: rank) }
}

/// One thread's view of a `ThreadCollective`.
final class ThreadGroupMember: DataParallelGroup, @unchecked Sendable {
    let collective: ThreadCollective
    let rank: Int
    var size: Int { collective.size }

    init(collective: ThreadCollective, rank: Int) { (self.collective, self.rank) = (collective, rank) }

    func allReduceSum(_ values: inout [Float]) throws {
        let all = collective.exchange(values.withUnsafeBytes(Array.init), rank: rank).map(Self.floats)
        values = all.dropFirst().reduce(all[0]) { sum, next in zip(sum, next).map(+) }
    }

    func allReduceSum(_ values: inout [Double]) throws {
        let all = collective.exchange(values.withUnsafeBytes(Array.init), rank: rank).map(Self.doubles)
        values = all.dropFirst().reduce(all[0]) { sum, next in zip(sum, next).map(+) }
    }

    func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] { collective.exchange(bytes, rank: rank) }

    static func floats(_ bytes: [UInt8]) -> [Float] {
        bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    static func doubles(_ bytes: [UInt8]) -> [Double] {
        bytes.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    }
}
