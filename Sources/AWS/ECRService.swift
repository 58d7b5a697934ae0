import Foundation

/// Which of the two ECR APIs serves a registry. Both speak JSON 1.1 over SigV4 and have the same
/// DescribeRepositories / CreateRepository shapes; they differ in signing name, target prefix,
/// endpoint, and in GetAuthorizationToken's request (ECR takes `registryIds`, ECR Public nothing) and
/// answer (ECR a list of `authorizationData`, ECR Public one object).
/// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/Welcome.html
/// https://docs.aws.amazon.com/AmazonECRPublic/latest/APIReference/Welcome.html
public enum ECRService: String, Sendable, Equatable {
    /// `<account>.dkr.ecr.<region>.amazonaws.com`, or any other host given `helper: ecr`.
    case `private`
    /// `public.ecr.aws`.
    case `public`

    /// The SigV4 service name, and the IAM action prefix.
    public var signingName: String { self == .public ? "ecr-public" : "ecr" }

    /// The `X-Amz-Target` prefix before `.<Action>`.
    var targetPrefix: String { self == .public ? "SpencerFrontendService" : "AmazonEC2ContainerRegistry_V20150921" }

    /// Names the service in messages and errors.
    public var displayName: String { self == .public ? "ECR Public" : "ECR" }

    /// The SDKs' service-specific endpoint override, tried before `AWS_ENDPOINT_URL`.
    /// https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
    var endpointVariable: String { self == .public ? "AWS_ENDPOINT_URL_ECR_PUBLIC" : "AWS_ENDPOINT_URL_ECR" }

    /// The `authorizationToken` and `expiresAt` (epoch seconds) of a GetAuthorizationToken answer.
    /// https://docs.aws.amazon.com/AmazonECRPublic/latest/APIReference/API_GetAuthorizationToken.html
    func authorizationData(from body: [UInt8]) -> (token: String, expiresAt: Double?)? {
        struct Data: Decodable {
            let authorizationToken: String?
            let expiresAt: Double?
        }
        struct PrivateAnswer: Decodable { let authorizationData: [Data] }
        struct PublicAnswer: Decodable { let authorizationData: Data }
        let decoder = JSONDecoder()
        let data: Data?
        switch self {
        case .private: data = (try? decoder.decode(PrivateAnswer.self, from: Foundation.Data(body)))?.authorizationData.first
        case .public: data = (try? decoder.decode(PublicAnswer.self, from: Foundation.Data(body)))?.authorizationData
        }
        guard let data, let token = data.authorizationToken else { return nil }
        return (token, data.expiresAt)
    }
}
