import OCI

/// A bucket as the original docker-sync names it: `r2:<account>:<bucket>` (Cloudflare R2) or
/// `s3:<region>:<bucket>` (AWS S3) — the `url` of its `sync.registries` entry.
public struct BucketAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Provider: String, Sendable, Hashable {
        case r2, s3
    }

    public let provider: Provider
    /// The R2 account id, or the S3 region.
    public let location: String
    public let bucket: String

    public init(provider: Provider, location: String, bucket: String) {
        self.provider = provider; self.location = location; self.bucket = bucket
    }

    /// `r2:<account>:<bucket>` / `s3:<region>:<bucket>`: how registry entries name the bucket.
    public var description: String { "\(provider.rawValue):\(location):\(bucket)" }

    /// The SigV4 signing region: R2 signs with `auto`.
    public var region: String { provider == .r2 ? "auto" : location }

    /// Where the S3 API of the bucket answers unless an endpoint is configured.
    public var defaultEndpoint: String {
        switch provider {
        case .r2: "https://\(location).r2.cloudflarestorage.com"
        case .s3: "https://s3.\(location).amazonaws.com"
        }
    }

    /// True when `text` uses the bucket syntax (`r2:…` or `s3:…`) rather than an image reference.
    public static func isBucket(_ text: String) -> Bool {
        text.hasPrefix("r2:") || text.hasPrefix("s3:")
    }
}

/// A bucket target, `r2:<account>:<bucket>:<image>` or `s3:<region>:<bucket>:<image>`: the image
/// is laid out under `v2/<image>/` so the bucket's public URL serves it as a registry.
public struct BucketImage: Sendable, Hashable, CustomStringConvertible {
    public let address: BucketAddress
    /// The repository path inside the bucket, e.g. `library/ubuntu`.
    public let image: String

    public init(address: BucketAddress, image: String) {
        self.address = address; self.image = image
    }

    public init(parsing text: String) throws {
        let fail = { (reason: String) in BucketNameError(text: text, reason: reason) }
        let fields = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let provider = fields.first.flatMap(BucketAddress.Provider.init(rawValue:)) else {
            throw fail("a bucket target starts with r2: or s3:")
        }
        let shape = provider == .r2 ? "r2:<account>:<bucket>:<image>" : "s3:<region>:<bucket>:<image>"
        guard fields.count == 4 else { throw fail("expected \(shape) (4 fields separated by ':', found \(fields.count))") }
        guard fields[1].isEmpty == false, fields[1].allSatisfy(Self.isLocationCharacter) else {
            throw fail("the \(provider == .r2 ? "account" : "region") in \(shape) must be letters, digits and '-'")
        }
        guard Self.isValidBucket(fields[2]) else {
            throw fail("bucket \"\(fields[2])\" must be 3-63 lowercase letters, digits, '.' and '-'")
        }
        guard Self.isValidImage(fields[3]) else {
            throw fail("image \"\(fields[3])\" must be lowercase path components ([a-z0-9] separated by '.', '_', '__' or '-') joined by '/'")
        }
        self.init(address: BucketAddress(provider: provider, location: fields[1], bucket: fields[2]), image: fields[3])
    }

    /// `r2:<account>:<bucket>:<image>`, as jobs name the target.
    public var description: String { "\(address):\(image)" }

    static func isLocationCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "-")
    }

    static func isValidBucket(_ name: String) -> Bool {
        (3...63).contains(name.count) && name.allSatisfy { c in
            c.isASCII && (c.isLowercase || c.isNumber || c == "." || c == "-")
        }
    }

    /// The distribution spec's repository grammar, checked where image references are parsed, so
    /// the bucket's keys are valid registry paths.
    static func isValidImage(_ image: String) -> Bool {
        (try? ImageReference(registry: "localhost", repository: image))?.repository == image
    }
}

/// Why a string is not a bucket target; names the input and the rule it breaks.
public struct BucketNameError: Error, Sendable, Equatable, CustomStringConvertible {
    public let text: String
    public let reason: String
    public var description: String { "invalid bucket target \"\(text)\": \(reason)" }
}
