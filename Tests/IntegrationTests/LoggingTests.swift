import Foundation
import TestSupport
import XCTest

/// `logging:` as configured, through the binary: format (text, json), level, output (stdout, stderr,
/// a file), timeformat (a Go layout) and colors (only on a terminal); credentials never in a line.
final class LoggingTests: XCTestCase {
    private static let password = "s3cr3t-for-logging"

    private func syncWithConfig(_ logging: String, name: String) throws -> (run: ChildProcess.Result, directory: TemporaryDirectory) {
        let source = try RegistryServer.start(auth: .htpasswd(username: "reader", password: Self.password))
        let target = try RegistryServer.start()
        try ImageSeeder(source).push(.docker(layers: [256]), repository: "log/\(name)", tag: "1.0", seed: 1500)
        let directory = try TemporaryDirectory()
        let config = try directory.write("config.yaml", """
            logging:
            \(logging.split(separator: "\n").map { "  \($0)" }.joined(separator: "\n"))
            sync:
              registries:
                - url: \(source.host)
                  auth: {username: reader, password: \(Self.password)}
            """)
        let run = try DockerSyncBinary.run(["sync", "--config", config, "-s", "\(source.host)/log/\(name)",
                                            "-t", "\(target.host)/log/\(name)"])
        return (run, directory)
    }

    func testJSONToAFileAtDebugWithAGoTimeLayout() throws {
        let directory = try TemporaryDirectory()
        let file = directory.path + "/docker-sync.log"
        let (run, _) = try syncWithConfig("format: json\nlevel: debug\noutput: \(file)\ntimeformat: \"2006-01-02T15:04:05Z07:00\"",
                                          name: "json")
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertFalse(run.output.contains("DBG") || run.output.contains("\"level\""), "log lines go to the file only:\n\(run.output)")
        XCTAssertTrue(run.stdout.contains("1 synced"), "the summary stays on stdout:\n\(run.stdout)")

        let text = try String(contentsOfFile: file, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertGreaterThan(lines.count, 3, text)
        let objects = try lines.map { line -> [String: String] in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return try XCTUnwrap(object?.compactMapValues { $0 as? String }, "not a JSON object of strings: \(line)")
        }
        XCTAssertTrue(objects.allSatisfy { $0["level"] != nil && $0["message"] != nil && $0["time"] != nil }, text)
        XCTAssertTrue(objects.contains { $0["level"] == "debug" }, "debug lines at level debug:\n\(text)")
        XCTAssertTrue(objects.contains { $0["level"] == "info" && $0["message"] == "synced" && $0["tag"] == "1.0" }, text)
        let rfc3339 = try NSRegularExpression(pattern: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$"#)
        for object in objects {
            let time = object["time"]!
            XCTAssertNotNil(rfc3339.firstMatch(in: time, range: NSRange(time.startIndex..., in: time)), "time \(time)")
        }
        XCTAssertFalse(text.contains(Self.password), "no credential in the log:\n\(text)")
    }

    func testTextToStderrAtWarnWithoutColorsOffATerminal() throws {
        let (run, _) = try syncWithConfig("format: text\nlevel: warn\noutput: stderr\ncolors: true", name: "text")
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertFalse(run.output.contains("INF") || run.output.contains("DBG"), "nothing below warn:\n\(run.output)")
        XCTAssertFalse(run.output.contains("\u{1B}["), "no escape codes when the output is not a terminal")
        XCTAssertTrue(run.stdout.contains("1 synced"), run.stdout)
    }

    func testTextOnStdoutAtInfoByDefault() throws {
        let (run, _) = try syncWithConfig("format: text", name: "default")
        XCTAssertEqual(run.status, 0, run.output)
        let synced = try XCTUnwrap(run.stdout.split(separator: "\n").first { $0.contains("INF synced") }, run.stdout)
        XCTAssertNotNil(synced.range(of: #"^\d{2}:\d{2}:\d{2} INF synced "#, options: .regularExpression), String(synced))
        XCTAssertTrue(synced.contains("tag=1.0"), String(synced))
        XCTAssertFalse(run.output.contains("DBG"), run.output)
        XCTAssertFalse(run.output.contains(Self.password))
        XCTAssertEqual(run.stderr, "", "nothing on stderr when all is well")
    }
}
