import Foundation
import Testing
import MPIBackend

/// `DataParallelCheck` (every gradient-trained entry on toy data) under `mpirun -np 2` and `-np 3`
/// against one process: loss within 1e-5 relative per epoch, every test metric within 1e-4 (test
/// users scored in shards and gathered: the same users, each user's value within 1e-4), the
/// same top-10 for ≥ 99 % of test users; ranks with different options stop with one error; a
/// launch without a library is one clear error. Skipped, saying so, where `mpirun` or the MPI
/// library is absent (`.ci/run` installs `openmpi-bin`).
@Suite(.serialized) struct MPIEqualityTests {
    /// `mpirun` on the PATH or in /usr/bin, or nil.
    static let mpirun: String? = {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin"]
        return folders.map { $0 + "/mpirun" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Why the MPI cases cannot run here, or nil when they can.
    static let missing: String? = {
        guard mpirun != nil else { return "mpirun not found (install openmpi-bin)" }
        let launch = MPILaunch(size: 1, rank: 0, evidence: "test")
        do { _ = try MPILibrary.load(environment: ProcessInfo.processInfo.environment, launch: launch) } catch {
            guard case MPIError.libraryNotFound(_, let tried, let reasons) = error else { return "\(error)" }
            return "no MPI library could be loaded (tried \(tried.joined(separator: ", ")): \(reasons.joined(separator: "; ")))"
        }
        return nil
    }()

    /// The `DataParallelCheck` binary beside the test bundle.
    static func helper() throws -> String { try built("DataParallelCheck") }

    /// The executable product `name` beside the test bundle.
    static func built(_ name: String) throws -> String {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        throw MPIError.missingSymbol(library: name, symbol: "(not built near \(CommandLine.arguments[0]))")
    }

    /// `executable` with `arguments`; stopped (SIGTERM, then SIGKILL 10 s later) after `timeout`
    /// seconds, saying so in `timedOut`: a job whose ranks wait for each other forever fails the
    /// test instead of hanging it. (`mpirun` started from a test thread inherits a signal mask that
    /// blocks SIGTERM and then never acts on it; its ranks end once it is killed.)
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 900) throws
        -> (status: Int32, output: String, errors: String, timedOut: Bool) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        for key in merged.keys where key.hasPrefix("OMPI_") || key.hasPrefix("PMI") { merged[key] = nil }
        merged.merge(environment) { _, new in new }
        process.environment = merged
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let stopped = StopFlag()
        let timer = DispatchWorkItem {
            guard process.isRunning else { return }
            stopped.set()
            process.terminate()
        }
        let killer = DispatchWorkItem { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout + 10, execute: killer)
        let out = output.fileHandleForReading.readDataToEndOfFile(), err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer.cancel()
        killer.cancel()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self),
                stopped.isSet)
    }

    /// Set once, from the timer's thread; read after the process ended.
    final class StopFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func set() { lock.withLock { value = true } }
        var isSet: Bool { lock.withLock { value } }
    }

    /// `DataParallelCheck` under `mpirun -np ranks` (nil: alone).
    static func check(ranks: Int?, _ arguments: [String] = [], timeout: Double = 900) throws
        -> (status: Int32, output: String, errors: String, timedOut: Bool) {
        let helper = try helper()
        guard let ranks, let mpirun else { return try run(helper, arguments, timeout: timeout) }
        return try run(mpirun, ["--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", String(ranks), helper] + arguments,
                       environment: ["OMPI_MCA_btl_vader_single_copy_mechanism": "none", "OMPI_MCA_rmaps_base_oversubscribe": "1"],
                       timeout: timeout)
    }

    /// The JSON lines of a run, by model.
    static func lines(_ output: String) -> [String: [String: Any]] {
        var byModel: [String: [String: Any]] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("{") {
            if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let model = object["model"] as? String {
                byModel[model] = object
            }
        }
        return byModel
    }

    @Test(arguments: [2, 3])
    func ranksGiveOneProcesssNumbers(_ ranks: Int) throws {
        if let missing = Self.missing {
            print("skipped: MPI equality under mpirun -np \(ranks): \(missing)")
            return
        }
        let alone = try Self.check(ranks: nil)
        #expect(alone.status == 0, "alone: \(alone.errors)")
        let together = try Self.check(ranks: ranks)
        #expect(together.status == 0, "mpirun -np \(ranks): \(together.errors)")
        #expect(together.output.hasPrefix("MPI: rank 0 of \(ranks) (Open MPI") || together.output.hasPrefix("MPI: rank 0 of \(ranks) (MPICH"),
                "first line: \(together.output.prefix(120))")
        let (one, many) = (Self.lines(alone.output), Self.lines(together.output))
        #expect(!one.isEmpty && Set(one.keys) == Set(many.keys), "models alone \(one.keys.sorted()), together \(many.keys.sorted())")
        for (model, a) in one {
            guard let b = many[model] else { continue }
            let (lossA, lossB) = (a["losses"] as? [Double] ?? [], b["losses"] as? [Double] ?? [])
            #expect(lossA.count == lossB.count && !lossA.isEmpty, "\(model): \(lossA.count) and \(lossB.count) epochs")
            for (epoch, (x, y)) in zip(lossA, lossB).enumerated() {
                #expect(abs(x - y) <= 1e-5 * max(1, abs(x)), "\(model) epoch \(epoch + 1): loss \(x) alone, \(y) on \(ranks) ranks")
            }
            let (metricsA, metricsB) = (a["metrics"] as? [String: Double] ?? [:], b["metrics"] as? [String: Double] ?? [:])
            #expect(!metricsA.isEmpty)
            for (key, x) in metricsA {
                let y = metricsB[key] ?? .nan
                #expect(abs(x - y) <= 1e-4, "\(model) \(key): \(x) alone, \(y) on \(ranks) ranks")
            }
            let (usersA, usersB) = (a["users"] as? [Int] ?? [], b["users"] as? [Int] ?? [])
            let (perUserA, perUserB) = (a["perUser"] as? [Double] ?? [], b["perUser"] as? [Double] ?? [])
            #expect(usersA == usersB && !usersA.isEmpty && perUserA.count == usersA.count && perUserB.count == usersB.count,
                    "\(model): \(usersA.count) test users alone, \(usersB.count) gathered from \(ranks) ranks")
            let largest = zip(perUserA, perUserB).map { abs($0 - $1) }.max() ?? .nan
            #expect(largest <= 1e-4, "\(model): per-user values differ by up to \(largest) on \(ranks) ranks")
            if let topA = a["top10"] as? [[Int]], let topB = b["top10"] as? [[Int]] {
                let same = zip(topA, topB).filter { $0 == $1 }.count
                #expect(topA.count == topB.count && Double(same) >= 0.99 * Double(topA.count),
                        "\(model): the same top-10 for \(same) of \(topA.count) test users")
            }
        }
    }

    /// The reproducible mode (`--reproducible 6`): every entry's line under `mpirun -np 2` and `-np 3`
    /// is one process's, character for character: losses, validation, test metrics, per-user values,
    /// top-10 lists and the fingerprint of the trained parameters' bits.
    @Test(arguments: [2, 3])
    func reproducibleRanksGiveOneProcesssBits(_ ranks: Int) throws {
        if let missing = Self.missing {
            print("skipped: reproducible mode under mpirun -np \(ranks): \(missing)")
            return
        }
        let alone = try Self.check(ranks: nil, ["--reproducible", "6"])
        #expect(alone.status == 0, "alone: \(alone.errors)")
        let together = try Self.check(ranks: ranks, ["--reproducible", "6"])
        #expect(together.status == 0, "mpirun -np \(ranks): \(together.errors)")
        let (one, many) = (Self.lines(alone.output), Self.lines(together.output))
        #expect(one.count >= 8 && Set(one.keys) == Set(many.keys), "models alone \(one.keys.sorted()), together \(many.keys.sorted())")
        for (model, a) in one {
            #expect(a["parameters"] is String && !(a["losses"] as? [Double] ?? []).isEmpty, "\(model): \(a.keys.sorted())")
            #expect(NSDictionary(dictionary: a).isEqual(to: many[model] ?? [:]),
                    "\(model) differs on \(ranks) ranks: \(a) alone, \(many[model] ?? [:]) together")
        }
    }

    @Test func ranksWithDifferentOptionsStopWithOneErrorOnRankZero() throws {
        guard Self.missing == nil, let mpirun = Self.mpirun else {
            print("skipped: ranks that disagree: \(Self.missing ?? "mpirun not found")")
            return
        }
        let helper = try Self.helper()
        let run = try Self.run(mpirun, ["--allow-run-as-root", "--oversubscribe", "--bind-to", "none",
                                        "-np", "1", helper, "--models", "mult-dae", "--epochs", "1", "--seed", "11", ":",
                                        "-np", "1", helper, "--models", "mult-dae", "--epochs", "1", "--seed", "12"],
                               environment: ["OMPI_MCA_btl_vader_single_copy_mechanism": "none"])
        #expect(run.status != 0)
        let errors = run.errors.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1 && errors.first?.contains("rank(s) 1 have different data and options") == true, "\(run.errors)")
    }

    /// `--reproducible K` on more than K ranks is one error on rank 0 and a non-zero status.
    @Test func fewerReproduciblePartsThanRanksIsOneErrorOnRankZero() throws {
        if let missing = Self.missing {
            print("skipped: --reproducible on too many ranks: \(missing)")
            return
        }
        let run = try Self.check(ranks: 3, ["--compare-models", "mult-dae", "0", "--", "--models", "mult-dae", "--epochs", "1",
                                            "--reproducible", "2"], timeout: 120)
        #expect(run.status != 0)
        let errors = run.errors.split(separator: "\n").filter { $0.contains("error:") }
        #expect(errors == ["error: --reproducible 2 cuts every batch into 2 parts, fewer than the 3 ranks: give --reproducible 3 or more"],
                "\(run.errors)")
    }

    @Test func aLaunchWithoutAnMPILibraryIsOneClearError() throws {
        let run = try Self.run(try Self.helper(), ["--models", "mult-dae", "--epochs", "1"],
                               environment: ["OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "0",
                                             "AUTOENCODERZOO_MPI_LIBRARY": "/nonexistent/libmpi.so.40"])
        #expect(run.status == 1)
        #expect(run.errors.hasPrefix("error: MPI: this process was started by an MPI launcher (OMPI_COMM_WORLD_SIZE is set) but no MPI library could be loaded"),
                "\(run.errors)")
    }
}
