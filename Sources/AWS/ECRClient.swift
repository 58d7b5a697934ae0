import Crypto
import Foundation
import HTTP

/// The few ECR calls docker-sync makes (JSON 1.1 over SigV4) to private ECR (service `ecr`) or ECR
/// Public (`ecr-public`), through the HTTP module: a registry password, and checking / creating a
/// repository. `ECRService` holds what differs between the two.
/// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/Welcome.html
/// https://docs.aws.amazon.com/AmazonECRPublic/latest/APIReference/Welcome.html
public struct ECRClient: Sendable {
    /// `https://api.ecr.<region>.amazonaws.com`, `https://api.ecr-public.us-east-1.amazonaws.com`,
    /// or an override (a VPC endpoint, moto).
    public let endpoint: String
    public let region: String
    public let service: ECRService
    let http: HTTPClient
    /// Asked before every call, so rotated keys are picked up.
    let credentials: @Sendable () throws -> AWSCredentials

    public init(http: HTTPClient, endpoint: String, region: String, service: ECRService = .private,
                credentials: @escaping @Sendable () throws -> AWSCredentials) {
        self.http = http
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.region = region
        self.service = service
        self.credentials = credentials
    }

    /// For ECR, the password of `registryID` (nil: the caller's account); ECR Public takes no
    /// parameters, its one registry serves every account.
    /// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html
    /// https://docs.aws.amazon.com/AmazonECRPublic/latest/APIReference/API_GetAuthorizationToken.html
    public func getAuthorizationToken(registryID: String?) async throws -> ECRAuthorization {
        let body = try await call(Self.getAuthorizationToken, authorizationTokenRequest(registryID: registryID))
        return try decodeAuthorization(body)
    }

    static let getAuthorizationToken = "GetAuthorizationToken"

    /// `{"registryIds": [...]}` (or `{}`) for ECR, always `{}` for ECR Public.
    func authorizationTokenRequest(registryID: String?) -> some Encodable & Sendable {
        struct Request: Encodable, Sendable { let registryIds: [String]? }
        return Request(registryIds: service == .private ? registryID.map { [$0] } : nil)
    }

    /// The GetAuthorizationToken answer of this client's service as a user name and password.
    func decodeAuthorization(_ body: [UInt8]) throws -> ECRAuthorization {
        guard let data = service.authorizationData(from: body) else {
            throw badResponse(Self.getAuthorizationToken, "no authorizationData")
        }
        do {
            return try ECRAuthorization(authorizationToken: data.token,
                                        expiresAt: data.expiresAt.map { Date(timeIntervalSince1970: $0) })
        } catch {
            throw badResponse(Self.getAuthorizationToken, "\(error)")
        }
    }

    /// Whether the repository exists (DescribeRepositories; RepositoryNotFoundException means no).
    public func repositoryExists(_ name: String, registryID: String?) async throws -> Bool {
        struct Request: Encodable {
            let repositoryNames: [String]
            let registryId: String?
        }
        do {
            _ = try await call("DescribeRepositories", Request(repositoryNames: [name], registryId: registryID))
            return true
        } catch let error as AWSServiceError where error.code == "RepositoryNotFoundException" {
            return false
        }
    }

    /// Creates the repository; false when it already existed (someone else made it meanwhile).
    @discardableResult
    public func createRepository(_ name: String, registryID: String?) async throws -> Bool {
        struct Request: Encodable {
            let repositoryName: String
            let registryId: String?
        }
        do {
            _ = try await call("CreateRepository", Request(repositoryName: name, registryId: registryID))
            return true
        } catch let error as AWSServiceError where error.code == "RepositoryAlreadyExistsException" {
            return false
        }
    }

    /// POSTs one action and returns the 200 body; any other status is an `AWSServiceError`.
    func call<Body: Encodable>(_ action: String, _ body: Body) async throws -> [UInt8] {
        let request = try signedRequest(action, body)
        let response: HTTPResponse
        do {
            response = try await http.send(request, maxBodyBytes: 1 << 20)
        } catch let error as HTTPError {
            throw AWSServiceError(service: service.displayName, action: action, endpoint: request.url, transport: error)
        }
        guard response.status == 200 else {
            throw AWSServiceError(service: service.displayName, action: action, endpoint: request.url, response: response)
        }
        return response.body
    }

    /// The request `call` sends: POST `/`, the action in `X-Amz-Target`, signed for this service.
    func signedRequest<Body: Encodable>(_ action: String, _ body: Body, date: Date = Date()) throws -> HTTPRequest {
        let payload = Array(try JSONEncoder().encode(body))
        var request = HTTPRequest(method: "POST", url: endpoint + "/", headers: [
            "X-Amz-Target": "\(service.targetPrefix).\(action)",
            "Content-Type": "application/x-amz-json-1.1",
            "Accept": "application/json",
        ], body: .bytes(payload))
        let signer = SigV4Signer(credentials: try credentials(), region: region, service: service.signingName)
        try signer.sign(&request, payloadHash: SigV4Signer.hex(SHA256.hash(data: payload)), date: date)
        return request
    }

    private func badResponse(_ action: String, _ what: String) -> AWSServiceError {
        AWSServiceError(service: service.displayName, action: action, endpoint: endpoint + "/", status: 200, code: nil,
                        message: "unexpected answer: \(what)", isRetryable: false)
    }
}
