/// Why a named data set could not be fetched, checked or cached.
public enum DataSetError: Error, Equatable, CustomStringConvertible {
    /// No cache folder: none of `AUTOENCODERZOO_CACHE`, `XDG_CACHE_HOME`, `HOME` is set.
    case noCacheDirectory
    /// The server could not be reached; `placeAt` is where to put the archive by hand.
    case offline(url: String, reason: String, placeAt: String, size: Int?, md5: String?, sha256: String?)
    /// The server answered with an HTTP status other than 200 or 206.
    case httpStatus(url: String, status: Int)
    /// The transfer broke off after `received` bytes; the partial file is kept for resuming.
    case interrupted(url: String, received: Int64, reason: String, partialFile: String)
    /// The downloaded file's size, MD5 or SHA-256 is not the recorded one; the file was deleted.
    case checksumMismatch(file: String, what: String, expected: String, found: String)
    /// The downloaded archive is not a zip archive with the expected ratings file; it was deleted.
    case corruptDownload(file: String, reason: String)
    /// A file or folder could not be read or written.
    case cannotRead(path: String, reason: String)

    public var description: String {
        switch self {
        case .noCacheDirectory:
            return "no cache folder: set AUTOENCODERZOO_CACHE (or XDG_CACHE_HOME or HOME)"
        case let .offline(url, reason, placeAt, size, md5, sha256):
            let check = [size.map { "\($0) bytes" }, md5.map { "MD5 \($0)" }, sha256.map { "SHA-256 \($0)" }].compactMap { $0 }.joined(separator: ", ")
            return "cannot reach \(url) (\(reason)). Without a network, download it on another machine and put it at "
                + "\(placeAt)\(check.isEmpty ? "" : " (\(check))"), or set AUTOENCODERZOO_DATA_MIRROR to a reachable copy; "
                + "an unpacked ratings file also works as --data PATH"
        case let .httpStatus(url, status):
            return "\(url): HTTP status \(status)"
        case let .interrupted(url, received, reason, partial):
            return "\(url): the transfer stopped after \(received) bytes (\(reason)); they are kept in \(partial): run the same command again to resume"
        case let .checksumMismatch(file, what, expected, found):
            return "\(file): \(what) is \(found), expected \(expected); the file was deleted, nothing was cached"
        case let .corruptDownload(file, reason):
            return "\(file): not a usable archive (\(reason)); the file was deleted, nothing was cached"
        case let .cannotRead(path, reason):
            return "\(path): \(reason)"
        }
    }
}
