import Foundation

/// moto's server mode (`python3 -m moto.server`): S3, IAM, STS and ECR APIs on a free loopback
/// port. Signatures are not checked unless `initialNoAuthActionCount` is set; see
/// /work/shared/notes/test-services.md for how to turn checking on.
public final class MotoServer: @unchecked Sendable {
    public let port: Int
    public let region: String
    /// Any key works while signatures are not checked.
    public let accessKeyID = "testing"
    public let secretAccessKey = "testing"
    private let directory: TemporaryDirectory
    private let process: ServiceProcess

    /// `127.0.0.1:PORT`.
    public var host: String { "127.0.0.1:\(port)" }
    /// `http://127.0.0.1:PORT`, the S3 / AWS endpoint URL.
    public var endpoint: URL { URL(string: "http://\(host)")! }
    public var log: String { process.log() }

    private init(port: Int, region: String, directory: TemporaryDirectory, process: ServiceProcess) {
        self.port = port
        self.region = region
        self.directory = directory
        self.process = process
    }

    /// Starts moto and returns once it answers HTTP. With `initialNoAuthActionCount` set, moto
    /// checks signatures after that many unauthenticated calls (its `INITIAL_NO_AUTH_ACTION_COUNT`).
    public static func start(region: String = "us-east-1", initialNoAuthActionCount: Int? = nil) throws -> MotoServer {
        let directory = try TemporaryDirectory(prefix: "moto")
        var environment = ["AWS_DEFAULT_REGION": region, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"]
        if let initialNoAuthActionCount { environment["INITIAL_NO_AUTH_ACTION_COUNT"] = "\(initialNoAuthActionCount)" }
        return try retryingOnBusyPort { port in
            let process = try ServiceProcess(
                name: "moto", executable: Python.executable,
                arguments: ["-m", "moto.server", "-H", "127.0.0.1", "-p", "\(port)"],
                environment: environment, workingDirectory: directory.path,
                logPath: directory.file("moto-\(port).log"))
            // moto's own API: probing an AWS API would spend one of the unauthenticated calls.
            try process.waitUntilReady(timeout: 60) {
                (try? LoopbackHTTP.request("GET", port: port, path: "/moto-api/data.json"))?.status == 200
            }
            return MotoServer(port: port, region: region, directory: directory, process: process)
        }
    }

    public func stop() { process.stop() }

    // Stop before the temporary directory is removed, so nothing writes into it meanwhile.
    deinit { process.stop() }
}
