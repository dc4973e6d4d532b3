import Kernels
import ModelKit
import RecCore

/// `--tune N`: the state of one run's searches — each entry's space, the stopping rule, the log
/// and the trials it held when the run began (checked against this run's searches up front).
struct TuningSession {
    /// Trials per search.
    let trialCount: Int
    /// Each selected entry's space, by entry name.
    let spaces: [String: SearchSpace]
    /// The rule stopping trials that fall behind.
    let rule: MedianStoppingRule
    /// The log.
    let log: TuningLog
    /// The log's trials by model, seed and trial index, with their lines.
    let finished: [String: [UInt64: [Int: (line: Int, record: TrialRecord)]]]
    /// The data's description for the search context.
    let data: String
    /// Whether every seed has the same split, so one search serves every seed.
    let oneSplit: Bool
}

extension ComparisonRunner {
    /// The search space of `entry` in this run: its declared space with `--tune-space`'s dimensions
    /// in place or added (a replaced dimension keeps its paper value; an added one has none), less
    /// the keys `--set` holds fixed; throws `SearchSpaceError` for an unreadable dimension.
    func searchSpace(of entry: ModelEntry) throws -> SearchSpace {
        var replacements: [SearchDimension] = []
        for (name, dimensions) in options.tuneSpaces.sorted(by: { $0.key < $1.key }) where name.lowercased() == entry.name.lowercased() {
            for (key, text) in dimensions.sorted(by: { $0.key < $1.key }) {
                let paper = entry.searchSpace.dimensions.first { $0.key == key }?.paperValue ?? ""
                replacements.append(try SearchDimension(key: key, specification: text, model: entry.name, paper: paper))
            }
        }
        let fixed = options.overrides.filter { $0.key.lowercased() == entry.name.lowercased() }.flatMap(\.value.keys)
        return entry.searchSpace.replacing(replacements).removing(Set(fixed))
    }

    /// The session of a `--tune` run over `entries` (nil without `--tune`): every space checked on
    /// data of `shape` (`SearchSpaceError` naming the key), `--tune-space` names checked against the
    /// zoo, and the log read and every trial of these models checked to be of this run's searches.
    func tuningSession<Split>(_ entries: [ModelEntry], task: some Task, dataset: TaskDataset<Split>,
                              shape: DataShape) throws -> TuningSession? {
        guard let trialCount = options.tuneTrials else { return nil }
        for name in options.tuneSpaces.keys.sorted() { _ = try zoo.entry(named: name) }
        var spaces: [String: SearchSpace] = [:]
        for entry in entries {
            do {
                let space = try searchSpace(of: entry)
                try entry.check(space, shape: shape, options: modelOptions(entry, seed: options.firstSeed, builtIn: dataset.isBuiltIn))
                spaces[entry.name] = space
            } catch {
                throw namingTheFileLine(error, of: entry)
            }
        }
        let request = options.dataRequest
        let data = dataset.description + "; format \(request.format?.rawValue ?? "guessed"), held-out users "
            + "\(request.heldOutUsers.map(String.init) ?? "default"), validation fraction "
            + "\(request.validationFraction.map { "\($0)" } ?? "default"), duplicates \(request.duplicates.argument), "
            + "min rating \(request.minimumRating?.argument ?? "default")"
        let log = TuningLog(path: options.tuningLogPath)
        var session = TuningSession(trialCount: trialCount, spaces: spaces, rule: MedianStoppingRule(graceEpochs: options.tuneGraceEpochs),
                                    log: log, finished: [:], data: data, oneSplit: dataset.splitNote == nil)
        var finished: [String: [UInt64: [Int: (line: Int, record: TrialRecord)]]] = [:]
        for (line, record) in try log.read(log: self.log) {
            guard let entry = entries.first(where: { $0.name == record.model }) else { continue }
            let expected = searchContext(entry, task: task, session: session, builtIn: dataset.isBuiltIn)
            if let difference = expected.difference(from: record.search) {
                throw TuningLogError.otherSearch(file: log.path, line: line, model: entry.name, field: difference.field,
                                                 there: difference.there, now: difference.here)
            }
            if let first = finished[entry.name]?[record.seed]?[record.trial] {
                throw TuningLogError.repeatedTrial(file: log.path, line: line, model: entry.name, trial: record.trial,
                                                   firstLine: first.line)
            }
            finished[entry.name, default: [:]][record.seed, default: [:]][record.trial] = (line, record)
        }
        session = TuningSession(trialCount: trialCount, spaces: spaces, rule: session.rule, log: log, finished: finished,
                                data: data, oneSplit: session.oneSplit)
        return session
    }

    /// What `entry`'s search runs on.
    func searchContext(_ entry: ModelEntry, task: some Task, session: TuningSession, builtIn: Bool) -> SearchContext {
        let base = modelOptions(entry, seed: options.firstSeed, builtIn: builtIn)
        return SearchContext(data: session.data, task: task.name.rawValue, metric: task.validationMetric.name,
                             epochs: base.epochs.map(String.init) ?? "default", fixedSettings: base.overrides,
                             space: (session.spaces[entry.name] ?? .none).dimensions.map(\.description),
                             rule: session.rule.description)
    }

    /// The settings chosen for `entry` by its search on `split` with `seed` (trials read back from
    /// the log where it holds them), logging the choice beside the paper values' trial.
    func tune<T: Task>(_ entry: ModelEntry, seed: UInt64, label: String, task: T, split: T.Split, builtIn: Bool,
                       session: TuningSession) throws -> [String: String] {
        let space = session.spaces[entry.name] ?? .none
        let plan = TrialPlan(space: space, count: session.trialCount, model: entry.name, seed: seed)
        let search = HyperparameterSearch(
            entry: entry, plan: plan, context: searchContext(entry, task: task, session: session, builtIn: builtIn),
            rule: session.rule, tuningLog: session.log, seed: seed,
            options: { settings in modelOptions(entry, seed: seed, builtIn: builtIn, tuned: settings) },
            log: options.quiet ? nil : log, label: label, reproducibleShards: options.reproducibleShards)
        if !options.quiet {
            log("[\(label)] tuning: \(plan.trials.count) trials (\(plan.isGrid ? "grid" : "random search")) of "
                + (space.dimensions.isEmpty ? "no setting" : space.dimensions.map(\.description).joined(separator: "; "))
                + " on validation \(task.validationMetric.name); log \(session.log.path)")
        }
        let (chosen, trials) = try Kernels.withSumsIndependentOfThreads(options.reproducibleShards != nil) {
            try search.run(task, on: split, finished: session.finished[entry.name]?[seed] ?? [:])
        }
        let stopped = trials.filter { $0.stopReason == "median rule" }.count
        log("[\(label)] tuned on validation: \(TrialPlan.describe(chosen.settings)) (trial \(chosen.trial + 1) of "
            + "\(trials.count), \(HyperparameterSearch.summary(chosen, metric: task.validationMetric)); "
            + "\(stopped) stopped by the median rule)")
        return chosen.settings
    }
}
