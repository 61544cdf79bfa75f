// Owns reading OpenDSS's CIM100 export (RDF/XML) with libxml2's streaming reader: each top-level
// `cim:Class rdf:about=…` element becomes a `CIMObject` with its properties. DOCTYPEs are refused
// (no entity expansion, no network), and every error carries the line and column.
import CLibXML2
import Foundation

/// A property value: literal text, or a reference to another object (`rdf:resource`).
public enum CIMValue: Sendable, Equatable {
    case text(String)
    case reference(String)

    public var text: String? { if case .text(let t) = self { return t } else { return nil } }
    public var reference: String? { if case .reference(let r) = self { return r } else { return nil } }
}

/// One CIM object: its class (without the `cim:` prefix), its id (`rdf:about`/`rdf:ID`, with any
/// `urn:uuid:` or `#` prefix removed) and its properties in document order.
public struct CIMObject: Sendable, Equatable {
    public var className: String
    public var id: String
    public var properties: [(name: String, value: CIMValue)]
    /// Line of the object's start tag.
    public var line: Int

    public static func == (a: CIMObject, b: CIMObject) -> Bool {
        a.className == b.className && a.id == b.id && a.line == b.line
            && a.properties.map(\.name) == b.properties.map(\.name) && a.properties.map(\.value) == b.properties.map(\.value)
    }

    /// The first value of a property given by its local name (e.g. "Conductor.length").
    public func value(_ name: String) -> CIMValue? { properties.first { $0.name == name }?.value }

    /// A numeric property, if present and numeric.
    public func number(_ name: String) -> Double? { value(name)?.text.flatMap { Double($0) } }

    public var name: String? { value("IdentifiedObject.name")?.text }
}

/// A malformed or refused XML document, with its position.
public struct XMLInputError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// Streams a CIM RDF/XML document into objects.
public enum CIMReader {
    /// Reads `path`. Memory holds the objects, never the DOM.
    public static func read(path: String) throws(XMLInputError) -> [CIMObject] {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw XMLInputError(file: path, line: 0, column: 0, message: "cannot read the file")
        }
        guard let reader = xmlReaderForFile(path, nil, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue)) else {
            throw XMLInputError(file: path, line: 0, column: 0, message: "libxml2 could not open the file")
        }
        return try parse(reader, file: path) {
            FileHandle(forReadingAtPath: path).flatMap { try? $0.read(upToCount: 65536) }.map { [UInt8]($0) } ?? []
        }
    }

    /// Reads a document held in memory; `file` names it in errors.
    public static func read(text: String, file: String) throws(XMLInputError) -> [CIMObject] {
        let bytes = Array(text.utf8)
        let made = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    xmlReaderForMemory($0, Int32(buffer.count), file, nil, Int32(XML_PARSE_NONET.rawValue))
                }
            } ?? nil
        }
        guard let reader = made else { throw XMLInputError(file: file, line: 1, column: 1, message: "empty document") }
        return try bytes.withUnsafeBufferPointer { _ throws(XMLInputError) in
            try parse(reader, file: file) { Array(bytes.prefix(65536)) }
        }
    }

    /// `prolog` gives the document's first bytes, to place a refused DOCTYPE exactly (libxml2 has
    /// no line for that node).
    private static func parse(_ reader: xmlTextReaderPtr, file: String, prolog: () -> [UInt8]) throws(XMLInputError) -> [CIMObject] {
        defer { xmlFreeTextReader(reader) }
        let errors = ErrorSink()
        let context = Unmanaged.passUnretained(errors).toOpaque()
        xmlTextReaderSetStructuredErrorHandler(reader, { context, error in
            guard let context, let error else { return }
            let sink = Unmanaged<ErrorSink>.fromOpaque(context).takeUnretainedValue()
            if sink.first == nil {
                let message = error.pointee.message.map { String(cString: $0) } ?? "malformed XML"
                sink.first = (Int(error.pointee.line), Int(error.pointee.int2),
                              message.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }, context)
        var state = ParseState()
        while true {
            let status = xmlTextReaderRead(reader)
            if let first = errors.first {
                throw XMLInputError(file: file, line: first.line, column: first.column, message: first.message)
            }
            if status == 0 { break }
            guard status == 1 else {
                throw XMLInputError(file: file, line: Int(xmlTextReaderGetParserLineNumber(reader)),
                                    column: Int(xmlTextReaderGetParserColumnNumber(reader)), message: "malformed XML")
            }
            if xmlTextReaderNodeType(reader) == Int32(XML_READER_TYPE_DOCUMENT_TYPE.rawValue) {
                let (line, column) = position(of: Array("<!DOCTYPE".utf8), in: prolog())
                throw XMLInputError(file: file, line: line, column: column,
                                    message: "DOCTYPE declarations are refused (entity expansion is a security risk)")
            }
            try state.handle(reader, file: file)
        }
        return state.objects
    }
}

/// 1-based line and column of the first occurrence of `needle` (or 1, 1).
private func position(of needle: [UInt8], in bytes: [UInt8]) -> (Int, Int) {
    guard needle.count <= bytes.count else { return (1, 1) }
    var line = 1, column = 1
    for start in 0...(bytes.count - needle.count) {
        if bytes[start..<start + needle.count].elementsEqual(needle) { return (line, column) }
        if bytes[start] == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
    }
    return (1, 1)
}

private final class ErrorSink {
    var first: (line: Int, column: Int, message: String)?
}

/// Element depth: 0 = rdf:RDF, 1 = an object, 2 = a property.
private struct ParseState {
    var objects: [CIMObject] = []
    private var current: CIMObject?
    private var propertyName: String?
    private var propertyText = ""

    mutating func handle(_ reader: xmlTextReaderPtr, file: String) throws(XMLInputError) {
        let depth = xmlTextReaderDepth(reader)
        switch Int(xmlTextReaderNodeType(reader)) {
        case Int(XML_READER_TYPE_ELEMENT.rawValue):
            let name = localName(reader)
            if depth == 1 {
                let id = attribute(reader, "rdf:about") ?? attribute(reader, "rdf:ID") ?? ""
                current = CIMObject(className: name, id: Self.normalizedID(id), properties: [],
                                    line: nodeLine(reader))
            } else if depth == 2 {
                if let resource = attribute(reader, "rdf:resource") {
                    let reference = CIMValue.reference(Self.normalizedID(resource))
                    current?.properties.append((name, reference))
                    propertyName = nil
                } else {
                    propertyName = name
                    propertyText = ""
                    if xmlTextReaderIsEmptyElement(reader) == 1 {
                        current?.properties.append((name, .text("")))
                        propertyName = nil
                    }
                }
            }
        case Int(XML_READER_TYPE_TEXT.rawValue), Int(XML_READER_TYPE_CDATA.rawValue):
            if propertyName != nil, let value = xmlTextReaderConstValue(reader) {
                propertyText += String(cString: value)
            }
        case Int(XML_READER_TYPE_END_ELEMENT.rawValue):
            if depth == 2, let name = propertyName {
                current?.properties.append((name, .text(propertyText)))
                propertyName = nil
            } else if depth == 1, let object = current {
                objects.append(object)
                current = nil
            }
        default:
            break
        }
    }

    /// The line where the current node starts (the parser's own line may be further ahead).
    private func nodeLine(_ reader: xmlTextReaderPtr) -> Int {
        Int(xmlGetLineNo(xmlTextReaderCurrentNode(reader)))
    }

    private func localName(_ reader: xmlTextReaderPtr) -> String {
        guard let name = xmlTextReaderConstLocalName(reader) else { return "" }
        return String(cString: name)
    }

    private func attribute(_ reader: xmlTextReaderPtr, _ name: String) -> String? {
        guard let value = xmlTextReaderGetAttribute(reader, name) else { return nil }
        defer { gridtrace_xml_free(value) }
        return String(cString: value)
    }

    private static func normalizedID(_ raw: String) -> String {
        if raw.hasPrefix("urn:uuid:") { return String(raw.dropFirst(9)) }
        if raw.hasPrefix("#") { return String(raw.dropFirst()) }
        return raw
    }
}
