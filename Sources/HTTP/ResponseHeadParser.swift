/// Builds response heads from the header lines libcurl hands over one by one: a status line,
/// fields, then an empty line. Informational (1xx) heads are dropped; the first final head is
/// kept, and trailer fields after it are ignored.
///
/// Works on the line's bytes: every response passes through here, and Character-level String
/// work (grapheme breaking) cost about 5% of a many-tags sync's CPU.
struct ResponseHeadParser {
    private var status = 0
    private var version = ""
    private var fields: [(String, String)] = []
    private(set) var finalHead: HTTPResponseHead?

    /// Feeds one line (with or without its CRLF). Returns the final head when this line completed it.
    mutating func consume(_ rawLine: UnsafeRawBufferPointer, url: String) -> HTTPResponseHead? {
        guard finalHead == nil else { return nil }
        let line = rawLine[...].trimmed(dropping: Self.isLineEnd)
        if line.starts(with: Self.httpSlash) {
            startResponse(statusLine: line)
        } else if line.isEmpty {
            return endOfHead(url: url)
        } else if Self.isSpace(line[line.startIndex]) {
            // obs-fold (RFC 9112 §5.2): a continuation of the previous field's value.
            if let last = fields.popLast() {
                fields.append((last.0, last.1 + " " + String(line.trimmed(dropping: Self.isSpace))))
            }
        } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            fields.append((String(line[line.startIndex..<colon]), String(line[(colon + 1)...].trimmed(dropping: Self.isSpace))))
        }
        return nil
    }

    /// Feeds one line of text; see `consume(_:url:)`.
    mutating func consume(_ line: String, url: String) -> HTTPResponseHead? {
        var line = line
        return line.withUTF8 { consume(UnsafeRawBufferPointer($0), url: url) }
    }

    private mutating func startResponse(statusLine: Slice<UnsafeRawBufferPointer>) {
        let parts = statusLine.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: true)
        version = parts.first.map { String($0) } ?? ""
        status = parts.count > 1 ? Int(String(parts[1])) ?? 0 : 0
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

    private static let httpSlash = Array("HTTP/".utf8)
    private static func isLineEnd(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") }
    private static func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
}

extension Slice where Base == UnsafeRawBufferPointer {
    /// The bytes without the leading and trailing bytes `drop` matches.
    fileprivate func trimmed(dropping drop: (UInt8) -> Bool) -> Slice {
        var start = startIndex, end = endIndex
        while start < end, drop(self[start]) { start += 1 }
        while end > start, drop(self[end - 1]) { end -= 1 }
        return self[start..<end]
    }
}

extension String {
    fileprivate init(_ bytes: Slice<UnsafeRawBufferPointer>) {
        self.init(decoding: UnsafeRawBufferPointer(rebasing: bytes), as: UTF8.self)
    }
}
