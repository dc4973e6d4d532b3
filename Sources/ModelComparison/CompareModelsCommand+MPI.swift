import Foundation
import MPIBackend
import NeuralNet

/// `CompareModels` as one rank of an `mpirun` job (Documentation/Scaling.md): MPI is loaded and
/// initialised only when the environment shows a launcher; rank 0 prints the first line
/// "MPI: rank 0 of N (…)", the progress, the table and writes every file; the other ranks print
/// only their own errors, prefixed with their rank (a disagreement of data or options, or a rank's
/// failure made known to every rank by `MemberFailures.together`, is printed once, by rank 0).
enum DataParallelRun {
    /// Runs `body` with MPI started when launched (nil group otherwise) and the streams each rank
    /// keeps; returns its status, or 1 when a launch was seen but MPI could not be used.
    static func run(environment: [String: String], output: @escaping (String) -> Void, log: @escaping (String) -> Void,
                    terminal: ((String) -> Void)?,
                    body: (_ group: (any DataParallelGroup)?, _ output: (String) -> Void, _ log: @escaping (String) -> Void,
                           _ terminal: ((String) -> Void)?) -> Int32) -> Int32 {
        let group: MPICommunicator?
        do { group = try MPICommunicator.start(environment: environment) } catch {
            log("error: \(error)")
            return 1
        }
        defer { group?.finish() }
        guard let group, group.rank != 0 else {
            if let group { log(group.banner) }
            return body(group, output, log, terminal)
        }
        let rank = group.rank
        return body(group, { _ in }, { line in
            if line.hasPrefix("error: ") && !line.contains("data-parallel: rank") { log("rank \(rank): " + line) }
        }, nil)
    }

    /// What every rank must agree on: the options that shape the run and the data's digest.
    static func agreementText(configuration: [String: ConfigurationValue], dataDescription: String, dataDigest: String) -> [UInt8] {
        let options = configuration.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
        return Array((options + "\n" + dataDescription + "\n" + dataDigest).utf8)
    }
}
