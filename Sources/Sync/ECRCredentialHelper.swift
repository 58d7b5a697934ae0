import AWS
import Foundation
import Logging
import OCI
import Queue

/// `helper: ecr` as the OCI layer sees it: ECR's (or ECR Public's) registry password as Basic
/// credentials, and the repository created before the first push to it.
struct ECRCredentialHelper: CredentialHelper {
    let ecr: ECRHelper
    let logger: Logger

    var name: String { "ecr" }

    func issueCredentials() async throws -> IssuedCredentials {
        let authorization = try await ecr.authorization()
        let renewAt = authorization.renewAt(now: Date())
        logger.debug("\(ecr.client.service.displayName) issued credentials for \(ecr.registry); renewing them at \(renewAt)")
        return IssuedCredentials(username: authorization.username, password: authorization.password, renewAt: renewAt)
    }

    func prepareForPush(repository: String) async throws {
        switch try await ecr.ensureRepository(repository) {
        case .created?:
            logger.notice("created \(ecr.client.service.displayName) repository \(repository) in \(ecr.registry)")
        case .unchecked(let reason)?:
            logger.warning("could not check that \(ecr.client.service.displayName) repository \(repository) exists in \(ecr.registry) (\(reason)); pushing anyway")
        case .existed?, nil:
            break
        }
    }
}

extension AWSServiceError: ClassifiedError {
    public var failureClass: JobFailure.Class { isRetryable ? .retryable : .fatal }
    public var retryAt: Double? { nil }
    public var registryHost: String? { registry }
}

extension ECRHelperError: ClassifiedError {
    public var failureClass: JobFailure.Class { .fatal }
    public var retryAt: Double? { nil }
    public var registryHost: String? {
        switch self {
        case .missingRegion(let registry), .missingCredentials(let registry, _): return registry
        }
    }
    public var status: Int? { nil }
}
