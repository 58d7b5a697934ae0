/// A span of time written the way Go's `time.ParseDuration` reads it: `5m`, `1h30m`,
/// `10s`, `1.5s`, `300ms`, `168h`. Config files of the original tool use this syntax.
public struct GoDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    public static func seconds(_ seconds: Int64) -> GoDuration { GoDuration(nanoseconds: seconds * 1_000_000_000) }
    public static func minutes(_ minutes: Int64) -> GoDuration { .seconds(minutes * 60) }
    public static func hours(_ hours: Int64) -> GoDuration { .seconds(hours * 3600) }

    /// The duration in seconds (fractional).
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    /// The same span as a Swift `Duration`, for `Task.sleep(for:)` and clocks.
    public var duration: Duration { .nanoseconds(nanoseconds) }

    public static func < (lhs: GoDuration, rhs: GoDuration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    private static let units: [String: Int64] = [
        "ns": 1, "us": 1_000, "\u{00B5}s": 1_000, "\u{03BC}s": 1_000, "ms": 1_000_000,
        "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000,
    ]

    /// Parses Go's duration syntax: an optional sign, then one or more decimal numbers each
    /// with a unit (ns, us, µs, ms, s, m, h). `"0"` alone is allowed. Nil when malformed.
    public init?(parsing text: String) {
        var rest = Substring(text)
        var negative = false
        if let sign = rest.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" {
            self.init(nanoseconds: 0)
            return
        }
        guard !rest.isEmpty, let total = Self.sumOfTerms(&rest) else { return nil }
        self.init(nanoseconds: negative ? -total : total)
    }

    /// Consumes `12.5m3s`-style terms; nil on a missing unit, unknown unit or overflow.
    private static func sumOfTerms(_ rest: inout Substring) -> Int64? {
        func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }
        var total: Int64 = 0
        while !rest.isEmpty {
            let whole = rest.prefix(while: isDigit)
            rest = rest.dropFirst(whole.count)
            var fraction = Substring("")
            if rest.first == "." {
                rest = rest.dropFirst()
                fraction = rest.prefix(while: isDigit)
                rest = rest.dropFirst(fraction.count)
            }
            guard !(whole.isEmpty && fraction.isEmpty) else { return nil }
            let unitText = rest.prefix { !isDigit($0) && $0 != "." }
            rest = rest.dropFirst(unitText.count)
            guard let unit = units[String(unitText)],
                  let term = value(whole: whole, fraction: fraction, unit: unit) else { return nil }
            let (sum, overflow) = total.addingReportingOverflow(term)
            guard !overflow else { return nil }
            total = sum
        }
        return total
    }

    private static func value(whole: Substring, fraction: Substring, unit: Int64) -> Int64? {
        var result: Int64 = 0
        if !whole.isEmpty {
            guard let number = Int64(whole) else { return nil }
            let (product, overflow) = number.multipliedReportingOverflow(by: unit)
            guard !overflow else { return nil }
            result = product
        }
        // Fractions beyond nanosecond precision are dropped, as Go does.
        var scale = unit
        for digit in fraction {
            scale /= 10
            guard scale > 0 else { break }
            result += Int64(digit.wholeNumberValue!) * scale
        }
        return result
    }

    /// Compact Go syntax that `init(parsing:)` reads back exactly: `5m`, `1h30m`, `1.5s`,
    /// `300ms`, `0s` (Go itself would print `5m0s`; zero components are left out here).
    public var description: String {
        if nanoseconds == 0 { return "0s" }
        let sign = nanoseconds < 0 ? "-" : ""
        let magnitude = nanoseconds.magnitude
        if magnitude < 1_000_000_000 {
            for (suffix, size) in [("ms", UInt64(1_000_000)), ("us", 1_000), ("ns", 1)] where magnitude >= size {
                return sign + Self.decimal(magnitude, unit: size) + suffix
            }
        }
        let hours = magnitude / 3_600_000_000_000
        let minutes = magnitude / 60_000_000_000 % 60
        let rest = magnitude % 60_000_000_000
        var text = sign
        if hours > 0 { text += "\(hours)h" }
        if minutes > 0 { text += "\(minutes)m" }
        if rest > 0 { text += Self.decimal(rest, unit: 1_000_000_000) + "s" }
        return text
    }

    /// `value / unit` as a decimal without trailing zeros: 1500 / 1000 → "1.5".
    private static func decimal(_ value: UInt64, unit: UInt64) -> String {
        let whole = value / unit
        var fraction = value % unit
        guard fraction > 0 else { return "\(whole)" }
        var digits = String(unit).count - 1
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let padded = String(repeating: "0", count: digits - String(fraction).count) + String(fraction)
        return "\(whole).\(padded)"
    }
}
