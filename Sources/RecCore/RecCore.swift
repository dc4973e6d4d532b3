import Foundation
import TensorCore

/// RecCore: recommender data (`Interactions`), loaders, splits, metrics and evaluation.
public enum RecCore {
    /// The environment variable naming the folder of real data sets (default `../shared/data`).
    public static let dataDirectoryVariable = RuntimeOptions.Variable.data

    /// The real-data folder: `$AUTOENCODERZOO_DATA` when set, else `../shared/data` beside
    /// `packageRoot`; nil when that folder does not exist.
    public static func dataDirectory(packageRoot: String) -> String? {
        let environment = RuntimeOptions.current.dataDirectory
        let candidate = environment ?? ((packageRoot as NSString).appendingPathComponent("../shared/data") as NSString)
            .standardizingPath
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: candidate, isDirectory: &isFolder) && isFolder.boolValue
            ? candidate : nil
    }
}
