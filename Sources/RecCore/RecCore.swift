import Foundation

/// RecCore: recommender data (`Interactions`), loaders, splits, metrics and evaluation.
public enum RecCore {
    /// The environment variable naming the folder of real data sets (default `../shared/data`).
    public static let dataDirectoryVariable = "AUTOENCODERZOO_DATA"

    /// The real-data folder: `$AUTOENCODERZOO_DATA` when set, else `../shared/data` beside
    /// `packageRoot`; nil when that folder does not exist.
    public static func dataDirectory(packageRoot: String) -> String? {
        let environment = ProcessInfo.processInfo.environment[dataDirectoryVariable]
        let candidate = environment ?? ((packageRoot as NSString).appendingPathComponent("../shared/data") as NSString)
            .standardizingPath
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: candidate, isDirectory: &isFolder) && isFolder.boolValue
            ? candidate : nil
    }
}
