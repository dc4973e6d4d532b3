/// RecCore: recommender data (`Interactions`), loaders, splits, metrics and evaluation.
public enum RecCore {
    /// The environment variable naming the folder of real data sets (default `../shared/data`).
    public static let dataDirectoryVariable = "AUTOENCODERZOO_DATA"
}
