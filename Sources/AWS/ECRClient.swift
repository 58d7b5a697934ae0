import Crypto
import Foundation
import HTTP

/// The few ECR API calls docker-sync makes (JSON 1.1 over SigV4, service `ecr`), through the HTTP
/// module: a registry password, and checking / creating a repository.
/// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/Welcome.html
public struct ECRClient: Sendable {
    /// `https://api.ecr.<region>.amazonaws.com`, or an override (a VPC endpoint, moto).
    public let endpoint: String
    public let region: String
    let http: HTTPClient
    /// Asked before every call, so rotated keys are picked up.
    let credentials: @Sendable () throws -> AWSCredentials

    public init(http: HTTPClient, endpoint: String, region: String,
                credentials: @escaping @Sendable () throws -> AWSCredentials) {
        self.http = http
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.region = region
        self.credentials = credentials
    }

    /// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html
    public func getAuthorizationToken(registryID: String?) async throws -> ECRAuthorization {
        struct Request: Encodable { let registryIds: [String]? }
        struct Response: Decodable {
            struct Data: Decodable {
                let authorizationToken: String
                let expiresAt: Double?
            }
            let authorizationData: [Data]
        }
        let action = "GetAuthorizationToken"
        let body = try await call(action, Request(registryIds: registryID.map { [$0] }))
        guard let response = try? JSONDecoder().decode(Response.self, from: Data(body)),
              let first = response.authorizationData.first else {
            throw badResponse(action, "no authorizationData")
        }
        do {
            return try ECRAuthorization(authorizationToken: first.authorizationToken,
                                        expiresAt: first.expiresAt.map { Date(timeIntervalSince1970: $0) })
        } catch {
            throw badResponse(action, "\(error)")
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
        let url = endpoint + "/"
        let payload = Array(try JSONEncoder().encode(body))
        var request = HTTPRequest(method: "POST", url: url, headers: [
            "X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921.\(action)",
            "Content-Type": "application/x-amz-json-1.1",
            "Accept": "application/json",
        ], body: .bytes(payload))
        let signer = SigV4Signer(credentials: try credentials(), region: region, service: "ecr")
        try signer.sign(&request, payloadHash: SigV4Signer.hex(SHA256.hash(data: payload)))
        let response: HTTPResponse
        do {
            response = try await http.send(request, maxBodyBytes: 1 << 20)
        } catch let error as HTTPError {
            throw AWSServiceError(service: "ECR", action: action, endpoint: url, transport: error)
        }
        guard response.status == 200 else {
            throw AWSServiceError(service: "ECR", action: action, endpoint: url, response: response)
        }
        return response.body
    }

    private func badResponse(_ action: String, _ what: String) -> AWSServiceError {
        AWSServiceError(service: "ECR", action: action, endpoint: endpoint + "/", status: 200, code: nil,
                        message: "unexpected answer: \(what)", isRetryable: false)
    }
}
