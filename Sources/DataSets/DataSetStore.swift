import Foundation
import RecCore
import TensorCore

/// The download cache of named data sets: resolves a name to a checked archive on disk, fetching
/// it when absent. A download goes to `NAME.zip.part` beside its final place (resumed on the next
/// run), is checked (size, SHA-256, a zip holding the ratings file) and only then renamed into
/// place, so the cache never holds a partial or unchecked archive.
public struct DataSetStore: Sendable {
    /// The cache folder.
    public var directory: String
    /// The base URL archives are fetched from (GroupLens's, or a mirror).
    public var baseURL: String
    /// Seconds without data before a transfer counts as broken.
    public var timeout: TimeInterval = 60
    /// Called as bytes arrive (bytes so far, full size when known); nil prints `progressLine` to a terminal.
    public var progress: (@Sendable (String, Int64, Int64?) -> Void)?

    /// A store in `directory` fetching from `baseURL`.
    public init(directory: String, baseURL: String = NamedDataSet.groupLensBaseURL) {
        self.directory = directory
        self.baseURL = baseURL.hasSuffix("/") ? baseURL : baseURL + "/"
    }

    /// The store the environment names (`RuntimeOptions`: `AUTOENCODERZOO_CACHE`, `XDG_CACHE_HOME`,
    /// `HOME`; `AUTOENCODERZOO_DATA_MIRROR`).
    public static func standard(_ options: RuntimeOptions = .current) throws -> DataSetStore {
        guard let directory = options.cacheDirectory else { throw DataSetError.noCacheDirectory }
        return DataSetStore(directory: directory, baseURL: options.dataMirror ?? NamedDataSet.groupLensBaseURL)
    }

    /// Where `set`'s archive lives once cached.
    public func archivePath(of set: NamedDataSet) -> String { (directory as NSString).appendingPathComponent(set.archiveName) }

    /// Whether `set` is in the cache.
    public func isCached(_ set: NamedDataSet) -> Bool { FileManager.default.fileExists(atPath: archivePath(of: set)) }

    /// The cached archive of `set`, fetched and checked first when it is not cached; `log` gets the
    /// licence (on a download), warnings and what happened.
    public func resolve(_ set: NamedDataSet, log: (String) -> Void) throws -> String {
        let target = archivePath(of: set)
        if isCached(set) {
            log("\(set.name): using the cached \(target)")
            return target
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DataSetError.cannotRead(path: directory, reason: "cannot create the cache folder (\(error.localizedDescription))")
        }
        let url = baseURL + set.archiveName
        guard let address = URL(string: url) else { throw DataSetError.httpStatus(url: url, status: 0) }
        log("\(set.name): downloading \(url) to \(target)")
        log("\(set.name) licence: \(set.licence). MovieLens may not be redistributed: never copy it into a repository.")
        let partial = target + ".part"
        let terminal = isatty(2) != 0
        let shown = progress ?? { name, received, total in
            if terminal { FileHandle.standardError.write(Data(Self.progressLine(name, received: received, total: total).utf8)) }
        }
        let name = set.archiveName
        do {
            try Download(url: address, partialFile: partial, timeout: timeout, progress: { shown(name, $0, $1) }).run()
        } catch let DataSetError.offline(url, reason, _, _, _) {
            throw DataSetError.offline(url: url, reason: reason, placeAt: target, size: set.size, sha256: set.sha256)
        }
        if terminal && progress == nil { FileHandle.standardError.write(Data("\n".utf8)) }
        try verify(partial, as: set, log: log)
        guard rename(partial, target) == 0 else {
            throw DataSetError.cannotRead(path: target, reason: "cannot move the download into the cache (\(String(cString: strerror(errno))))")
        }
        log("\(set.name): checked and cached as \(target)")
        return target
    }

    /// Checks a finished download against `set`: size, SHA-256 (a warning with the digest where none
    /// is recorded), then that it is a zip archive holding the ratings entry. A failed check deletes it.
    func verify(_ file: String, as set: NamedDataSet, log: (String) -> Void) throws {
        func refuse(_ error: DataSetError) -> DataSetError {
            try? FileManager.default.removeItem(atPath: file)
            return error
        }
        let size = ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.intValue ?? -1
        if let expected = set.size, size != expected {
            throw refuse(.checksumMismatch(file: file, what: "the size", expected: "\(expected) bytes", found: "\(size) bytes"))
        }
        let digest = try SHA256.hexDigest(ofFile: file)
        if let expected = set.sha256 {
            guard digest == expected.lowercased() else {
                throw refuse(.checksumMismatch(file: file, what: "the SHA-256", expected: expected, found: digest))
            }
        } else {
            log("warning: \(set.name) has no published SHA-256 recorded here; the download's is \(digest) (\(size) bytes), not verified")
        }
        do {
            let archive = try ZipArchive(path: file)
            guard archive.entry(named: set.ratingsEntry) != nil else {
                throw refuse(.corruptDownload(file: file, reason: "no \(set.ratingsEntry) in the archive"))
            }
        } catch let error as DataError {
            throw refuse(.corruptDownload(file: file, reason: error.description))
        }
    }

    /// `\r` and one line: the archive, the share done and the megabytes (for a terminal).
    public static func progressLine(_ name: String, received: Int64, total: Int64?) -> String {
        let megabytes = { (bytes: Int64) in String(format: "%.1f", Double(bytes) / 1_000_000) }
        guard let total, total > 0 else { return "\r\(name): \(megabytes(received)) MB" }
        let percent = Int(Double(received) * 100 / Double(total))
        let filled = min(30, percent * 30 / 100)
        return "\r\(name) [\(String(repeating: "#", count: filled))\(String(repeating: " ", count: 30 - filled))] "
            + "\(percent)% \(megabytes(received))/\(megabytes(total)) MB"
    }
}
