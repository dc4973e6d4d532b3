/// Failures of some members only, made known to every member at fixed points, so a job whose
/// rank fails stops with one error on rank 0 instead of waiting forever for that rank in the next
/// collective call (Documentation/Scaling.md, "Faults").
public enum MemberFailures {
    /// Runs `body`; in a data-parallel `group` of more than one member, every member then tells
    /// the others whether its `body` threw (one gather of a length each; the messages only when one
    /// failed). When any member failed, every member throws `DataParallelError.memberFailed`,
    /// naming each failed rank and its error, so all stop at the same point. Alone, `body`'s own
    /// error is thrown as it is.
    ///
    /// Every member must call this at the same points, and `body` must make no collective call
    /// after a point where it may throw on some members only (a rank that leaves `body` early would
    /// leave the others waiting inside it).
    public static func together<T>(_ group: (any DataParallelGroup)?, _ body: () throws -> T) throws -> T {
        guard let group, group.size > 1 else { return try body() }
        var outcome: Result<T, any Error>
        do { outcome = .success(try body()) } catch let error as DataParallelError {
            switch error {                           // thrown on every member at once: nothing to tell
            case .memberFailed, .membersDisagree, .parametersDiverged: throw error
            case .communicationFailed: outcome = .failure(error)
            }
        } catch { outcome = .failure(error) }
        var message: [UInt8] = []
        if case .failure(let error) = outcome { message = Array("\(error)".utf8) + [0] }   // non-empty even for ""
        let all = try group.allGather(variable: message)
        let failures = all.indices.filter { !all[$0].isEmpty }.map { rank in
            DataParallelError.Failure(rank: rank, message: String(decoding: all[rank].dropLast(), as: UTF8.self))
        }
        if !failures.isEmpty { throw DataParallelError.memberFailed(failures) }
        return try outcome.get()
    }
}
