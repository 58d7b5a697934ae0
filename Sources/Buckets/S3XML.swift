import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The few values docker-sync reads from S3's XML answers (error `Code`/`Message`, listed `Key`s,
/// `UploadId`, `NextContinuationToken`): the text of elements by name, in document order.
enum S3XML {
    /// The text of every element named in `names`, in document order; each element named in
    /// `boundaries` adds an entry with empty text where it starts, so callers can group what it holds.
    static func values(of names: Set<String>, boundaries: Set<String> = [], in body: [UInt8]) -> [(name: String, text: String)] {
        guard !body.isEmpty else { return [] }
        let collector = Collector(names: names, boundaries: boundaries)
        let parser = XMLParser(data: Data(body))
        parser.delegate = collector
        _ = parser.parse()
        return collector.found
    }

    /// The first text of each element named in `names`.
    static func firstValues(of names: Set<String>, in body: [UInt8]) -> [String: String] {
        var result: [String: String] = [:]
        for (name, text) in values(of: names, in: body) where result[name] == nil { result[name] = text }
        return result
    }

    /// Whether the document's root element is `<Error>`.
    static func isError(_ body: [UInt8]) -> Bool {
        let head = String(decoding: body.prefix(512), as: UTF8.self)
        return head.contains("<Error>")
    }

    private final class Collector: NSObject, XMLParserDelegate {
        let names: Set<String>
        let boundaries: Set<String>
        var found: [(name: String, text: String)] = []
        private var current: String?
        private var text = ""

        init(names: Set<String>, boundaries: Set<String>) { self.names = names; self.boundaries = boundaries }

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            if boundaries.contains(elementName) { found.append((elementName, "")) }
            if names.contains(elementName) { current = elementName; text = "" }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if current != nil { text += string }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            if elementName == current { found.append((elementName, text)); current = nil }
        }
    }
}
