/// How this process was started by an MPI launcher, read from the environment the launcher sets:
/// Open MPI's `mpirun` (`OMPI_COMM_WORLD_SIZE`, `OMPI_COMM_WORLD_RANK`), a PMI launcher such as
/// MPICH's Hydra or Slurm's `srun --mpi=pmi2` (`PMI_SIZE`, `PMI_RANK`), or PMIx (`PMIX_RANK`).
/// Only a launched process loads and initialises MPI; any other runs alone, as before.
public struct MPILaunch: Sendable, Equatable {
    /// Processes in the job, as the launcher says (nil: PMIx alone does not say).
    public let size: Int?
    /// This process's rank, as the launcher says.
    public let rank: Int?
    /// The variable that showed the launch, e.g. `OMPI_COMM_WORLD_SIZE`.
    public let evidence: String

    /// A launch of `size` processes seen as `rank` through the variable `evidence`.
    public init(size: Int?, rank: Int?, evidence: String) {
        (self.size, self.rank, self.evidence) = (size, rank, evidence)
    }

    /// The launch `environment` shows, or nil for a process started without a launcher.
    public static func detect(in environment: [String: String]) -> MPILaunch? {
        let pairs = [("OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"), ("PMI_SIZE", "PMI_RANK"), ("PMIX_SIZE", "PMIX_RANK")]
        for (sizeKey, rankKey) in pairs where environment[sizeKey] != nil || environment[rankKey] != nil {
            return MPILaunch(size: environment[sizeKey].flatMap { Int($0) }, rank: environment[rankKey].flatMap { Int($0) },
                             evidence: environment[sizeKey] != nil ? sizeKey : rankKey)
        }
        return nil
    }
}
