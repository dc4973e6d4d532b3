import Kernels
import TensorCore

/// Processes that train one model together by data parallelism (MPI ranks; threads in a test):
/// every member holds the same parameters and data, runs its shard of each batch and sums the
/// gradients with the others before the optimizer step (see `Documentation/Scaling.md`).
///
/// Every member must call the collective operations in the same order with the same lengths.
public protocol DataParallelGroup: AnyObject {
    /// This member's index, 0 ..< `size`; member 0 prints progress and writes files.
    var rank: Int { get }
    /// The number of members.
    var size: Int { get }
    /// Replaces `values` with their element-wise sum over every member.
    func allReduceSum(_ values: inout [Float]) throws
    /// Replaces `values` with their element-wise sum over every member.
    func allReduceSum(_ values: inout [Double]) throws
    /// Every member's `bytes` (all of one length), in rank order.
    func allGather(_ bytes: [UInt8]) throws -> [[UInt8]]
}

/// A failure of the group's communication, or members that disagree.
public enum DataParallelError: Error, CustomStringConvertible, Equatable {
    /// A collective operation failed (the library's return code and its message).
    case communicationFailed(operation: String, code: Int, message: String)
    /// Members hold different parameters after an epoch (a bug: the shard rule or a model's
    /// shard weighting is wrong); the ranks whose checksums differ from rank 0's.
    case parametersDiverged(epoch: Int, ranks: [Int])
    /// Members were started with different data or options: what differs and the ranks.
    case membersDisagree(what: String, ranks: [Int])
    /// Some members' work failed between two fixed points (`MemberFailures.together`): each such
    /// rank and its error's description, in rank order.
    case memberFailed([Failure])

    /// One member's failure: its rank and its error's description.
    public struct Failure: Sendable, Equatable {
        public var rank: Int
        public var message: String
        public init(rank: Int, message: String) { (self.rank, self.message) = (rank, message) }
    }

    public var description: String {
        switch self {
        case .communicationFailed(let operation, let code, let message):
            return "data-parallel: \(operation) failed with code \(code): \(message)"
        case .parametersDiverged(let epoch, let ranks):
            return "data-parallel: after epoch \(epoch) the parameters of rank(s) \(ranks.map(String.init).joined(separator: ", ")) differ from rank 0's"
        case .membersDisagree(let what, let ranks):
            return "data-parallel: rank(s) \(ranks.map(String.init).joined(separator: ", ")) have different \(what) from rank 0 (start every rank with the same data and options)"
        case .memberFailed(let failures):
            var messages: [String] = [], ranks: [String: [Int]] = [:]           // ranks with one message named once
            for failure in failures {
                if ranks[failure.message] == nil { messages.append(failure.message) }
                ranks[failure.message, default: []].append(failure.rank)
            }
            return messages.map { message in
                let named = ranks[message] ?? []
                return "data-parallel: rank\(named.count > 1 ? "s" : "") \(named.map(String.init).joined(separator: ", ")) failed: \(message)"
            }.joined(separator: "; ")
        }
    }
}

/// How a model's loss for one update is reduced over the rows of a batch, so the trainer can weight
/// each member's shard: a step's loss and gradients over the global batch are Σ_r w_r·(those of
/// shard r). Declared by the model in its `TrainingRecipe` (one per update of a step).
public enum ShardWeighting: Sendable, Equatable {
    /// A mean over the batch's rows plus terms that do not depend on the rows (Mult-VAE's
    /// multinomial, KL terms, penalties): w_r = B_r / B.
    case rows
    /// A mean over the batch's stored entries (DeepRec's masked MSE): w_r = n_r / n.
    case storedEntries
    /// A sum over the rows (AutoRec's Σ_O, its penalty already scaled by B_r/N): w_r = 1.
    case sum

    /// w_r for a shard of `shardRows` rows and `shardEntries` stored entries out of a global batch
    /// of `globalRows` and `globalEntries`.
    public func weight(shardRows: Int, shardEntries: Int, globalRows: Int, globalEntries: Int) -> Double {
        switch self {
        case .rows: return globalRows > 0 ? Double(shardRows) / Double(globalRows) : 0
        case .storedEntries: return globalEntries > 0 ? Double(shardEntries) / Double(globalEntries) : 0
        case .sum: return 1
        }
    }
}

/// The rows of a global batch one member computes, and where they sit in it (for random draws
/// that must match a single process's: see `ForwardContext.drawBatchRows`).
public struct BatchShard: Sendable, Equatable {
    /// This member's rows of the global batch, contiguous.
    public var rows: Range<Int>
    /// Rows in the global batch.
    public var globalRows: Int
    /// This member's stored entries of the global CSR batch (by position), contiguous.
    public var entries: Range<Int>
    /// Stored entries in the global batch.
    public var globalEntries: Int

    /// Rows `r·B/N ..< (r+1)·B/N` of a `globalRows`-row batch for member `rank` of `size`: shards
    /// differ by one row at most, and which rows form the batch never depends on `size`.
    public static func rows(of globalRows: Int, rank: Int, size: Int) -> Range<Int> {
        precondition(size >= 1 && (0..<size).contains(rank), "BatchShard: rank \(rank) of \(size)")
        return (rank * globalRows / size)..<((rank + 1) * globalRows / size)
    }

    /// The shard of `batch` for `rank` of `size`.
    public init(of batch: SparseMatrix, rank: Int, size: Int) {
        rows = Self.rows(of: batch.rows, rank: rank, size: size)
        globalRows = batch.rows
        entries = batch.rowPointers[rows.lowerBound]..<batch.rowPointers[rows.upperBound]
        globalEntries = batch.nonZeroCount
    }
}

extension DataParallelGroup {
    /// Throws `DataParallelError.membersDisagree` on every member unless all hold the same
    /// `description` (the data and options a run depends on), compared by a 64-bit fingerprint;
    /// `what` names it in the error ("data and options").
    public func requireAgreement(on description: [UInt8], what: String) throws {
        let digest = Kernels.fingerprint(description)
        let all = try allGather(withUnsafeBytes(of: digest.littleEndian, Array.init))
        let differing = all.indices.filter { all[$0] != all[0] }
        if !differing.isEmpty { throw DataParallelError.membersDisagree(what: what, ranks: differing) }
    }
}

extension DataParallelGroup {
    /// Every member's `values`, in rank order, whatever their lengths (`allGather(variable:)`).
    public func allGather(values: [Double]) throws -> [[Double]] {
        try allGather(variable: values.withUnsafeBytes(Array.init)).map { bytes in
            let count = bytes.count / MemoryLayout<Double>.stride
            return [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
                bytes.withUnsafeBytes { raw in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw.prefix(count * 8)))
                }
                initialized = count
            }
        }
    }

    /// Every member's `bytes`, in rank order, whatever their lengths: the lengths are gathered
    /// first, then (unless every member sent none) the bytes padded to the longest; two
    /// `allGather`s, MPI_Allgatherv's result without a second primitive in every group.
    public func allGather(variable bytes: [UInt8]) throws -> [[UInt8]] {
        let counts = try allGather(withUnsafeBytes(of: Int64(bytes.count).littleEndian, Array.init)).map { length in
            Int(Int64(littleEndian: length.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) }))
        }
        let longest = counts.max() ?? 0
        guard longest > 0 else { return counts.map { _ in [] } }
        let gathered = try allGather(bytes + repeatElement(0, count: longest - bytes.count))
        return zip(gathered, counts).map { Array($0.prefix($1)) }
    }
}
