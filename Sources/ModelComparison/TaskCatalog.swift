import ModelKit
import RecCore

/// The tasks `CompareModels` can run, by name. A new task is a type conforming to `Task` and one
/// line here; the runner, the results and the checkpoints need no change.
public struct TaskCatalog: Sendable {
    /// The tasks, the default first.
    public let tasks: [any Task]

    /// A catalog of `tasks` (unique names).
    public init(_ tasks: [any Task]) {
        precondition(Set(tasks.map(\.name)).count == tasks.count, "TaskCatalog: duplicate task names")
        self.tasks = tasks
    }

    /// Ranking (the default) and rating prediction.
    public static let standard = TaskCatalog([RankingTask(), RatingTask()])

    /// Every task's name.
    public var names: [String] { tasks.map(\.name.rawValue) }

    /// The task called `name`.
    public func task(named name: TaskName) throws -> any Task {
        guard let task = tasks.first(where: { $0.name == name }) else {
            throw ComparisonError.invalidValue(flag: "--task", value: name.rawValue, expected: names.joined(separator: " or "))
        }
        return task
    }

    /// The task a run does: `--task`; else the one a split folder is made for; else the one every
    /// model asked for does; else the first (ranking).
    public func task(for options: ComparisonOptions, zoo: ModelZoo) throws -> any Task {
        if let name = options.task { return try task(named: name) }
        let format = options.format ?? options.dataPath.flatMap { try? DataFormat.guess($0) }
        if let implied = format?.impliedTask { return try task(named: implied) }
        let asked = try Set(options.models.map { try zoo.entry(named: $0).task })
        if asked.count == 1, let only = asked.first { return try task(named: only) }
        return tasks[0]
    }
}
