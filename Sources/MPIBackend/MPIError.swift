/// Why MPI could not be used.
public enum MPIError: Error, CustomStringConvertible, Equatable {
    /// The process was started by an MPI launcher but no MPI library could be opened.
    case libraryNotFound(launchEvidence: String, tried: [String], reasons: [String])
    /// The library lacks a function or handle this backend needs.
    case missingSymbol(library: String, symbol: String)
    /// An MPI call returned an error code.
    case callFailed(function: String, code: Int, message: String)

    public var description: String {
        switch self {
        case .libraryNotFound(let evidence, let tried, let reasons):
            return "MPI: this process was started by an MPI launcher (\(evidence) is set) but no MPI library could be loaded; "
                + "tried \(tried.joined(separator: ", ")) (\(reasons.joined(separator: "; "))). Install Open MPI "
                + "(Debian: apt-get install openmpi-bin libopenmpi3) or name the library in AUTOENCODERZOO_MPI_LIBRARY"
        case .missingSymbol(let library, let symbol):
            return "MPI: \(library) has no symbol \(symbol) (supported: Open MPI 4–5; MPICH 3–4, untested)"
        case .callFailed(let function, let code, let message):
            return "MPI: \(function) returned error \(code): \(message)"
        }
    }
}
