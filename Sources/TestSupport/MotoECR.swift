import Foundation

/// moto's ECR API, asked directly by tests: what password it issues, which repositories it has.
/// moto checks no signature here, but routes a request by its credential scope's service, so each
/// request carries an unsigned `Authorization` naming `ecr`.
extension MotoServer {
    /// The registry password moto issues to the caller's account (`AWS:<password>` decoded).
    public func issuedECRPassword() throws -> String {
        let answer = try ecr("GetAuthorizationToken", "{}")
        guard answer.status == 200,
              let data = (answer.json["authorizationData"] as? [[String: Any]])?.first,
              let token = data["authorizationToken"] as? String,
              let decoded = Data(base64Encoded: token).map({ String(decoding: $0, as: UTF8.self) }),
              decoded.hasPrefix("AWS:") else {
            throw ServiceError("moto answered GetAuthorizationToken with \(answer.status) \(answer.json)")
        }
        return String(decoded.dropFirst(4))
    }

    /// Whether moto has the ECR repository `name` in `region` (the server's own by default).
    public func hasECRRepository(_ name: String, region: String? = nil) throws -> Bool {
        let answer = try ecr("DescribeRepositories", "{\"repositoryNames\": [\"\(name)\"]}", region: region)
        switch answer.status {
        case 200: return true
        case 400 where answer.json["__type"] as? String == "RepositoryNotFoundException": return false
        default: throw ServiceError("moto answered DescribeRepositories with \(answer.status) \(answer.json)")
        }
    }

    private func ecr(_ action: String, _ body: String, region: String? = nil) throws -> (status: Int, json: [String: Any]) {
        let scope = "AKIDTEST/20260101/\(region ?? self.region)/ecr/aws4_request"
        let response = try LoopbackHTTP.request("POST", port: port, path: "/", body: Data(body.utf8), headers: [
            "X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921.\(action)",
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": "AWS4-HMAC-SHA256 Credential=\(scope), SignedHeaders=host, Signature=0",
        ])
        return (response.status, (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:])
    }
}
