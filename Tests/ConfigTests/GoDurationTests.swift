import XCTest
@testable import Config

final class GoDurationTests: XCTestCase {
    func testParsesGoSyntax() {
        let cases: [(String, Int64)] = [
            ("5m", 300_000_000_000), ("1h30m", 5_400_000_000_000), ("10s", 10_000_000_000), ("1.5s", 1_500_000_000),
            ("300ms", 300_000_000), ("2us", 2_000), ("2µs", 2_000), ("7ns", 7), ("168h", 604_800_000_000_000),
            ("0", 0), ("-1m", -60_000_000_000), ("+2s", 2_000_000_000), (".5s", 500_000_000), ("1h0m0s", 3_600_000_000_000),
        ]
        for (text, nanoseconds) in cases {
            XCTAssertEqual(GoDuration(parsing: text)?.nanoseconds, nanoseconds, text)
        }
    }

    func testRejectsWhatGoRejects() {
        for text in ["", "5", "5 minutes", "m", "1x", "1.s.", "--1s", "1s2", "5mm", "9999999999999h", " 5m"] {
            XCTAssertNil(GoDuration(parsing: text), text)
        }
    }

    func testDescriptionIsCompactAndParsesBack() {
        let cases: [(Int64, String)] = [
            (0, "0s"), (300_000_000_000, "5m"), (5_400_000_000_000, "1h30m"), (1_500_000_000, "1.5s"),
            (604_800_000_000_000, "168h"), (90_000_000_000, "1m30s"), (300_000_000, "300ms"), (1_500, "1.5us"),
            (7, "7ns"), (-60_000_000_000, "-1m"), (3_600_000_000_001, "1h0.000000001s"),
        ]
        for (nanoseconds, text) in cases {
            let duration = GoDuration(nanoseconds: nanoseconds)
            XCTAssertEqual(duration.description, text)
            XCTAssertEqual(GoDuration(parsing: text), duration, text)
        }
    }

    func testSecondsAndSwiftDuration() {
        XCTAssertEqual(GoDuration.minutes(5).seconds, 300)
        XCTAssertEqual(GoDuration(nanoseconds: 1_500_000_000).duration, .milliseconds(1500))
    }
}
