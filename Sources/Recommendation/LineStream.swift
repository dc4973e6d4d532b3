import Foundation

/// Reads a text file line by line in 64 KiB chunks (constant memory), calling `body` with each line
/// (without its `\n` / `\r\n`) and its 1-based number; `body` returns false to stop early.
struct LineStream {
    let path: String

    func forEachLine(encoding: String.Encoding = .utf8, _ body: (String, Int) throws -> Bool) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw RecommendError.cannotRead(file: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        defer { try? handle.close() }
        var pending = Data()
        var number = 0
        func emit(_ bytes: Data) throws -> Bool {
            number += 1
            var line = bytes
            if line.last == 0x0D { line.removeLast() }
            let text = String(data: line, encoding: encoding) ?? String(decoding: line, as: UTF8.self)
            return try body(text, number)
        }
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 16) ?? Data() } catch {
                throw RecommendError.cannotRead(file: path, reason: error.localizedDescription)
            }
            if chunk.isEmpty { break }
            pending.append(chunk)
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                guard try emit(pending[start..<newline]) else { return }
                start = newline + 1
            }
            pending = Data(pending[start...])
        }
        if !pending.isEmpty { _ = try emit(pending) }
    }
}
