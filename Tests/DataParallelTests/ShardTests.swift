import Foundation
import Testing
import MPIBackend
import NeuralNet
import TensorCore

/// The shard rule, the shard weights, the launch detection and the bad-input errors.
struct ShardTests {
    @Test func versionLineKeepsTheFirstLineBeforeItsCommaWithSingleSpaces() {
        #expect(MPILibrary.versionLine("Open MPI v4.1.4, package: Debian OpenMPI, ident: 4.1.4, repo rev: v4.1.4\n") == "Open MPI v4.1.4")
        #expect(MPILibrary.versionLine("MPICH Version:\t4.0.2\nMPICH Release date:\tThu Mar 17 2022\n") == "MPICH Version: 4.0.2")
        #expect(MPILibrary.versionLine("") == "version unknown")
        #expect(MPILibrary.versionLine(" \t\n") == "version unknown")
    }

    @Test func shardsCoverTheBatchInOrderAndDifferByOneRowAtMost() {
        for size in 1...5 {
            for rows in 0...11 {
                let shards = (0..<size).map { BatchShard.rows(of: rows, rank: $0, size: size) }
                #expect(shards.first?.lowerBound == 0 && shards.last?.upperBound == rows)
                #expect(zip(shards, shards.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                let counts = shards.map(\.count)
                #expect((counts.max() ?? 0) - (counts.min() ?? 0) <= 1, "\(rows) rows over \(size): \(counts)")
            }
        }
    }

    @Test func shardOfACSRBatchNamesItsStoredEntries() {
        let batch = SparseMatrix(rows: 3, columns: 4, triplets: [(0, 1, 1), (1, 0, 1), (1, 3, 1), (2, 2, 1)])
        let shard = BatchShard(of: batch, rank: 1, size: 2)                   // rows 1..<3
        #expect(shard.rows == 1..<3 && shard.entries == 1..<4 && shard.globalEntries == 4 && shard.globalRows == 3)
    }

    @Test func weightsOfTheShardsOfABatchSumToOneForMeans() {
        let shards = [(rows: 2, entries: 7), (rows: 1, entries: 2), (rows: 1, entries: 0)]
        for weighting in [ShardWeighting.rows, .storedEntries] {
            let total = shards.reduce(0.0) { $0 + weighting.weight(shardRows: $1.rows, shardEntries: $1.entries, globalRows: 4, globalEntries: 9) }
            #expect(abs(total - 1) < 1e-12, "\(weighting): \(total)")
        }
        #expect(ShardWeighting.sum.weight(shardRows: 1, shardEntries: 2, globalRows: 4, globalEntries: 9) == 1)
    }

    @Test func aLaunchIsSeenOnlyInALaunchersEnvironment() {
        #expect(MPILaunch.detect(in: ["PATH": "/usr/bin"]) == nil)
        #expect(MPILaunch.detect(in: ["OMPI_COMM_WORLD_SIZE": "3", "OMPI_COMM_WORLD_RANK": "2"])
                == MPILaunch(size: 3, rank: 2, evidence: "OMPI_COMM_WORLD_SIZE"))
        #expect(MPILaunch.detect(in: ["PMI_RANK": "0"])?.evidence == "PMI_RANK")
    }

    @Test func withoutALaunchNoMPIIsLoaded() throws {
        #expect(try MPICommunicator.start(environment: ["AUTOENCODERZOO_MPI_LIBRARY": "/nonexistent/libmpi.so"]) == nil)
    }

    @Test func aLaunchWithoutALibraryIsOneClearError() {
        let environment = ["OMPI_COMM_WORLD_SIZE": "2", "AUTOENCODERZOO_MPI_LIBRARY": "/nonexistent/libmpi.so.40"]
        do {
            _ = try MPICommunicator.start(environment: environment)
            Issue.record("a launch with no library started")
        } catch let error as MPIError {
            guard case .libraryNotFound(let evidence, let tried, _) = error else { Issue.record("\(error)"); return }
            #expect(evidence == "OMPI_COMM_WORLD_SIZE" && tried == ["/nonexistent/libmpi.so.40"])
            #expect(error.description.contains("no MPI library could be loaded") && error.description.contains("/nonexistent/libmpi.so.40"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
