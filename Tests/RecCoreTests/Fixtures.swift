import Foundation
@testable import RecCore

/// Writes fixture files into a fresh temporary folder (removed when the value is released).
final class FixtureFolder {
    let path: String

    init() {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("RecCoreTests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `name` inside the folder and returns the full path.
    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        write(name, bytes: Array(text.utf8))
    }

    /// Writes raw bytes to `name` (creating sub-folders) and returns the full path.
    @discardableResult
    func write(_ name: String, bytes: [UInt8]) -> String {
        let file = (path as NSString).appendingPathComponent(name)
        try? FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: file, contents: Data(bytes))
        return file
    }

    /// Writes `text` gzip-compressed (by running the system `gzip`) to `name`, returns the path.
    @discardableResult
    func writeGzip(_ name: String, _ text: String) throws -> String {
        try write(name, bytes: Self.gzip(Array(text.utf8)))
    }

    /// Gzip bytes of `input`, made by `gzip -c -n`.
    static func gzip(_ input: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FileManager.default.fileExists(atPath: "/usr/bin/gzip")
                                    ? "/usr/bin/gzip" : "/bin/gzip")
        process.arguments = ["-c", "-n"]
        let inPipe = Pipe(), outPipe = Pipe()
        process.standardInput = inPipe
        process.standardOutput = outPipe
        try process.run()
        inPipe.fileHandleForWriting.write(Data(input))
        try inPipe.fileHandleForWriting.close()
        let output = outPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(output)
    }
}

/// Locates the real data sets for tests: `$AUTOENCODERZOO_DATA`, else `../shared/data` beside the package.
enum RealData {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }   // Tests/RecCoreTests/Fixtures.swift → root
        return url.path
    }()

    static let folder: String? = RecCore.dataDirectory(packageRoot: packageRoot)

    /// The path of `relative` inside the data folder when it exists; prints why not otherwise.
    static func file(_ relative: String) -> String? {
        guard let folder else {
            print("RecCore real-data test skipped: no data folder (set \(RecCore.dataDirectoryVariable) or provide ../shared/data)")
            return nil
        }
        let path = (folder as NSString).appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: path) else {
            print("RecCore real-data test skipped: \(path) is absent")
            return nil
        }
        return path
    }

    static func available(_ relative: String) -> Bool { file(relative) != nil }
}
