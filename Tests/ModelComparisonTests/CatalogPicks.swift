import ModelKit
import RecCore
import ZooCatalog

/// Models for the comparison tests, picked from the catalog by task (no test names a model), with
/// their tiny test settings as `--set` arguments.
enum CatalogPicks {
    /// Every entry of `task`, in catalog order.
    static func names(_ task: TaskName) -> [String] {
        ModelZoo.standard.entries.filter { $0.task == task }.map(\.name)
    }

    /// The first entry of `task`.
    static func first(_ task: TaskName) -> String { names(task)[0] }

    /// The second entry of `task`.
    static func second(_ task: TaskName) -> String { names(task)[1] }

    /// `--set NAME.KEY=VALUE` for every test setting of the named entries.
    static func tiny(_ names: [String]) -> [String] {
        names.flatMap { name -> [String] in
            let entry = ModelZoo.standard.entries.first { $0.name == name }
            return (entry?.testOverrides ?? [:]).sorted { $0.key < $1.key }.flatMap { ["--set", "\(name).\($0.key)=\($0.value)"] }
        }
    }
}
