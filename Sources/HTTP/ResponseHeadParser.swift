/// Builds response heads from the header lines libcurl hands over one by one: a status line,
/// fields, then an empty line. Informational (1xx) heads are dropped; the first final head is
/// kept, and trailer fields after it are ignored.
struct ResponseHeadParser {
    private var status = 0
    private var version = ""
    private var fields: [(String, String)] = []
    private(set) var finalHead: HTTPResponseHead?

    /// Feeds one line (with or without its CRLF). Returns the final head when this line completed it.
    mutating func consume(_ rawLine: Substring, url: String) -> HTTPResponseHead? {
        guard finalHead == nil else { return nil }
        let line = rawLine.trimmingSuffix(while: \.isNewline)  // "\r\n" is one Character
        if line.hasPrefix("HTTP/") {
            startResponse(statusLine: line)
        } else if line.isEmpty {
            return endOfHead(url: url)
        } else if line.first == " " || line.first == "\t" {
            // obs-fold (RFC 9112 §5.2): a continuation of the previous field's value.
            if let last = fields.popLast() {
                fields.append((last.0, last.1 + " " + line.trimmingSpaces()))
            }
        } else if let colon = line.firstIndex(of: ":") {
            fields.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingSpaces()))
        }
        return nil
    }

    private mutating func startResponse(statusLine: Substring) {
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        version = parts.first.map(String.init) ?? ""
        status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        fields = []
    }

    private mutating func endOfHead(url: String) -> HTTPResponseHead? {
        guard status >= 200 || status == 101 || status == 0 else {
            fields = []
            return nil
        }
        finalHead = HTTPResponseHead(status: status, headers: HTTPHeaders(fields), url: url, httpVersion: version)
        return finalHead
    }
}

extension Substring {
    func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[startIndex..<end]
    }

    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...].trimmingSuffix(while: isSpace))
    }
}
