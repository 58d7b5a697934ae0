import AWS
import Foundation
import HTTP
import OCI

/// Multipart uploads, for objects above `options.multipartThreshold` (required above 5 GiB): the
/// object appears under its key only when CompleteMultipartUpload succeeds; any failure aborts the
/// upload so no parts linger. https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
extension S3Client {
    /// Uploads `size` bytes of `source` in parts under `key`, read once, in order.
    func putInParts(_ key: String, size: Int64, contentType: String, metadata: [String: String],
                    source: HTTPBodySource) async throws {
        let uploadID = try await createMultipartUpload(key, contentType: contentType, metadata: metadata)
        do {
            var parts: [(number: Int, etag: String)] = []
            var offset: Int64 = 0
            let partSize = max(options.partSize, (size + 9_999) / 10_000)
            while offset < size {
                let length = min(partSize, size - offset)
                let etag = try await uploadPart(key, uploadID: uploadID, number: parts.count + 1,
                                                source: ExactLengthSource(source, length: length), length: length)
                parts.append((parts.count + 1, etag))
                offset += length
            }
            try await completeMultipartUpload(key, uploadID: uploadID, parts: parts)
        } catch {
            await abortMultipartUpload(key, uploadID: uploadID)
            throw error
        }
    }

    /// Starts an upload; returns its `UploadId`.
    public func createMultipartUpload(_ key: String, contentType: String, metadata: [String: String] = [:]) async throws -> String {
        let headers = Self.objectHeaders(contentType: contentType, metadata: metadata)
        let response = try await retrying("start multipart upload of \(key)") {
            let response = try await send("POST", key: key, query: [("uploads", nil)], headers: headers)
            try check(response, "POST", key: key)
            return response
        }
        guard let id = S3XML.firstValues(of: ["UploadId"], in: response.body)["UploadId"], !id.isEmpty else {
            throw S3Error(bucket: "\(address)", method: "POST", key: key, status: response.status,
                          message: "the answer to CreateMultipartUpload has no UploadId", classification: .retryable)
        }
        return id
    }

    /// Sends part `number` (from 1) of `length` bytes, streamed once (not retried: the caller's
    /// upload is). Returns its ETag.
    public func uploadPart(_ key: String, uploadID: String, number: Int, source: HTTPBodySource, length: Int64) async throws -> String {
        let request = HTTPRequest(method: "PUT", url: url(key: key, query: [("partNumber", "\(number)"), ("uploadId", uploadID)]),
                                  body: .stream(source, length: length))
        let response = try await transmit(request, payloadHash: SigV4Signer.unsignedPayload, key: key)
        try check(response, "PUT", key: "\(key) part \(number)")
        guard let etag = response.headers["ETag"] else {
            throw S3Error(bucket: "\(address)", method: "PUT", key: "\(key) part \(number)", status: response.status,
                          message: "the answer to UploadPart has no ETag", classification: .retryable)
        }
        return etag
    }

    /// Assembles the parts into the object.
    public func completeMultipartUpload(_ key: String, uploadID: String, parts: [(number: Int, etag: String)]) async throws {
        let body = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            + parts.map { "<Part><PartNumber>\($0.number)</PartNumber><ETag>\(Self.escaped($0.etag))</ETag></Part>" }.joined()
            + "</CompleteMultipartUpload>"
        try await retrying("complete multipart upload of \(key)") {
            let response = try await send("POST", key: key, query: [("uploadId", uploadID)],
                                          headers: ["Content-Type": "application/xml"], body: Array(body.utf8))
            try check(response, "POST", key: key, errorIn200: true)
        }
    }

    /// Drops an unfinished upload and its parts (best effort: a lifecycle rule can clean up the rest).
    public func abortMultipartUpload(_ key: String, uploadID: String) async {
        do {
            let response = try await send("DELETE", key: key, query: [("uploadId", uploadID)])
            try check(response, "DELETE", key: key, accepting: [404])
        } catch {
            logger.warning("aborting the multipart upload of \(key) failed: \(error)")
        }
    }

    /// Lists the bucket's unfinished multipart uploads under `prefix` (tests check that none linger).
    public func listMultipartUploads(prefix: String) async throws -> [String] {
        let response = try await retrying("list uploads \(prefix)") {
            let response = try await send("GET", key: "", query: [("uploads", nil), ("prefix", prefix)])
            try check(response, "GET", key: "uploads \(prefix)")
            return response
        }
        return S3XML.values(of: ["UploadId"], in: response.body).map(\.text)
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
