import Foundation
import HTTP

/// An AWS API call that failed: which service and action, for which registry, where, and how
/// (status and AWS error code, or the transport failure). Never carries request headers or bodies.
/// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/CommonErrors.html
public struct AWSServiceError: Error, Sendable, CustomStringConvertible {
    public let service: String
    public let action: String
    /// The registry the call was for, when there is one.
    public var registry: String?
    public let endpoint: String
    /// nil when no response arrived.
    public let status: Int?
    /// `RepositoryNotFoundException`, `AccessDeniedException`, …
    public let code: String?
    public let message: String
    public let isRetryable: Bool

    public init(service: String, action: String, registry: String? = nil, endpoint: String, status: Int?,
                code: String?, message: String, isRetryable: Bool) {
        self.service = service; self.action = action; self.registry = registry; self.endpoint = endpoint
        self.status = status; self.code = code; self.message = message; self.isRetryable = isRetryable
    }

    /// From an error response: the code is in the JSON `__type` (maybe `namespace#Code`) or the
    /// `x-amzn-ErrorType` header (maybe `Code:uri`).
    init(service: String, action: String, endpoint: String, response: HTTPResponse) {
        struct Body: Decodable {
            let __type: String?
            let message: String?
            let Message: String?
        }
        let body = try? JSONDecoder().decode(Body.self, from: Data(response.body))
        let text = String(decoding: response.body, as: UTF8.self)
        // Query-protocol and signature errors come as XML `<Error><Code>…</Code><Message>…`.
        let rawCode = body?.__type ?? response.headers["x-amzn-ErrorType"] ?? Self.element("Code", in: text)
        let code = rawCode.map { String($0.split(separator: "#").last ?? "").split(separator: ":").first.map(String.init) ?? "" }
        let message = Self.withoutSignedRequest(body?.message ?? body?.Message ?? Self.element("Message", in: text)
            ?? String(text.prefix(200)))
        let retryable = response.status >= 500 || response.status == 429 || Self.throttlingCodes.contains(code ?? "")
        self.init(service: service, action: action, endpoint: endpoint, status: response.status, code: code,
                  message: message, isRetryable: retryable)
    }

    init(service: String, action: String, endpoint: String, transport: HTTPError) {
        self.init(service: service, action: action, endpoint: endpoint, status: nil, code: nil,
                  message: transport.description, isRetryable: transport.isRetryable)
    }

    /// A signature mismatch's message goes on with the canonical request and string to sign AWS
    /// expected; those hold the signed headers, `x-amz-security-token` among them: cut them off.
    static func withoutSignedRequest(_ message: String) -> String {
        let cut = ["The Canonical String", "The String-to-Sign"].compactMap { message.range(of: $0)?.lowerBound }.min()
        guard let cut else { return message }
        return String(message[..<cut]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func element(_ name: String, in xml: String) -> String? {
        guard let start = xml.range(of: "<\(name)>"),
              let end = xml.range(of: "</\(name)>", range: start.upperBound..<xml.endIndex) else { return nil }
        return String(xml[start.upperBound..<end.lowerBound])
    }

    static let throttlingCodes: Set<String> = [
        "ThrottlingException", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded",
        "RequestThrottled", "RequestThrottledException", "ServiceUnavailable", "ServiceUnavailableException",
    ]

    public var description: String {
        var text = "\(service) \(action)"
        if let registry { text += " for registry \(registry)" }
        text += " (\(endpoint)): "
        if let status { text += "\(status) " }
        if let code, !code.isEmpty { text += "\(code): " }
        text += message
        if let hint { text += " (\(hint))" }
        return text
    }

    private var hint: String? {
        switch code {
        case "UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch", "ExpiredTokenException",
             "InvalidClientTokenId":
            return "check the AWS credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, the shared credentials file, or the registry's username / password)"
        case "AccessDeniedException" where service == ECRService.public.displayName && action == "GetAuthorizationToken":
            // The ECR Public API reference requires both permissions for this call.
            return "the AWS credentials lack permission for ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken"
        case "AccessDeniedException":
            let prefix = service == ECRService.public.displayName ? ECRService.public.signingName : ECRService.private.signingName
            return "the AWS credentials lack permission for \(prefix):\(action)"
        default:
            return nil
        }
    }
}
