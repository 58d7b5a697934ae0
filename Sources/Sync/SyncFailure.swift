import Foundation
import Buckets
import OCI
import Queue

/// An error that knows how the queue should treat it: retry later, pause the registry, or give up.
public protocol ClassifiedError: Error, CustomStringConvertible {
    var failureClass: JobFailure.Class { get }
    /// For a rate limit: when the registry may be asked again (seconds since 1970).
    var retryAt: Double? { get }
    /// The registry the error came from, to pause on a rate limit.
    var registryHost: String? { get }
    var status: Int? { get }
}

/// A failure of the sync domain itself (bad reference, schema1, digest mismatch).
public struct SyncError: ClassifiedError {
    public var message: String
    public var failureClass: JobFailure.Class
    public var retryAt: Double? { nil }
    public var registryHost: String? { nil }
    public var status: Int? { nil }
    public var description: String { message }

    public init(_ message: String, class failureClass: JobFailure.Class = .fatal) {
        self.message = message
        self.failureClass = failureClass
    }
}

extension JobFailure {
    /// How the worker files `error`: classified errors keep their class; anything else is retried.
    init(_ error: Error) {
        if let classified = error as? ClassifiedError {
            self.init(errorClass: classified.failureClass, message: classified.description, status: classified.status)
        } else if error is ReferenceError || error is ManifestError || error is TagPatternError || error is DecodingError
                    || error is BucketNameError {
            self.init(errorClass: .fatal, message: String(describing: error))
        } else if error is CancellationError {
            self.init(errorClass: .retryable, message: "cancelled")
        } else {
            self.init(errorClass: .retryable, message: String(describing: error))
        }
    }
}
