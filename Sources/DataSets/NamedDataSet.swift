import RecCore

/// A data set `--data NAME` can fetch: GroupLens's archive, how to check it, what it holds, and
/// the protocol its papers evaluate it with.
public struct NamedDataSet: Sendable, Equatable {
    /// The name on the command line (`ml-20m`).
    public var name: String
    /// The archive's file name, appended to the base URL and kept under this name in the cache.
    public var archiveName: String
    /// The archive's size in bytes, or nil where none is recorded.
    public var size: Int?
    /// GroupLens's published MD5 (`NAME.zip.md5`, lower-case hex), or nil where none is recorded.
    public var md5: String?
    /// The SHA-256 (lower-case hex) recorded by others who fetch the same URL, or nil.
    /// A download is checked against every one of size, MD5 and SHA-256 that is recorded; where
    /// neither digest is (no named set, only a set built by hand), it is used with a warning that
    /// prints the digests it got.
    public var sha256: String?
    /// The ratings file inside the archive (`ml-1m/ratings.dat`).
    public var ratingsEntry: String
    /// The archive's README, whose usage-licence section is shown after the first download
    /// (`ml-1m/README`); nil: only the one-line `licence`.
    public var readmeEntry: String?
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
    public init(name: String, archiveName: String, size: Int?, md5: String? = nil, sha256: String?, ratingsEntry: String,
                readmeEntry: String? = nil, format: DataFormat, task: TaskName, heldOutUsers: Int? = nil,
                protocolNote: String, licence: String) {
        (self.name, self.archiveName, self.size, self.md5, self.sha256) = (name, archiveName, size, md5, sha256)
        (self.ratingsEntry, self.readmeEntry, self.format, self.task, self.heldOutUsers) = (ratingsEntry, readmeEntry, format, task, heldOutUsers)
        (self.protocolNote, self.licence) = (protocolNote, licence)
    }

    /// GroupLens's download folder; `AUTOENCODERZOO_DATA_MIRROR` (or `DataSetStore`'s `baseURL`) replaces it.
    public static let groupLensBaseURL = "https://files.grouplens.org/datasets/movielens/"

    static let groupLensLicence = "GroupLens usage licence: research use, cite Harper & Konstan 2015, no commercial use or redistribution without permission (README in the archive)"
    static let liang = "strong generalisation (Liang et al. 2018): ratings > 3.5 are clicks, users with ≥ 5 clicks"
    static let autoRec = "random 90/10 split of the ratings (AutoRec, Sedhain et al. 2015), 10% of train for validation"

    /// The MovieLens archives and what each download is checked against.
    ///
    /// MD5: GroupLens publishes one beside every archive (`files.grouplens.org/datasets/movielens/NAME.zip.md5`).
    /// This machine has no internet access, so the values are those quoted from those files by
    /// public projects that check downloads against them: ml-100k, ml-1m, ml-10m, ml-20m and ml-25m
    /// in github.com/eli-osherovich/papers_with_code (`datasets/movielens/dl_config.py`, all five)
    /// and other independent projects; ml-25m also in a blog post that prints `md5 ml-25m.zip` beside
    /// `cat ml-25m.zip.md5` (both 6b51fb27…); ml-32m in several projects, one citing
    /// `ml-32m.zip.md5` as its source, another passing it to `pooch.retrieve(known_hash="md5:…")`.
    ///
    /// Size and SHA-256: ml-100k, ml-1m, ml-20m and ml-25m from TensorFlow Datasets
    /// (`tensorflow_datasets/url_checksums/movielens.txt`, github.com/tensorflow/datasets, commit
    /// 1c076ac3c19c8ea83e1d1a75e0623c9a699e0d7c), which downloads the same URLs; ml-10m (65,566,137
    /// bytes, 813c411c…) from a public project that pins the size, the SHA-256 and an MD5 equal to
    /// GroupLens's published one for the same file, and the same SHA-256 in other projects; ml-32m
    /// (238,950,008 bytes) from two independent projects that pin that size, and its SHA-256
    /// (e4a68655…) from several projects, among them a Rust downloader that refuses any other digest
    /// and whose ml-100k, ml-1m and ml-25m digests equal TensorFlow Datasets' (no source found
    /// that records it beside the MD5, so the MD5 is the digest GroupLens vouches for).
    ///
    /// Entries: `ml-10M100K/ratings.dat` (the archive's folder is not `ml-10m`) with `::` separators,
    /// as the many public scripts that unzip exactly that entry; READMEs as unzip listings show them
    /// (`ml-1m/README`, `ml-25m/README.txt`, `ml-10M100K/README.html`, `ml-32m/README.txt`).
    public static let movieLens: [NamedDataSet] = [
        NamedDataSet(name: "ml-100k", archiveName: "ml-100k.zip", size: 4_924_029, md5: "0e33842e24a9c977be4e0107933c0723",
                     sha256: "50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229",
                     ratingsEntry: "ml-100k/u.data", readmeEntry: "ml-100k/README", format: .movielens100k, task: TaskName("ranking"),
                     protocolNote: liang + ", 10% of users held out each for validation and test", licence: groupLensLicence),
        NamedDataSet(name: "ml-1m", archiveName: "ml-1m.zip", size: 5_917_549, md5: "c4d9eecfca2ab87c1945afe126590906",
                     sha256: "a6898adb50b9ca05aa231689da44c217cb524e7ebd39d264c56e2832f2c54e20",
                     ratingsEntry: "ml-1m/ratings.dat", readmeEntry: "ml-1m/README", format: .movielens1m, task: TaskName("rating"),
                     protocolNote: autoRec, licence: groupLensLicence),
        NamedDataSet(name: "ml-10m", archiveName: "ml-10m.zip", size: 65_566_137, md5: "ce571fd55effeba0271552578f2648bd",
                     sha256: "813c411ccb6122564edfe752e7f80c4dcc5aa25fa94c93622f6877a7ba252862",
                     ratingsEntry: "ml-10M100K/ratings.dat", readmeEntry: "ml-10M100K/README.html", format: .movielens1m,
                     task: TaskName("rating"), protocolNote: autoRec, licence: groupLensLicence),
        NamedDataSet(name: "ml-20m", archiveName: "ml-20m.zip", size: 198_702_078, md5: "cd245b17a1ae2cc31bb14903e1204af3",
                     sha256: "96f243c338a8665f6bcc89c53edf6ee39162a846940de6b7c8c48aeada765ff3",
                     ratingsEntry: "ml-20m/ratings.csv", readmeEntry: "ml-20m/README.txt", format: .movielens20m,
                     task: TaskName("ranking"), heldOutUsers: 10_000,
                     protocolNote: liang + ", 10,000 validation and 10,000 test users", licence: groupLensLicence),
        NamedDataSet(name: "ml-25m", archiveName: "ml-25m.zip", size: 261_978_986, md5: "6b51fb2759a8657d3bfcbfc42b592ada",
                     sha256: "8b21cfb7eb1706b4ec0aac894368d90acf26ebdfb6aced3ebd4ad5bd1eb9c6aa",
                     ratingsEntry: "ml-25m/ratings.csv", readmeEntry: "ml-25m/README.txt", format: .movielens20m,
                     task: TaskName("ranking"), heldOutUsers: 10_000,
                     protocolNote: liang + ", 10,000 validation and 10,000 test users (as ML-20M)", licence: groupLensLicence),
        NamedDataSet(name: "ml-32m", archiveName: "ml-32m.zip", size: 238_950_008, md5: "d472be332d4daa821edc399621853b57",
                     sha256: "e4a68655d7386b8f95f2f2424b2ff975dfdd15ffd59e0d864a14dca43e99d6ee",
                     ratingsEntry: "ml-32m/ratings.csv", readmeEntry: "ml-32m/README.txt", format: .movielens20m,
                     task: TaskName("ranking"), heldOutUsers: 10_000,
                     protocolNote: liang + ", 10,000 validation and 10,000 test users (as ML-20M)", licence: groupLensLicence),
    ]

    /// What a download is checked against, for `--list-data`: "download checked against: 5917549
    /// bytes, MD5 c4d9… (GroupLens's ml-1m.zip.md5), SHA-256 a689…, then a zip holding ml-1m/ratings.dat".
    public var checkSummary: String {
        var parts = size.map { ["\($0) bytes"] } ?? []
        if let md5 { parts.append("MD5 \(md5) (GroupLens's \(archiveName).md5)") }
        if let sha256 { parts.append("SHA-256 \(sha256)") }
        if md5 == nil && sha256 == nil { parts.append("no digest recorded: used with a warning that prints the digests obtained") }
        return "download checked against: " + parts.joined(separator: ", ") + ", then a zip holding \(ratingsEntry)"
    }

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
