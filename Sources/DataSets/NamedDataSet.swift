import RecCore

/// A data set `--data NAME` can fetch: GroupLens's archive, how to check it, what it holds, and
/// the protocol its papers evaluate it with.
public struct NamedDataSet: Sendable, Equatable {
    /// The name on the command line (`ml-20m`).
    public var name: String
    /// The archive's file name, appended to the base URL and kept under this name in the cache.
    public var archiveName: String
    /// The published size in bytes, or nil where none could be verified.
    public var size: Int?
    /// The published SHA-256 (lower-case hex), or nil where none could be verified: the download is
    /// then used with a warning that prints the digest it got.
    public var sha256: String?
    /// The ratings file inside the archive (`ml-1m/ratings.dat`).
    public var ratingsEntry: String
    /// How that file is read.
    public var format: DataFormat
    /// The task its papers report (`ranking` for ML-20M after Liang et al., `rating` for AutoRec's ML-1M/10M).
    public var task: TaskName
    /// Ranking: validation and test users each (Liang et al.: 10,000 on ML-20M); nil: the default share.
    public var heldOutUsers: Int?
    /// One line on the protocol, for `--list-data` and the data line.
    public var protocolNote: String
    /// One line on the licence, for `--list-data`.
    public var licence: String

    /// A data set with the given parts (tests build fixtures with their own sizes and digests).
    public init(name: String, archiveName: String, size: Int?, sha256: String?, ratingsEntry: String, format: DataFormat,
                task: TaskName, heldOutUsers: Int? = nil, protocolNote: String, licence: String) {
        (self.name, self.archiveName, self.size, self.sha256) = (name, archiveName, size, sha256)
        (self.ratingsEntry, self.format, self.task, self.heldOutUsers) = (ratingsEntry, format, task, heldOutUsers)
        (self.protocolNote, self.licence) = (protocolNote, licence)
    }

    /// GroupLens's download folder; `AUTOENCODERZOO_DATA_MIRROR` (or `DataSetStore`'s `baseURL`) replaces it.
    public static let groupLensBaseURL = "https://files.grouplens.org/datasets/movielens/"

    static let groupLensLicence = "GroupLens usage licence: research use, cite Harper & Konstan 2015, no commercial use or redistribution without permission (README in the archive)"
    static let liang = "strong generalisation (Liang et al. 2018): ratings > 3.5 are clicks, users with ≥ 5 clicks"
    static let autoRec = "random 90/10 split of the ratings (AutoRec, Sedhain et al. 2015), 10% of train for validation"

    /// The MovieLens archives. Sizes and SHA-256 digests of ml-100k, ml-1m, ml-20m and ml-25m are
    /// those recorded by TensorFlow Datasets (`tensorflow_datasets/url_checksums/movielens.txt`,
    /// github.com/tensorflow/datasets, commit 1c076ac3c19c8ea83e1d1a75e0623c9a699e0d7c), which
    /// downloads the same URLs. GroupLens itself publishes only MD5 files (`ml-10m.zip.md5`,
    /// e.g. ml-10m `ce571fd55effeba0271552578f2648bd`, ml-20m `cd245b17a1ae2cc31bb14903e1204af3`);
    /// no SHA-256 or size of ml-10m and ml-32m could be verified from here (no internet access),
    /// so those two are fetched with a warning that prints the digest obtained (Data.md).
    public static let movieLens: [NamedDataSet] = [
        NamedDataSet(name: "ml-100k", archiveName: "ml-100k.zip", size: 4_924_029,
                     sha256: "50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229",
                     ratingsEntry: "ml-100k/u.data", format: .movielens100k, task: TaskName("ranking"),
                     protocolNote: liang + ", 10% of users held out each for validation and test", licence: groupLensLicence),
        NamedDataSet(name: "ml-1m", archiveName: "ml-1m.zip", size: 5_917_549,
                     sha256: "a6898adb50b9ca05aa231689da44c217cb524e7ebd39d264c56e2832f2c54e20",
                     ratingsEntry: "ml-1m/ratings.dat", format: .movielens1m, task: TaskName("rating"),
                     protocolNote: autoRec, licence: groupLensLicence),
        NamedDataSet(name: "ml-10m", archiveName: "ml-10m.zip", size: nil, sha256: nil,
                     ratingsEntry: "ml-10M100K/ratings.dat", format: .movielens1m, task: TaskName("rating"),
                     protocolNote: autoRec, licence: groupLensLicence),
        NamedDataSet(name: "ml-20m", archiveName: "ml-20m.zip", size: 198_702_078,
                     sha256: "96f243c338a8665f6bcc89c53edf6ee39162a846940de6b7c8c48aeada765ff3",
                     ratingsEntry: "ml-20m/ratings.csv", format: .movielens20m, task: TaskName("ranking"), heldOutUsers: 10_000,
                     protocolNote: liang + ", 10,000 validation and 10,000 test users", licence: groupLensLicence),
        NamedDataSet(name: "ml-25m", archiveName: "ml-25m.zip", size: 261_978_986,
                     sha256: "8b21cfb7eb1706b4ec0aac894368d90acf26ebdfb6aced3ebd4ad5bd1eb9c6aa",
                     ratingsEntry: "ml-25m/ratings.csv", format: .movielens20m, task: TaskName("ranking"), heldOutUsers: 10_000,
                     protocolNote: liang + ", 10,000 validation and 10,000 test users (as ML-20M)", licence: groupLensLicence),
        NamedDataSet(name: "ml-32m", archiveName: "ml-32m.zip", size: nil, sha256: nil,
                     ratingsEntry: "ml-32m/ratings.csv", format: .movielens20m, task: TaskName("ranking"), heldOutUsers: 10_000,
                     protocolNote: liang + ", 10,000 validation and 10,000 test users (as ML-20M)", licence: groupLensLicence),
    ]

    /// The set called `name`, or nil.
    public static func named(_ name: String) -> NamedDataSet? { movieLens.first { $0.name == name } }

    /// Data sets that cannot be fetched (an account or a licence agreement stands in the way), with
    /// the layout `--data PATH` expects once the user has them.
    public static let notFetchable: [(name: String, reason: String, layout: String)] = [
        ("netflix", "the Netflix Prize data is no longer distributed by Netflix; it needs a copy obtained under its licence (e.g. via Kaggle, with an account)",
         "--data PATH/training_set (the folder of mv_*.txt files: a \"MovieID:\" line, then CustomerID,Rating,YYYY-MM-DD lines), or one such file; --format netflix"),
        ("msd", "the Million Song Dataset's Taste Profile (used by Liang et al.) needs a manual download from the MSD site",
         "convert train_triplets.txt (user<TAB>song<TAB>count, string ids) to integer ids and pass --data FILE.csv --format csv with user,item (clicks) or user,item,count"),
    ]
}
