import Foundation

/// The shared entry of the fuzz targets (issue 20). Built by `.ci/fuzz` with `-sanitize=fuzzer
/// -DFUZZING`, a target's `main` hands its callback to libFuzzer (`LLVMFuzzerRunDriver`, so the
/// same `@main` works with and without libFuzzer; every libFuzzer flag applies). In a plain build
/// it runs the callback once on each file named on the command line (replaying a crash input
/// without the sanitizer). Either way, `--write-seeds DIR` writes the target's seed corpus (made
/// from the shapes of the test fixtures, never from a data set) into DIR and exits.
public enum FuzzHarness {
    /// libFuzzer's callback type: the input bytes; returns 0.
    public typealias Callback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    /// Runs the target (see the type's comment); never returns.
    public static func run(seeds: [String: [UInt8]], _ callback: Callback) -> Never {
        let arguments = CommandLine.arguments
        if let flag = arguments.firstIndex(of: "--write-seeds"), flag + 1 < arguments.count {
            let folder = arguments[flag + 1]
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (name, bytes) in seeds { _ = FileManager.default.createFile(atPath: folder + "/" + name, contents: Data(bytes)) }
            print("wrote \(seeds.count) seeds to \(folder)")
            exit(0)
        }
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
        #else
        let files = arguments.dropFirst()
        if files.isEmpty {
            print("built without -sanitize=fuzzer: give input files to replay, or build and run with .ci/fuzz")
        }
        for path in files {
            guard let data = FileManager.default.contents(atPath: path) else { print("cannot read \(path)"); continue }
            _ = data.withUnsafeBytes { callback($0.bindMemory(to: UInt8.self).baseAddress, $0.count) }
            print("ran \(path) (\(data.count) bytes)")
        }
        exit(0)
        #endif
    }

    /// A per-process scratch folder for inputs the code under test reads from files: in `/dev/shm`
    /// where there is one (memory, so a run does not wait on the disk for every input), else the
    /// temporary folder.
    public static let scratch: String = {
        var isFolder: ObjCBool = false
        let shm = FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isFolder) && isFolder.boolValue
        let path = (shm ? "/dev/shm/" : NSTemporaryDirectory()) + "autoencoderzoo-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// Writes `bytes` to `name` in the scratch folder (replacing it) and returns the path.
    public static func write(_ bytes: UnsafeBufferPointer<UInt8>, named name: String) -> String {
        let path = scratch + "/" + name
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(descriptor >= 0, "fuzz harness: cannot write \(path)")
        var offset = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            let written = Foundation.write(descriptor, base + offset, bytes.count - offset)
            precondition(written > 0, "fuzz harness: write to \(path) failed")
            offset += written
        }
        close(descriptor)
        return path
    }

    /// The input cut at every occurrence of `separator` (at most `parts` pieces; the last keeps the rest).
    public static func split(_ bytes: UnsafeBufferPointer<UInt8>, separator: [UInt8], parts: Int) -> [UnsafeBufferPointer<UInt8>] {
        var pieces: [UnsafeBufferPointer<UInt8>] = [], start = 0, index = 0
        while index + separator.count <= bytes.count && pieces.count < parts - 1 {
            if bytes[index..<(index + separator.count)].elementsEqual(separator) {
                pieces.append(UnsafeBufferPointer(rebasing: bytes[start..<index]))
                index += separator.count
                start = index
            } else {
                index += 1
            }
        }
        pieces.append(UnsafeBufferPointer(rebasing: bytes[start...]))
        return pieces
    }

    /// Stops the fuzzer with `message` (an invariant the code under test broke).
    public static func fail(_ message: String) -> Never { fatalError("fuzz invariant: " + message) }
}

#if FUZZING
/// libFuzzer's driver for programs with their own `main` (compiler-rt, LLVM 11 and later).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: FuzzHarness.Callback) -> CInt
#endif
