import Foundation
import RecCore
import TensorCore

/// The download cache of named data sets: resolves a name to a checked archive on disk, fetching
/// it when absent. A download goes to `NAME.zip.part` beside its final place (resumed on the next
/// run), is checked (size, MD5, SHA-256, a zip holding the ratings file) and only then renamed into
/// place, so the cache never holds a partial or unchecked download.
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
            // No digest pass on every run (the archive was checked when it was downloaded); a
            // file put there by hand whose size is not GroupLens's is named, not refused.
            let size = ((try? FileManager.default.attributesOfItem(atPath: target))?[.size] as? NSNumber)?.intValue
            if let expected = set.size, let size, size != expected {
                log("warning: \(target) is \(size) bytes, GroupLens's \(set.archiveName) is \(expected): it is not that archive "
                    + "(a file in the cache is checked only when this program downloads it)")
            }
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
        let partial = target + ".part"
        let terminal = isatty(2) != 0
        let shown = progress ?? { name, received, total in
            if terminal { FileHandle.standardError.write(Data(Self.progressLine(name, received: received, total: total).utf8)) }
        }
        let name = set.archiveName
        do {
            try Download(url: address, partialFile: partial, timeout: timeout, progress: { shown(name, $0, $1) }).run()
        } catch let DataSetError.offline(url, reason, _, _, _, _) {
            throw DataSetError.offline(url: url, reason: reason, placeAt: target, size: set.size, md5: set.md5, sha256: set.sha256)
        }
        if terminal && progress == nil { FileHandle.standardError.write(Data("\n".utf8)) }
        let checks = try verify(partial, as: set, log: log)
        guard rename(partial, target) == 0 else {
            throw DataSetError.cannotRead(path: target, reason: "cannot move the download into the cache (\(String(cString: strerror(errno))))")
        }
        log("\(set.name): checked (\(checks)) and cached as \(target)")
        for line in licenceLines(of: set, archive: target) { log(line) }
        return target
    }

    /// What is shown once, after the first download of `set` is checked: the usage-licence section
    /// of the archive's own README, or where that cannot be found the one-line summary naming the
    /// README; then the reminder that MovieLens may not be redistributed.
    public func licenceLines(of set: NamedDataSet, archive: String) -> [String] {
        let reminder = "\(set.name): MovieLens may not be redistributed: never copy it into a repository."
        guard let readme = set.readmeEntry else { return ["\(set.name) licence: \(set.licence)", reminder] }
        switch ReadmeLicence.section(archivePath: archive, entry: readme) {
        case let .success(lines):
            return ["\(set.name) licence, the usage-licence section of \(readme) in the archive:"] + lines.map { "    " + $0 } + [reminder]
        case let .failure(missing):
            return ["\(set.name) licence: \(set.licence) (read \(readme) in the archive: \(missing.reason))", reminder]
        }
    }

    /// Checks a finished download against `set`: the recorded size, then (one read) the recorded MD5
    /// and SHA-256, then that it is a zip archive holding the ratings entry; returns what it was
    /// checked against. A failed check deletes the file. Where neither digest is recorded (no named
    /// set; a set built by hand) it is used with a warning that prints the digests it got.
    @discardableResult
    func verify(_ file: String, as set: NamedDataSet, log: (String) -> Void) throws -> String {
        func refuse(_ error: DataSetError) -> DataSetError {
            try? FileManager.default.removeItem(atPath: file)
            return error
        }
        let size = ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.intValue ?? -1
        if let expected = set.size, size != expected {
            throw refuse(.checksumMismatch(file: file, what: "the size", expected: "\(expected) bytes", found: "\(size) bytes"))
        }
        let digests = try FileDigests(ofFile: file)
        var checked = set.size.map { ["\($0) bytes"] } ?? []
        if let expected = set.md5 {
            guard digests.md5 == expected.lowercased() else {
                throw refuse(.checksumMismatch(file: file, what: "the MD5", expected: expected, found: digests.md5))
            }
            checked.append("MD5 \(digests.md5)")
        }
        if let expected = set.sha256 {
            guard digests.sha256 == expected.lowercased() else {
                throw refuse(.checksumMismatch(file: file, what: "the SHA-256", expected: expected, found: digests.sha256))
            }
            checked.append("SHA-256 \(digests.sha256)")
        }
        if set.md5 == nil && set.sha256 == nil {
            log("warning: \(set.name) has no MD5 or SHA-256 recorded here; the download's are MD5 \(digests.md5), "
                + "SHA-256 \(digests.sha256) (\(digests.size) bytes), not verified")
        }
        do {
            let archive = try ZipArchive(path: file)
            guard archive.entry(named: set.ratingsEntry) != nil else {
                throw refuse(.corruptDownload(file: file, reason: "no \(set.ratingsEntry) in the archive"))
            }
        } catch let error as DataError {
            throw refuse(.corruptDownload(file: file, reason: error.description))
        }
        checked.append("a zip holding \(set.ratingsEntry)")
        return checked.joined(separator: ", ")
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
