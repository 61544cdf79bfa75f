// Owns the errors of the PowerFlow module: model problems found while building the network and
// numerical failures (singular matrix, non-finite inputs). Non-convergence is a result, not an error.

/// Why a network cannot be built or solved.
public enum PowerFlowError: Error, CustomStringConvertible, Equatable {
    case invalidElement(String, String)
    case singularMatrix(String)
    case nonFiniteInput(String)
    case unknownElement(String)
    case factorizationFailed(String)
    case islanded([String])

    public var description: String {
        switch self {
        case let .invalidElement(element, reason): return "\(element): \(reason)"
        case let .singularMatrix(detail): return "admittance matrix is singular (\(detail)); is a bus islanded from the source?"
        case let .nonFiniteInput(detail): return "non-finite input: \(detail)"
        case let .unknownElement(name): return "unknown element '\(name)'"
        case let .factorizationFailed(detail): return "sparse LU (KLU) failed: \(detail)"
        case let .islanded(buses):
            let shown = buses.prefix(5).joined(separator: ", ") + (buses.count > 5 ? ", … (\(buses.count) in all)" : "")
            return "islanded: no path from the source to bus \(shown) (check bus names and open switches)"
        }
    }
}
