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
        var failure: (any Error)? = nil
        if case .failure(let error) = outcome { failure = error }
        let failures = try exchange(failure, over: group)
        if !failures.isEmpty { throw DataParallelError.memberFailed(failures) }
        return try outcome.get()
    }

    /// Every member's failure (nil: none), gathered in rank order (one `allGather(variable:)`:
    /// the lengths, then the messages only when one failed); every member must call it at the
    /// same point.
    static func exchange(_ failure: (any Error)?, over group: any DataParallelGroup) throws -> [DataParallelError.Failure] {
        var message: [UInt8] = []
        if let failure { message = Array("\(failure)".utf8) + [0] }             // non-empty even for ""
        let all = try group.allGather(variable: message)
        return all.indices.filter { !all[$0].isEmpty }.map { rank in
            DataParallelError.Failure(rank: rank, message: String(decoding: all[rank].dropLast(), as: UTF8.self))
        }
    }
}

/// Failures inside a training step, between two of the group's reductions, on some members only
/// (an error thrown by one rank's model or a non-finite loss on its shard): every reduction of a
/// step's loss carries a second element, the number of members that failed since the last one. A
/// member that fails joins the next such reduction once, with its flag set and no gradients; every
/// member sees the flag in the same reduction, skips the gradient reduction that would have followed,
/// and all throw `DataParallelError.memberFailed` with each failed rank's message
/// (Documentation/Scaling.md, "Faults"). A healthy step's numbers are those of a reduction without
/// the flag: the flag is its own element, 0 on every member.
enum StepFailures {
    /// Sums `weightedLoss` over `group` with the step's status element; throws
    /// `DataParallelError.memberFailed` on every member when a member joined flagged.
    static func reduce(_ weightedLoss: Double, over group: any DataParallelGroup) throws -> Double {
        var message = [weightedLoss, 0]                                   // [Σ w_r·loss_r, members failed]
        try group.allReduceSum(&message)
        if message[1] != 0 { throw failed(try MemberFailures.exchange(nil, over: group), flagged: message[1]) }
        return message[0]
    }

    /// Joins the reduction the other members make next (`reduce`) with this member's flag set,
    /// then the exchange of messages; throws `DataParallelError.memberFailed` naming `error`.
    static func join(failing error: any Error, over group: any DataParallelGroup) throws -> Never {
        var message = [0.0, 1]
        try group.allReduceSum(&message)
        throw failed(try MemberFailures.exchange(error, over: group), flagged: message[1])
    }

    /// The error every member throws once `flagged` members set the flag (only a member that did
    /// not join as `join` does could leave the messages empty).
    private static func failed(_ failures: [DataParallelError.Failure], flagged: Double) -> DataParallelError {
        guard !failures.isEmpty else {
            return .communicationFailed(operation: "the training step's status reduction", code: Int(flagged),
                                        message: "\(flagged) member(s) flagged a failure but none sent its message")
        }
        return .memberFailed(failures)
    }
}
