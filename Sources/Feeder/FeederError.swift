// Owns the import errors of the Feeder module and the script location they point at.
import Foundation

/// A position in an OpenDSS script: file path and 1-based line number.
public struct ScriptLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// Why a feeder script could not be imported. Every case carries the script location.
public enum FeederError: Error, CustomStringConvertible, Equatable {
    case unknownCommand(String, at: ScriptLocation)
    case unknownClass(String, at: ScriptLocation)
    /// An OpenDSS class that changes a power-flow solution and is not modelled here.
    case unsupportedClass(String, reason: String, at: ScriptLocation)
    case unknownProperty(className: String, property: String, at: ScriptLocation)
    case unknownOption(String, at: ScriptLocation)
    case unknownElement(String, at: ScriptLocation)
    case invalidValue(property: String, value: String, reason: String, at: ScriptLocation)
    case syntax(String, at: ScriptLocation)
    case fileNotReadable(path: String, at: ScriptLocation?)
    /// A folder where a script or data file was expected.
    case folderNotFile(path: String, at: ScriptLocation?)
    case noActiveCircuit(at: ScriptLocation)
    /// `at` is where the element was defined, when known.
    case unresolvedReference(element: String, reference: String, reason: String, at: ScriptLocation? = nil)
    case invalidModel(String)

    public var description: String {
        switch self {
        case let .unknownCommand(name, at):
            return "\(at): unknown command '\(name)'"
        case let .unknownClass(name, at):
            return "\(at): unknown element class '\(name)'"
        case let .unsupportedClass(name, reason, at):
            return "\(at): OpenDSS class '\(name)' is not supported: \(reason)"
        case let .unknownProperty(className, property, at):
            return "\(at): unknown property '\(property)' for class \(className)"
        case let .unknownOption(name, at):
            return "\(at): unknown Set option '\(name)'"
        case let .unknownElement(name, at):
            return "\(at): element '\(name)' is not defined"
        case let .invalidValue(property, value, reason, at):
            return "\(at): invalid value '\(value)' for '\(property)': \(reason)"
        case let .syntax(reason, at):
            return "\(at): syntax error: \(reason)"
        case let .fileNotReadable(path, at):
            if let at { return "\(at): cannot read file '\(path)'" }
            return "cannot read file '\(path)'"
        case let .folderNotFile(path, at):
            let hint = "'\(path)' is a folder; give the feeder's OpenDSS script in it (e.g. \((path as NSString).appendingPathComponent("Master.dss")))"
            if let at { return "\(at): \(hint)" }
            return hint
        case let .noActiveCircuit(at):
            return "\(at): no circuit defined yet (a 'New Circuit.<name>' must come first)"
        case let .unresolvedReference(element, reference, reason, at):
            return (at.map { "\($0): " } ?? "") + "\(element): reference '\(reference)' cannot be resolved: \(reason)"
        case let .invalidModel(reason):
            return "invalid feeder model: \(reason)"
        }
    }
}
