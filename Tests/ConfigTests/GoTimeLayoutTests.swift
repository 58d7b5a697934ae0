import Foundation
import XCTest
@testable import Config

final class GoTimeLayoutTests: XCTestCase {
    /// 2024-03-09 07:05:03.012345 UTC, a Saturday, day 69 of a leap year.
    private let date = Date(timeIntervalSince1970: 1_709_967_903.012345)
    private let utc = TimeZone(identifier: "UTC")!

    private func format(_ layout: String, _ zone: TimeZone? = nil) -> String {
        GoTimeLayout(layout).format(date, timeZone: zone ?? utc)
    }

    func testDefaultLayoutOfTheOriginal() {
        XCTAssertEqual(format("15:04:05"), "07:05:03")
    }

    func testGoStandardLayouts() {
        XCTAssertEqual(format("2006-01-02T15:04:05Z07:00"), "2024-03-09T07:05:03Z")
        XCTAssertEqual(format("Mon Jan _2 15:04:05 MST 2006"), "Sat Mar  9 07:05:03 UTC 2024")
        XCTAssertEqual(format("02 Jan 06 15:04 -0700"), "09 Mar 24 07:05 +0000")
        XCTAssertEqual(format("Monday, 02-Jan-06 15:04:05 MST"), "Saturday, 09-Mar-24 07:05:03 UTC")
        XCTAssertEqual(format("3:04PM"), "7:05AM")
        XCTAssertEqual(format("Jan _2 15:04:05.000000"), "Mar  9 07:05:03.012345")
        XCTAssertEqual(format("January 2, 2006 3:4:5 pm"), "March 9, 2024 7:5:3 am")
    }

    func testFractionalSeconds() {
        XCTAssertEqual(format("05.000"), "03.012")
        XCTAssertEqual(format("05,000"), "03,012")
        XCTAssertEqual(format("05.999999"), "03.012345")
        XCTAssertEqual(GoTimeLayout("05.999").format(Date(timeIntervalSince1970: 3), timeZone: utc), "03")
        XCTAssertEqual(GoTimeLayout("05.000").format(Date(timeIntervalSince1970: 3), timeZone: utc), "03.000")
    }

    func testYearDayAndTwelveHourClock() {
        XCTAssertEqual(format("002 __2"), "069  69")
        let evening = Date(timeIntervalSince1970: 1_709_967_903 + 12 * 3600)
        XCTAssertEqual(GoTimeLayout("03:04 PM").format(evening, timeZone: utc), "07:05 PM")
        let midnight = Date(timeIntervalSince1970: 1_709_942_400)
        XCTAssertEqual(GoTimeLayout("3 pm").format(midnight, timeZone: utc), "12 am")
    }

    func testOffsets() {
        let india = TimeZone(secondsFromGMT: 5 * 3600 + 1800)!
        XCTAssertEqual(format("-07:00 -0700 -07 Z07:00", india), "+05:30 +0530 +05 +05:30")
        let west = TimeZone(secondsFromGMT: -3 * 3600)!
        XCTAssertEqual(format("15:04 Z0700 -07:00:00", west), "04:05 -0300 -03:00:00")
        XCTAssertEqual(format("Z07:00 Z0700 Z07"), "Z Z Z")
    }

    func testLiteralTextAndLookalikes() {
        XCTAssertEqual(format("[2006] at 15h"), "[2024] at 07h")
        XCTAssertEqual(format("Janet Monty"), "Janet Monty", "Jan/Mon followed by a lowercase letter are words")
        XCTAssertEqual(format("_2006"), "_2024")
        XCTAssertEqual(LoggingConfig().timeLayout.format(date, timeZone: utc), "07:05:03")
    }
}
