import Foundation
import HTTP

extension RegistryClient {
    /// Every tag of `repository`, following `Link: <…>; rel="next"` pages
    /// (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags).
    /// The registry's order is kept (distribution's is unsorted); duplicates across pages are dropped.
    public func listTags(repository: String) async throws -> [String] {
        struct Page: Decodable { let tags: [String]? }
        var next: String? = url("/v2/\(repository)/tags/list?n=\(options.tagPageSize)")
        var visited = Set<String>()
        var tags: [String] = []
        var seenTags = Set<String>()
        while let page = next, visited.insert(page).inserted {
            let response = try await retrying("GET \(repository) tags") {
                let response = try await send("GET", page, scopes: readScopes(repository), maxBodyBytes: 64 << 20)
                try check(response, "GET", page)
                return response
            }
            guard let decoded = try? JSONDecoder().decode(Page.self, from: Data(response.body)) else {
                throw RegistryError(registry: registry, method: "GET", path: displayPath(page), status: response.status,
                                    reason: "the tag list is not JSON of the form {\"tags\": [...]}", classification: .fatal)
            }
            for tag in decoded.tags ?? [] where seenTags.insert(tag).inserted { tags.append(tag) }
            next = Self.nextLink(response.headers).map { Self.resolve($0, against: page) }
        }
        return tags
    }

    /// The target of the `rel="next"` link among `Link` fields (RFC 8288).
    static func nextLink(_ headers: HTTPHeaders) -> String? {
        for field in headers.values(for: "Link") {
            for link in field.split(separator: ",") {
                let parts = link.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                guard let target = parts.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
                let isNext = parts.dropFirst().contains { param in
                    let pair = param.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    return pair.count == 2 && pair[0].lowercased() == "rel"
                        && pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")).split(separator: " ").contains("next")
                }
                if isNext { return String(target.dropFirst().dropLast()) }
            }
        }
        return nil
    }

    /// `reference` (absolute, absolute-path or relative) resolved against `base`, a full URL.
    static func resolve(_ reference: String, against base: String) -> String {
        if reference.hasPrefix("http://") || reference.hasPrefix("https://") { return reference }
        guard let schemeEnd = base.range(of: "://") else { return reference }
        let authorityEnd = base[schemeEnd.upperBound...].firstIndex(of: "/") ?? base.endIndex
        let origin = String(base[..<authorityEnd])
        if reference.hasPrefix("//") { return String(base[..<schemeEnd.lowerBound]) + ":" + reference }
        if reference.hasPrefix("/") { return origin + reference }
        let path = RegistryError.stripQuery(String(base[authorityEnd...]))
        let directory = path.lastIndex(of: "/").map { String(path[...$0]) } ?? "/"
        return origin + directory + reference
    }
}
