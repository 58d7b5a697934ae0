/// The shared credentials file (`~/.aws/credentials`): INI sections named after profiles, each with
/// `aws_access_key_id`, `aws_secret_access_key` and optionally `aws_session_token`.
/// https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html
/// A `#` or `;` starts a comment: a whole line, anything after a section's `]`, and (after a space
/// or tab) the rest of a value — as the SDKs read it; AWS keys and secrets hold neither character.
public struct SharedCredentialsFile: Sendable {
    /// Keys by section name, as written in the file (the credentials file has no `profile ` prefix).
    public let sections: [String: [String: String]]

    public init(parsing text: String) {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingSpaces
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                // `[prod] # production`: read as `[prod]`, so its keys never land in the section above.
                let header = line.prefix { $0 != "#" && $0 != ";" }.trimmingSpaces
                guard header.hasSuffix("]") else { current = nil; continue }
                let name = String(header.dropFirst().dropLast()).trimmingSpaces
                current = name
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]).trimmingSpaces.lowercased()
            let value = Self.uncommented(line[line.index(after: equals)...]).trimmingSpaces
            sections[section]?[key] = value
        }
        self.sections = sections
    }

    /// A value without its trailing comment: `#` or `;` after a space or tab.
    private static func uncommented(_ value: Substring) -> Substring {
        var previous: Character = "="
        for index in value.indices {
            let character = value[index]
            if (character == "#" || character == ";") && (previous == " " || previous == "\t") { return value[..<index] }
            previous = character
        }
        return value
    }

    /// The profile's keys, when it has both an access key id and a secret.
    public func credentials(profile: String) -> AWSCredentials? {
        guard let keys = sections[profile],
              let id = keys["aws_access_key_id"], !id.isEmpty,
              let secret = keys["aws_secret_access_key"], !secret.isEmpty else { return nil }
        let token = keys["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token)
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
