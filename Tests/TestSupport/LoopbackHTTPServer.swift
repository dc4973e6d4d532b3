import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 (a free port), for tests of the fetcher: it serves byte
/// arrays by path, answers `Range: bytes=N-` with 206 (416 past the end), can break a response off
/// after a given number of body bytes (an interrupted transfer), and records every request.
/// One connection at a time, `Connection: close`; nothing leaves the machine.
public final class LoopbackHTTPServer: @unchecked Sendable {
    /// One request as received: the path and the `Range` header, if any.
    public struct Request: Sendable, Equatable {
        public let path: String
        public let range: String?
    }

    /// The port it listens on.
    public let port: UInt16
    /// `http://127.0.0.1:PORT/`.
    public var baseURL: String { "http://127.0.0.1:\(port)/" }
    private let listener: Int32
    private let lock = NSLock()
    private var files: [String: [UInt8]] = [:]
    private var received: [Request] = []
    private var cutAfter: Int?
    private var thread: Thread?

    /// Starts listening on a free loopback port.
    public init() throws {
        let socketType = Int32(SOCK_STREAM.rawValue)
        let descriptor = socket(AF_INET, socketType, 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        guard bound == 0, listen(descriptor, 16) == 0 else { close(descriptor); throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        port = UInt16(bigEndian: address.sin_port)
        listener = descriptor
        let thread = Thread { [weak self] in
            while true {
                if self?.isStopped ?? true { return }
                let connection = accept(descriptor, nil, nil)
                if connection < 0 { if errno == EINTR { continue } else { return } }
                self?.answer(connection)
                close(connection)
            }
        }
        self.thread = thread
        thread.start()
    }

    deinit { stop() }

    private var stopped = false
    private var isStopped: Bool { lock.withLock { stopped } }

    /// Stops accepting connections (once: a second close could hit a descriptor number reused
    /// by another test's server).
    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// Serves `bytes` at `path` (e.g. `/ml-1m.zip`).
    public func serve(_ path: String, _ bytes: [UInt8]) { lock.withLock { files[path] = bytes } }

    /// The next response sends only `bytes` body bytes (having announced them all) and closes.
    public func breakNextResponse(after bytes: Int) { lock.withLock { cutAfter = bytes } }

    /// Every request so far, in order.
    public var requests: [Request] { lock.withLock { received } }

    private func answer(_ connection: Int32) {
        var head = [UInt8]()
        var byte = [UInt8](repeating: 0, count: 4096)
        while head.count < 65_536 {
            let count = recv(connection, &byte, byte.count, 0)
            if count <= 0 { return }
            head.append(contentsOf: byte[0..<count])
            if head.count >= 4, String(decoding: head, as: UTF8.self).contains("\r\n\r\n") { break }
        }
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines.first?.split(separator: " ") ?? []
        let path = parts.count > 1 ? String(parts[1]) : "/"
        let range = lines.dropFirst().first { $0.lowercased().hasPrefix("range:") }
            .map { String($0.dropFirst(6)).trimmingCharacters(in: .whitespaces) }
        let (body, cut): ([UInt8]?, Int?) = lock.withLock {
            received.append(Request(path: path, range: range))
            defer { cutAfter = nil }
            return (files[path], cutAfter)
        }
        guard let body else { return send(connection, status: "404 Not Found", headers: [], body: Array("not found\n".utf8)) }
        var start = 0
        if let range, range.hasPrefix("bytes="), let first = Int(range.dropFirst(6).split(separator: "-").first ?? "") {
            guard first < body.count else {
                return send(connection, status: "416 Range Not Satisfiable", headers: ["Content-Range: bytes */\(body.count)"], body: [])
            }
            start = first
        }
        let slice = Array(body[start...])
        let headers = ["Content-Type: application/zip"]
            + (range != nil ? ["Content-Range: bytes \(start)-\(body.count - 1)/\(body.count)"] : [])
        send(connection, status: range != nil ? "206 Partial Content" : "200 OK", headers: headers, body: slice, cut: cut)
    }

    private func send(_ connection: Int32, status: String, headers: [String], body: [UInt8], cut: Int? = nil) {
        let head = (["HTTP/1.1 \(status)", "Content-Length: \(body.count)", "Connection: close"] + headers)
            .joined(separator: "\r\n") + "\r\n\r\n"
        write(connection, Array(head.utf8))
        write(connection, cut.map { Array(body.prefix($0)) } ?? body)
        shutdown(connection, Int32(SHUT_WR))
    }

    private func write(_ connection: Int32, _ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { return }
            sent += count
        }
    }
}
