import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP(S) download into a partial file, resumed with an HTTP `Range` request when the
/// partial file already holds bytes (a 206 answer appends; a 200 answer starts the file again).
/// Runs the toolchain's `URLSession` and waits for it, so callers stay synchronous.
struct Download {
    let url: URL
    let partialFile: String
    /// Seconds without data before the transfer counts as broken.
    var timeout: TimeInterval = 60
    /// Called as bytes arrive: bytes in the partial file so far, and the full size when known.
    var progress: @Sendable (Int64, Int64?) -> Void = { _, _ in }

    /// Downloads the rest of `url` into `partialFile`; throws `DataSetError` on failure, keeping
    /// what arrived for the next attempt.
    func run() throws {
        if !FileManager.default.fileExists(atPath: partialFile) {
            guard FileManager.default.createFile(atPath: partialFile, contents: nil) else {
                throw DataSetError.cannotRead(path: partialFile, reason: "cannot create the partial download")
            }
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: partialFile)
        let start = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        if start > 0 { request.setValue("bytes=\(start)-", forHTTPHeaderField: "Range") }
        let receiver = try DownloadReceiver(file: partialFile, start: start, progress: progress)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.connectionProxyDictionary = [:]
        let session = URLSession(configuration: configuration, delegate: receiver, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        session.dataTask(with: request).resume()
        receiver.finished.wait()
        if let failure = receiver.failure { throw failure }
    }
}

/// Receives a transfer into the partial file; `finished` is signalled when it ends, `failure` says how.
final class DownloadReceiver: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private let file: String
    private let handle: FileHandle
    private var written: Int64
    private var total: Int64?
    private var failureValue: DataSetError?
    private let progress: @Sendable (Int64, Int64?) -> Void

    /// How the transfer failed, or nil.
    var failure: DataSetError? { lock.withLock { failureValue } }

    init(file: String, start: Int64, progress: @escaping @Sendable (Int64, Int64?) -> Void) throws {
        guard let handle = FileHandle(forWritingAtPath: file) else {
            throw DataSetError.cannotRead(path: file, reason: "cannot open the partial download for writing")
        }
        (self.file, self.handle, written, self.progress) = (file, handle, start, progress)
        super.init()
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 200
        let url = response.url?.absoluteString ?? "?"
        lock.withLock {
            reachedServer = true
            switch status {
            case 206:
                handle.seekToEndOfFile()
                total = response.expectedContentLength > 0 ? written + response.expectedContentLength : nil
            case 416 where written > 0:
                // The partial file already holds every byte (a run stopped before checking it).
                alreadyComplete = true
            case 200:
                // The server ignored the range (or none was asked): start the file again.
                handle.truncateFile(atOffset: 0)
                written = 0
                total = response.expectedContentLength > 0 ? response.expectedContentLength : nil
            default:
                failureValue = .httpStatus(url: url, status: status)
            }
        }
        completionHandler(failure == nil && !lock.withLock({ alreadyComplete }) ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let (count, size): (Int64, Int64?) = lock.withLock {
            handle.write(data)
            written += Int64(data.count)
            return (written, total)
        }
        progress(count, size)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        lock.withLock {
            handle.synchronizeFile()
            handle.closeFile()
            let url = task.originalRequest?.url?.absoluteString ?? "?"
            if alreadyComplete { return }
            if failureValue == nil, let error {
                failureValue = .interrupted(url: url, received: written, reason: error.localizedDescription, partialFile: file)
            } else if failureValue == nil, let total, written != total {
                failureValue = .interrupted(url: url, received: written, reason: "\(written) of \(total) bytes", partialFile: file)
            }
            if failureValue != nil, let error = error as? URLError, Self.offlineCodes.contains(error.code), !reachedServer {
                failureValue = .offline(url: url, reason: error.localizedDescription, placeAt: "", size: nil, md5: nil, sha256: nil)
            }
        }
        finished.signal()
    }

    private var reachedServer = false
    private var alreadyComplete = false

    /// The errors that mean no connection could be made at all.
    static let offlineCodes: Set<URLError.Code> = [.notConnectedToInternet, .cannotFindHost, .cannotConnectToHost,
                                                  .dnsLookupFailed, .timedOut, .networkConnectionLost,
                                                  .internationalRoamingOff, .dataNotAllowed]
}
