import Foundation

/// Formats dates by a Go time layout such as `"15:04:05"` or `time.RFC3339`
/// (`"2006-01-02T15:04:05Z07:00"`), the syntax of the original tool's `logging.timeformat`.
public struct GoTimeLayout: Sendable, Hashable, CustomStringConvertible {
    public let layout: String
    private let chunks: [GoTimeChunk]

    public init(_ layout: String) {
        self.layout = layout
        chunks = GoTimeChunk.parse(layout)
    }

    public var description: String { layout }

    private static let months = ["January", "February", "March", "April", "May", "June", "July",
                                 "August", "September", "October", "November", "December"]
    private static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// `date` written per the layout, in `timeZone`.
    public func format(_ date: Date, timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let time = Fields(
            year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!,
            minute: parts.minute!, second: parts.second!, weekday: parts.weekday! - 1,
            yearDay: calendar.ordinality(of: .day, in: .year, for: date) ?? 1,
            nanosecond: Self.nanosecond(of: date),
            offset: timeZone.secondsFromGMT(for: date),
            zoneName: Self.zoneName(timeZone, date))
        return chunks.map { time.text(for: $0) }.joined()
    }

    private static func nanosecond(of date: Date) -> Int {
        let t = date.timeIntervalSince1970
        return min(999_999_999, max(0, Int(((t - t.rounded(.down)) * 1e9).rounded(.down))))
    }

    /// Go prints the zone abbreviation, or an offset like `+04` where tzdata has no name.
    private static func zoneName(_ zone: TimeZone, _ date: Date) -> String {
        if ["UTC", "GMT", "Etc/UTC"].contains(zone.identifier) { return "UTC" }
        if let name = zone.abbreviation(for: date), name.allSatisfy({ $0.isLetter }) { return name }
        let offset = zone.secondsFromGMT(for: date)
        let minutes = abs(offset) / 60
        let sign = offset < 0 ? "-" : "+"
        return sign + pad(minutes / 60, 2) + (minutes % 60 == 0 ? "" : pad(minutes % 60, 2))
    }

    static func pad(_ value: Int, _ width: Int, with fill: Character = "0") -> String {
        let digits = String(abs(value))
        let padding = String(repeating: fill, count: max(0, width - digits.count))
        return (value < 0 ? "-" : "") + padding + digits
    }

    private struct Fields {
        let year, month, day, hour, minute, second, weekday, yearDay, nanosecond, offset: Int
        let zoneName: String

        func text(for chunk: GoTimeChunk) -> String {
            switch chunk {
            case .literal(let text): return text
            case .longMonth: return GoTimeLayout.months[month - 1]
            case .month: return String(GoTimeLayout.months[month - 1].prefix(3))
            case .numMonth: return String(month)
            case .zeroMonth: return pad(month, 2)
            case .longWeekDay: return GoTimeLayout.weekdays[weekday]
            case .weekDay: return String(GoTimeLayout.weekdays[weekday].prefix(3))
            case .day: return String(day)
            case .underDay: return pad(day, 2, with: " ")
            case .zeroDay: return pad(day, 2)
            case .underYearDay: return pad(yearDay, 3, with: " ")
            case .zeroYearDay: return pad(yearDay, 3)
            case .hour: return pad(hour, 2)
            case .hour12: return String(hour % 12 == 0 ? 12 : hour % 12)
            case .zeroHour12: return pad(hour % 12 == 0 ? 12 : hour % 12, 2)
            case .minute: return String(minute)
            case .zeroMinute: return pad(minute, 2)
            case .second: return String(second)
            case .zeroSecond: return pad(second, 2)
            case .longYear: return pad(year, 4)
            case .year: return pad(year % 100, 2)
            case .pm(let upper): return hour >= 12 ? (upper ? "PM" : "pm") : (upper ? "AM" : "am")
            case .zoneName: return zoneName
            case let .offset(z, colons, minutes, seconds):
                return offsetText(z: z, colons: colons, minutes: minutes, seconds: seconds)
            case let .fraction(separator, digits, trimmed):
                return fractionText(separator: separator, digits: digits, trimmed: trimmed)
            }
        }

        private func offsetText(z: Bool, colons: Bool, minutes: Bool, seconds: Bool) -> String {
            if z && offset == 0 { return "Z" }
            let absolute = abs(offset)
            var text = (offset < 0 ? "-" : "+") + pad(absolute / 3600, 2)
            if minutes { text += (colons ? ":" : "") + pad(absolute / 60 % 60, 2) }
            if seconds { text += (colons ? ":" : "") + pad(absolute % 60, 2) }
            return text
        }

        private func fractionText(separator: Character, digits: Int, trimmed: Bool) -> String {
            var text = String(pad(nanosecond, 9).prefix(digits))
            if trimmed {
                while text.last == "0" { text.removeLast() }
                if text.isEmpty { return "" }
            }
            return String(separator) + text
        }
    }
}
