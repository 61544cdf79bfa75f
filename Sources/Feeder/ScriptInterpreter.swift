// Owns the OpenDSS command interpreter: reads script files (Redirect/Compile, comments,
// continuation lines), executes New/Edit/Set/BatchEdit/property-assignment commands in order and
// produces a `FeederModel`. Unknown commands, classes, properties and options are errors.
import Foundation

/// Entry points of the importer.
public enum FeederImporter {
    /// Compiles the script at `path` (relative Redirect/Compile paths resolve against its folder).
    public static func compile(path: String) throws -> FeederModel {
        var interpreter = ScriptInterpreter()
        try interpreter.runFile(path: path, at: nil)
        return try interpreter.finish()
    }

    /// Compiles script text; relative file references resolve against `baseDirectory`.
    public static func compile(script: String, name: String = "<script>", baseDirectory: String) throws -> FeederModel {
        var interpreter = ScriptInterpreter()
        try interpreter.runText(script, fileName: name, directory: baseDirectory)
        return try interpreter.finish()
    }

    /// Compiles the script at `path` and returns every file it read (the entry script, Redirect /
    /// Compile targets, load-shape and BusCoords data files), relative to the entry's folder.
    public static func compileRecordingFiles(path: String) throws -> (model: FeederModel, files: FeederFileSet) {
        let files = ScriptFiles()
        var interpreter = ScriptInterpreter(files: files)
        try interpreter.runFile(path: path, at: nil)
        let model = try interpreter.finish()
        return (model, files.fileSet(entryPath: path))
    }

    /// Compiles a stored file set (e.g. a trace's feeder) without touching the file system: a file
    /// the scripts name that the set lacks is an error, as a missing file on disk would be.
    public static func compile(files set: FeederFileSet) throws -> FeederModel {
        let files = ScriptFiles(memory: set)
        guard let entry = files.virtualPath(of: set.entry) else { preconditionFailure("a memory file set has virtual paths") }
        var interpreter = ScriptInterpreter(files: files)
        try interpreter.runFile(path: entry, at: nil)
        return try interpreter.finish()
    }
}

enum ScriptPaths {
    static func resolve(_ path: String, relativeTo directory: String) -> String {
        let unquoted = path.trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
        if unquoted.hasPrefix("/") { return unquoted }
        return (directory as NSString).appendingPathComponent(unquoted)
    }
}

struct ScriptInterpreter {
    var model = FeederModel()
    var defaultBaseFrequency = 60.0
    var hasCircuit = false
    /// The classes this importer reads (ClassRegistry.swift), and their index by name; built once
    /// per import and shared by the fresh interpreters of `New Circuit` and `Clear` (a class is
    /// immutable: its table and closures hold no interpreter state).
    let classTable: ClassTable
    var classes: [DSSClass] { classTable.classes }
    var classIndexByName: [String: Int] { classTable.indexByName }
    var classNameTable: PropertyTable { classTable.nameTable }
    /// Object last addressed by New/Edit, for `~` continuation lines.
    var active: ObjectHandle?
    /// Name → index per class (lookups only; never iterated), indexed like `classes`.
    var indexByName: [[String: Int]]
    var includeDepth = 0
    /// Where scripts and data files are read from (kept across `Clear`).
    let files: ScriptFiles

    init(files: ScriptFiles = ScriptFiles(), classTable: ClassTable = ClassTable()) {
        self.files = files
        self.classTable = classTable
        indexByName = Array(repeating: [:], count: classTable.classes.count)
    }

    /// Every class, its index by name ("circuit" is the source's class) and the names' byte table.
    final class ClassTable {
        let classes: [DSSClass]
        let indexByName: [String: Int]
        /// The class names (then "circuit") looked up on bytes: position → class.
        let nameTable: PropertyTable

        init() {
            classes = DSSClass.all()
            var byName: [String: Int] = [:]
            for (index, dssClass) in classes.enumerated() { byName[dssClass.name] = index }
            byName["circuit"] = byName["vsource"]
            indexByName = byName
            nameTable = PropertyTable(classes.map(\.name) + ["circuit"])
        }
    }

    /// One object: its class (index into `classes`) and its index in that class's store.
    struct ObjectHandle {
        var classIndex: Int
        var objectIndex: Int
    }

    static let commands = ["new", "edit", "more", "m", "~", "redirect", "compile", "set", "clear", "calcvoltagebases",
                           "batchedit", "solve", "buscoords", "show", "plot", "export", "closedi", "visualize",
                           "sample", "reset", "get", "help", "calcv", "open", "close"]

    mutating func finish() throws -> FeederModel {
        guard hasCircuit else { throw FeederError.invalidModel("the scripts define no circuit") }
        try model.resolveLineConstants()
        try validateReferences()
        return model
    }

    mutating func runFile(path: String, at location: ScriptLocation?) throws {
        guard let bytes = try files.contents(atPath: path, at: location), let text = String(bytes: bytes, encoding: .utf8)
                ?? String(bytes: bytes, encoding: .isoLatin1) else {
            throw FeederError.fileNotReadable(path: path, at: location)
        }
        includeDepth += 1
        defer { includeDepth -= 1 }
        guard includeDepth < 32 else { throw FeederError.syntax("Redirect nesting deeper than 32", at: location ?? ScriptLocation(file: path, line: 0)) }
        try runText(text, fileName: path, directory: (path as NSString).deletingLastPathComponent)
    }

    mutating func runText(_ text: String, fileName: String, directory: String) throws {
        var inBlockComment = false
        var lineNumber = 0
        try withUTF8Bytes(of: text) { bytes in
            try forEachScriptLine(bytes) { (rawLine: ScriptLineBytes) in
                lineNumber += 1
                if rawLine.isASCII {
                    // The command's bytes; its String only if a command needs it (see `run`).
                    guard let command = Self.commandBytes(ascii: rawLine.bytes, hasCommentSyntax: rawLine.hasCommentSyntax,
                                                          inBlockComment: &inBlockComment) else { return }
                    let location = ScriptLocation(file: fileName, line: lineNumber)
                    try execute(ScriptLexer.split(bytes: command, at: location), line: String(decoding: command, as: UTF8.self),
                                directory: directory, at: location)
                    return
                }
                guard let command = Self.commandText(String(decoding: rawLine.bytes, as: UTF8.self), inBlockComment: &inBlockComment) else { return }
                try execute(command, directory: directory, at: ScriptLocation(file: fileName, line: lineNumber))
            }
        }
    }

    /// The command on one script line: nil for blank lines, comments and block comments (whose
    /// state `inBlockComment` carries from line to line).
    static func commandText(_ rawLine: String, inBlockComment: inout Bool) -> String? {
        let line = rawLine.trimmedBlanks
        if inBlockComment {
            if line.contains("*/") { inBlockComment = false }
            return nil
        }
        if line.hasPrefix("/*") {
            inBlockComment = !line.contains("*/")
            return nil
        }
        let command = stripComment(line)
        return command.isEmpty ? nil : command
    }

    /// `commandText` of an ASCII line on its bytes (for ASCII text a Character is a byte, so
    /// `contains`, `hasPrefix` and the trimming agree byte for byte); one String, for the command.
    /// `hasCommentSyntax` false: the line holds none of ! " ' ( ) / [ ] { }, so no comment (nor
    /// a block comment's start) and no comment search.
    static func commandText(ascii rawLine: UnsafeBufferPointer<UInt8>, hasCommentSyntax: Bool = true,
                            inBlockComment: inout Bool) -> String? {
        commandBytes(ascii: rawLine, hasCommentSyntax: hasCommentSyntax, inBlockComment: &inBlockComment)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// `commandText(ascii:)`'s command as bytes of `rawLine` (nil for blank lines and comments).
    static func commandBytes(ascii rawLine: UnsafeBufferPointer<UInt8>, hasCommentSyntax: Bool,
                             inBlockComment: inout Bool) -> UnsafeBufferPointer<UInt8>? {
        let line = trimmedBlankBytes(rawLine)
        if inBlockComment {
            if containsBytePair(line, UInt8(ascii: "*"), UInt8(ascii: "/")) { inBlockComment = false }
            return nil
        }
        if line.count >= 2 && line[0] == UInt8(ascii: "/") && line[1] == UInt8(ascii: "*") {
            inBlockComment = !containsBytePair(line, UInt8(ascii: "*"), UInt8(ascii: "/"))
            return nil
        }
        let end = hasCommentSyntax ? commentStart(line) : line.count
        let command = trimmedBlankBytes(UnsafeBufferPointer(rebasing: line[..<end]))
        return command.isEmpty ? nil : command
    }

    /// Removes `!` and `//` comments outside quotes and brackets.
    static func stripComment(_ line: String) -> String {
        withUTF8Bytes(of: line) { bytes in
            let end = commentStart(bytes)
            if end == bytes.count, let first = bytes.first, let last = bytes.last, !isTrimmedBlank(first), !isTrimmedBlank(last) {
                return line  // no comment, nothing to trim: the line itself
            }
            return trimmingBlanks(bytes[..<end])
        }
    }

    /// Where a `!` or `//` comment outside quotes and brackets starts (the byte count if none).
    static func commentStart(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var depth = 0
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            // Bytes that are none of ! " ' ( ) / [ ] { } (almost all) change nothing.
            guard isCommentSyntax(byte) else {
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                // Inside quotes nothing counts until the same quote closes them.
                index += 1
                while index < count && bytes[index] != byte { index += 1 }
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
            case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth = max(0, depth - 1)
            case UInt8(ascii: "!") where depth == 0:
                return index
            case UInt8(ascii: "/") where depth == 0 && index > 0 && bytes[index - 1] == UInt8(ascii: "/"):
                // The byte before is a slash outside quotes: a quote closing there would be a quote byte.
                return index - 1
            default:
                break
            }
            index += 1
        }
        return count
    }

    /// Whether `commentStart` has to look at `byte`: one of ! " ' ( ) / [ ] { } (a bit mask per
    /// half of ASCII: bits 0x21 0x22 0x27 0x28 0x29 0x2F, and 0x5B 0x5D 0x7B 0x7D less 64).
    @inline(__always) static func isCommentSyntax(_ byte: UInt8) -> Bool {
        byte < 64 ? (0x8386_0000_0000 as UInt64) >> UInt64(byte) & 1 != 0
            : byte < 128 && (0x2800_0000_2800_0000 as UInt64) >> UInt64(byte - 64) & 1 != 0
    }

    mutating func execute(_ line: String, directory: String, at location: ScriptLocation) throws {
        try execute(ScriptLexer.split(line, at: location), line: line, directory: directory, at: location)
    }

    /// Executes one command line split into `parameters`; `line` (its text) is only built for a
    /// command that records it.
    mutating func execute(_ split: [ScriptParameter], line: @autoclosure () -> String, directory: String,
                          at location: ScriptLocation) throws {
        var parameters = split
        guard !parameters.isEmpty else { return }
        let first = parameters.removeFirst()
        if first.value.hasPrefix("~") && first.name == nil {
            // "~bus=..." written without a blank after the tilde
            let rest = String(first.value.dropFirst())
            if !rest.isEmpty { parameters.insert(ScriptParameter(name: nil, value: rest), at: 0) }
            try continueActive(parameters, directory: directory, at: location)
            return
        }
        if let name = first.name {
            // Property-assignment command: Class.name.property=value
            try assignProperty(path: name, value: first.value, rest: parameters, directory: directory, at: location)
            return
        }
        let word = first.value.lowercased()
        guard let command = Self.commands.first(where: { $0 == word }) ?? Self.commands.first(where: { $0.hasPrefix(word) && word.count >= 2 }) else {
            throw FeederError.unknownCommand(first.value, at: location)
        }
        try run(command, parameters, line: line(), directory: directory, at: location)
    }

    mutating func run(_ command: String, _ parameters: [ScriptParameter], line: @autoclosure () -> String, directory: String,
                      at location: ScriptLocation) throws {
        switch command {
        case "clear":
            self = ScriptInterpreter(includeDepth: includeDepth, files: files, classTable: classTable)
        case "new":
            try newElement(parameters, directory: directory, at: location)
        case "edit":
            guard let target = parameters.first else { throw FeederError.syntax("Edit needs Class.name", at: location) }
            let handle = try existingObject(target.value, at: location)
            active = handle
            try apply(parameters.dropFirst(), to: handle, directory: directory, at: location)
        case "more", "m", "~":
            try continueActive(parameters, directory: directory, at: location)
        case "redirect", "compile":
            guard let file = parameters.first?.value, !file.isEmpty else {
                throw FeederError.syntax("\(command) needs a file name", at: location)
            }
            try runFile(path: ScriptPaths.resolve(file, relativeTo: directory), at: location)
        case "set":
            try setOptions(parameters, at: location)
        case "calcvoltagebases", "calcv":
            break
        case "batchedit":
            try batchEdit(parameters, directory: directory, at: location)
        case "solve":
            try setOptions(parameters, at: location)
            model.solveCommandCount += 1
        case "open", "close":
            try openOrClose(command, parameters, at: location)
        case "buscoords":
            guard let file = parameters.first?.value else { throw FeederError.syntax("BusCoords needs a file", at: location) }
            try readBusCoordinates(ScriptPaths.resolve(file, relativeTo: directory), at: location)
        default:
            model.ignoredCommands.append("\(location): \(line())")
        }
    }

    init(includeDepth: Int, files: ScriptFiles, classTable: ClassTable) {
        self.init(files: files, classTable: classTable)
        self.includeDepth = includeDepth
    }

    /// `Open`/`Close Line.name`: opening a line's terminal disconnects it.
    mutating func openOrClose(_ command: String, _ parameters: [ScriptParameter], at location: ScriptLocation) throws {
        guard let target = parameters.first?.value else { throw FeederError.syntax("\(command) needs Class.name", at: location) }
        let handle = try existingObject(target, at: location)
        guard classes[handle.classIndex].name == "line" else {
            throw FeederError.syntax("\(command) supports Line elements only ('\(target)')", at: location)
        }
        model.lines[handle.objectIndex].enabled = command == "close"
    }

    mutating func continueActive(_ parameters: [ScriptParameter], directory: String, at location: ScriptLocation) throws {
        guard let handle = active else { throw FeederError.syntax("continuation line without a preceding New/Edit", at: location) }
        try apply(parameters[...], to: handle, directory: directory, at: location)
    }

    /// Splits `Class.name` (class names as OpenDSS writes them, any case) into class index and name.
    func splitObjectName(_ text: String, at location: ScriptLocation) throws -> (classIndex: Int, className: String, name: String) {
        if let known = knownASCIIObjectName(text) { return known }
        let className: String, name: String
        if let ascii = Self.splitASCIIObjectName(text) {
            // ASCII: lower-cased and cut at the first dot's byte (a Character there is a byte).
            guard let asciiClass = ascii.className else { throw FeederError.syntax("expected Class.name, got '\(text)'", at: location) }
            className = asciiClass
            name = ascii.name
        } else {
            guard let dot = text.firstIndex(of: ".") else {
                throw FeederError.syntax("expected Class.name, got '\(text)'", at: location)
            }
            className = text[..<dot].lowercased()
            name = text[text.index(after: dot)...].lowercased()
        }
        guard let classIndex = classIndexByName[className] else {
            if let reason = UnsupportedClass.reason(for: className) {
                throw FeederError.unsupportedClass(className, reason: reason, at: location)
            }
            throw FeederError.unknownClass(String(className), at: location)
        }
        guard !name.isEmpty else { throw FeederError.syntax("empty element name in '\(text)'", at: location) }
        return (classIndex, className, name)
    }

    /// `splitObjectName` of ASCII text naming a known class (any case) and a non-empty object:
    /// the class found on the bytes before the first dot, one String (the lower-cased name). Nil
    /// for anything else (non-ASCII, no dot, unknown class, empty name): the general path answers.
    func knownASCIIObjectName(_ text: String) -> (classIndex: Int, className: String, name: String)? {
        withUTF8Bytes(of: text) { bytes -> (classIndex: Int, className: String, name: String)? in
            var dot = -1
            for (index, byte) in bytes.enumerated() {
                if byte >= 0x80 { return nil }
                if byte == UInt8(ascii: "."), dot < 0 { dot = index }
            }
            guard dot >= 0, dot + 1 < bytes.count,
                  let position = classNameTable.position(ofASCII: UnsafeBufferPointer(rebasing: bytes[..<dot])) else { return nil }
            let name = lowercasedASCII(UnsafeBufferPointer(rebasing: bytes[(dot + 1)...]))
            if position < classes.count { return (position, classes[position].name, name) }
            guard let source = classIndexByName["circuit"] else { return nil }
            return (source, "circuit", name)
        }
    }

    /// ASCII `Class.name` cut at the first dot, both parts lower-cased (class nil: no dot); nil
    /// when `text` is not ASCII.
    static func splitASCIIObjectName(_ text: String) -> (className: String?, name: String)? {
        withUTF8Bytes(of: text) { bytes -> (className: String?, name: String)? in
            var dot: Int?
            for (index, byte) in bytes.enumerated() {
                if byte >= 0x80 { return nil }
                if byte == UInt8(ascii: "."), dot == nil { dot = index }
            }
            guard let dot else { return (nil, "") }
            return (lowercasedASCII(UnsafeBufferPointer(rebasing: bytes[..<dot])),
                    lowercasedASCII(UnsafeBufferPointer(rebasing: bytes[(dot + 1)...])))
        }
    }

    func existingObject(_ text: String, at location: ScriptLocation) throws -> ObjectHandle {
        let (classIndex, _, name) = try splitObjectName(text, at: location)
        guard let index = indexByName[classIndex][name] else { throw FeederError.unknownElement(text, at: location) }
        return ObjectHandle(classIndex: classIndex, objectIndex: index)
    }

    mutating func newElement(_ parameters: [ScriptParameter], directory: String, at location: ScriptLocation) throws {
        guard var target = parameters.first else { throw FeederError.syntax("New needs Class.name", at: location) }
        if let name = target.name {
            guard name.lowercased() == "object" else { throw FeederError.syntax("expected Class.name or object=Class.name", at: location) }
            target = ScriptParameter(name: nil, value: target.value)
        }
        // The class name before the first dot (what `split(separator: ".").first` gave: splitting
        // succeeded, so that part is not empty).
        let (classIndex, classPart, parsedName) = try splitObjectName(target.value, at: location)
        var name = parsedName
        if classPart == "circuit" {
            startCircuit(named: name)
            name = "source"
        } else if !hasCircuit && !classes[classIndex].isGeneral {
            throw FeederError.noActiveCircuit(at: location)
        }
        // OpenDSS treats New of an existing name as an edit of it.
        // One hash of the name: the lookup stores the next index when the name is new.
        let next = classes[classIndex].nextIndex(&model)  // inout: a by-value model would be copied
        let index = Self.value(of: &indexByName[classIndex][name, default: next])
        if index == next { createObject(classIndex, name: name) }
        let handle = ObjectHandle(classIndex: classIndex, objectIndex: index)
        active = handle
        try apply(parameters.dropFirst(), to: handle, directory: directory, at: location)
    }

    /// A new circuit replaces the circuit's elements and options; general objects (codes, shapes,
    /// wire data) defined before it stay, as in OpenDSS. Its source is "source" at "sourcebus".
    mutating func startCircuit(named name: String) {
        var fresh = ScriptInterpreter(includeDepth: includeDepth, files: files, classTable: classTable)
        fresh.defaultBaseFrequency = defaultBaseFrequency
        fresh.model.options.earthModel = model.options.earthModel  // a DSS-wide setting in OpenDSS
        for dssClass in classes where dssClass.isGeneral { dssClass.carryOver(&fresh.model, model) }
        for (index, dssClass) in classes.enumerated() where dssClass.isGeneral {
            for member in dssClass.members(fresh.model) { fresh.indexByName[index][member.name] = member.index }
        }
        self = fresh
        hasCircuit = true
        model.circuitName = name
        model.baseFrequencyHertz = defaultBaseFrequency
    }

    /// Creates object `name` of the class (its index, `nextIndex`, is already in `indexByName`).
    mutating func createObject(_ classIndex: Int, name: String) {
        let context = CreationContext(baseFrequencyHertz: defaultBaseFrequency, earthModel: model.options.earthModel)
        let index = classes[classIndex].create(&model, name, context)
        assert(index == indexByName[classIndex][name], "a class creates its objects at nextIndex")
    }

    /// Reads an inout value (`dictionary[key, default: d]` through its in-place accessor, which
    /// stores `d` for a new key: the lookup and the insertion in one hash).
    @inline(__always) static func value(of slot: inout Int) -> Int { slot }

    /// Applies parameters in order; positional values take the property after the last one used.
    mutating func apply(_ parameters: ArraySlice<ScriptParameter>, to handle: ObjectHandle, directory: String,
                        at location: ScriptLocation) throws {
        let dssClass = classes[handle.classIndex]
        let names = dssClass.propertyNames
        var nextPositional = 0
        for parameter in parameters {
            let property: String
            if let given = parameter.name {
                guard let resolved = dssClass.resolvePropertyPosition(given) else {
                    throw FeederError.unknownProperty(className: dssClass.name, property: given, at: location)
                }
                property = resolved.property
                if let position = resolved.position { nextPositional = position + 1 }
            } else {
                guard nextPositional < names.count else {
                    throw FeederError.syntax("too many positional values for \(dssClass.name)", at: location)
                }
                property = names[nextPositional]
                if let position = names.firstIndex(of: property) { nextPositional = position + 1 }
            }
            if property == "like" {
                try copyLike(handle, from: parameter.value.lowercased(), at: location)
                continue
            }
            let reader = ValueReader(property: property, text: parameter.value, location: location, directory: directory, files: files)
            try dssClass.assign(&model, handle.objectIndex, property, reader)
        }
        dssClass.finishEdit(&model, handle.objectIndex)
    }

    mutating func copyLike(_ handle: ObjectHandle, from other: String, at location: ScriptLocation) throws {
        let dssClass = classes[handle.classIndex]
        guard let source = indexByName[handle.classIndex][other] else {
            throw FeederError.unknownElement("\(dssClass.name).\(other)", at: location)
        }
        dssClass.copy(&model, source, handle.objectIndex)
    }

    /// `Class.name.property=value` (e.g. `Load.s860.vminpu=.85`).
    mutating func assignProperty(path: String, value: String, rest: [ScriptParameter], directory: String,
                                 at location: ScriptLocation) throws {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3 else { throw FeederError.unknownCommand(path, at: location) }
        let handle = try existingObject(parts[0] + "." + parts[1], at: location)
        let property = parts[2...].joined(separator: ".")
        active = handle
        try apply(([ScriptParameter(name: property, value: value)] + rest)[...], to: handle, directory: directory, at: location)
    }

    /// `BatchEdit Class..pattern prop=value ...`: edits every object of the class whose name the
    /// regular expression matches (anywhere in the name, as OpenDSS's RegExp.Exec).
    mutating func batchEdit(_ parameters: [ScriptParameter], directory: String, at location: ScriptLocation) throws {
        guard let target = parameters.first?.value, let dot = target.firstIndex(of: ".") else {
            throw FeederError.syntax("BatchEdit needs Class..pattern", at: location)
        }
        let className = target[..<dot].lowercased()
        let pattern = String(target[target.index(after: dot)...]).lowercased()
        guard let classIndex = classIndexByName[className] else { throw FeederError.unknownClass(className, at: location) }
        let regex: NSRegularExpression
        do {
            regex = try NSRegularExpression(pattern: pattern)
        } catch {
            throw FeederError.syntax("invalid BatchEdit pattern '\(pattern)'", at: location)
        }
        for member in classes[classIndex].members(model) {
            let range = NSRange(location: 0, length: (member.name as NSString).length)
            guard regex.firstMatch(in: member.name, range: range) != nil else { continue }
            try apply(parameters.dropFirst(), to: ObjectHandle(classIndex: classIndex, objectIndex: member.index),
                      directory: directory, at: location)
        }
    }

    mutating func readBusCoordinates(_ path: String, at location: ScriptLocation) throws {
        guard let bytes = try files.contents(atPath: path, at: location), let text = String(bytes: bytes, encoding: .utf8) else {
            throw FeederError.fileNotReadable(path: path, at: location)
        }
        var lineNumber = 0
        try withUTF8Bytes(of: text) { bytes in
            try forEachScriptLine(bytes) { (rawLine: ScriptLineBytes) in
                lineNumber += 1
                let entry = rawLine.isASCII ? Self.coordinateEntry(ascii: rawLine.bytes, hasCommentSyntax: rawLine.hasCommentSyntax)
                    : Self.coordinateEntry(String(decoding: rawLine.bytes, as: UTF8.self))
                switch entry {
                case .blank: break
                case .invalid: throw FeederError.syntax("expected 'bus x y'", at: ScriptLocation(file: path, line: lineNumber))
                case let .coordinates(bus, x, y): model.busCoordinates.append((bus: bus, x: x, y: y))
                }
            }
        }
    }

    /// What one line of a BusCoords file says.
    enum CoordinateEntry: Equatable {
        case blank, invalid
        case coordinates(bus: String, x: Double, y: Double)
    }

    /// One BusCoords line: comment stripped, then `bus x y` (fields after the third ignored).
    static func coordinateEntry(_ rawLine: String) -> CoordinateEntry {
        let line = stripComment(rawLine.trimmedBlanks)
        if line.isEmpty { return .blank }
        let fields = firstCoordinateFields(line)
        guard fields.count >= 3, let x = ValueReader.parseNumber(fields[1]), let y = ValueReader.parseNumber(fields[2]) else {
            return .invalid
        }
        return .coordinates(bus: fields[0].lowercased(), x: x, y: y)
    }

    /// `coordinateEntry` of an ASCII line on its bytes: the fields and numbers without Strings,
    /// one String for the (lower-cased) bus name.
    static func coordinateEntry(ascii rawLine: UnsafeBufferPointer<UInt8>, hasCommentSyntax: Bool = true) -> CoordinateEntry {
        let trimmed = trimmedBlankBytes(rawLine)
        let end = hasCommentSyntax ? commentStart(trimmed) : trimmed.count
        let line = trimmedBlankBytes(UnsafeBufferPointer(rebasing: trimmed[..<end]))
        if line.isEmpty { return .blank }
        var index = 0
        func isSeparator(_ byte: UInt8) -> Bool { byte == UInt8(ascii: ",") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        /// The next field (bytes between separators), nil at the end of the line.
        func nextField() -> UnsafeBufferPointer<UInt8>? {
            while index < line.count, isSeparator(line[index]) { index += 1 }
            let start = index
            while index < line.count, !isSeparator(line[index]) { index += 1 }
            return index > start ? UnsafeBufferPointer(rebasing: line[start..<index]) : nil
        }
        guard let bus = nextField(), let xField = nextField(), let yField = nextField(),
              let x = ValueReader.parseNumber(bytes: xField), let y = ValueReader.parseNumber(bytes: yField) else {
            return .invalid
        }
        return .coordinates(bus: lowercasedASCII(bus), x: x, y: y)
    }

    /// The first three fields of a BusCoords line (what `splitASCII` at commas, blanks and tabs
    /// gives, without building the fields after them).
    static func firstCoordinateFields(_ line: String) -> [String] {
        withUTF8Bytes(of: line) { bytes in
            var fields: [String] = []
            var index = 0
            while index < bytes.count && fields.count < 3 {
                while index < bytes.count, bytes[index] == UInt8(ascii: ",") || bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") {
                    index += 1
                }
                let start = index
                while index < bytes.count, bytes[index] != UInt8(ascii: ","), bytes[index] != UInt8(ascii: " "), bytes[index] != UInt8(ascii: "\t") {
                    index += 1
                }
                if index > start { fields.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)) }
            }
            return fields
        }
    }

    /// Checks references between elements once the scripts are read.
    ///
    /// Records are read by index (a `for record in array` loop copies, i.e. retains and releases,
    /// every record of thousands) and element names are only spelled out for an error.
    func validateReferences() throws {
        // Name sets for the membership tests (thousands of lines name a few hundred codes).
        let lineCodeNames = Set(model.lineCodes.map(\.name))
        for i in model.lines.indices {
            if let code = model.lines[i].lineCode, !lineCodeNames.contains(code) {
                throw FeederError.unresolvedReference(element: "Line.\(model.lines[i].name)", reference: "linecode=\(code)",
                                                      reason: "no such LineCode", at: model.lines[i].scriptLocation)
            }
            if model.lines[i].bus1.name.isEmpty || model.lines[i].bus2.name.isEmpty {
                throw FeederError.unresolvedReference(element: "Line.\(model.lines[i].name)", reference: "bus1/bus2",
                                                      reason: "both buses must be given", at: model.lines[i].scriptLocation)
            }
        }
        for t in model.transformers.indices {
            for (i, w) in model.transformers[t].windings.enumerated() where w.bus.name.isEmpty {
                throw FeederError.unresolvedReference(element: "Transformer.\(model.transformers[t].name)", reference: "winding \(i + 1) bus",
                                                      reason: "not given")
            }
        }
        func checkShape(_ element: @autoclosure () -> String, _ name: String?) throws {
            if let name, model.loadShape(named: name) == nil {
                throw FeederError.unresolvedReference(element: element(), reference: name, reason: "no such LoadShape")
            }
        }
        for i in model.loads.indices {
            try checkShape("Load.\(model.loads[i].name)", model.loads[i].yearly)
            try checkShape("Load.\(model.loads[i].name)", model.loads[i].daily)
            if model.loads[i].bus1.name.isEmpty {
                throw FeederError.unresolvedReference(element: "Load.\(model.loads[i].name)", reference: "bus1", reason: "not given")
            }
        }
        for g in model.generators {
            try checkShape("Generator.\(g.name)", g.yearly); try checkShape("Generator.\(g.name)", g.daily)
        }
        for p in model.pvSystems {
            try checkShape("PVSystem.\(p.name)", p.yearly); try checkShape("PVSystem.\(p.name)", p.daily)
        }
        for s in model.loadShapes where s.numberOfPoints > 0 && s.multipliers.count < s.numberOfPoints {
            throw FeederError.invalidModel("LoadShape.\(s.name): npts=\(s.numberOfPoints) but \(s.multipliers.count) multipliers")
        }
        let capacitorNames = Set(model.capacitors.map(\.name))
        for cc in model.capControls where !capacitorNames.contains(cc.capacitor) {
            throw FeederError.unresolvedReference(element: "CapControl.\(cc.name)", reference: cc.capacitor, reason: "no such Capacitor")
        }
        let transformerNames = Set(model.transformers.map(\.name))
        for rc in model.regControls where !transformerNames.contains(rc.transformer) {
            throw FeederError.unresolvedReference(element: "RegControl.\(rc.name)", reference: rc.transformer, reason: "no such Transformer")
        }
    }
}
