/// The pieces of a Go time layout: literal text and the reference-time elements of
/// Go's `time` package (reference time `Mon Jan 2 15:04:05 MST 2006`), split the way
/// Go's `nextStdChunk` splits them. See https://pkg.go.dev/time#pkg-constants.
enum GoTimeChunk: Sendable, Hashable {
    case literal(String)
    case longMonth, month, numMonth, zeroMonth           // January Jan 1 01
    case longWeekDay, weekDay                            // Monday Mon
    case day, underDay, zeroDay                          // 2 _2 02
    case underYearDay, zeroYearDay                       // __2 002
    case hour, hour12, zeroHour12                        // 15 3 03
    case minute, zeroMinute, second, zeroSecond          // 4 04 5 05
    case longYear, year                                  // 2006 06
    case pm(upper: Bool)                                 // PM pm
    case zoneName                                        // MST
    /// -0700, -07:00, -07, -070000, -07:00:00; with `z` the Z0700 forms that print Z for UTC.
    case offset(z: Bool, colons: Bool, minutes: Bool, seconds: Bool)
    /// .000 (fixed width) or .999 (trailing zeros trimmed); `separator` is "." or ",".
    case fraction(separator: Character, digits: Int, trimmed: Bool)

    /// Splits `layout` into chunks.
    static func parse(_ layout: String) -> [GoTimeChunk] {
        let chars = Array(layout)
        var chunks: [GoTimeChunk] = []
        var literal = ""
        var i = 0
        while i < chars.count {
            if let (chunk, length) = element(in: chars, at: i) {
                if !literal.isEmpty { chunks.append(.literal(literal)) }
                literal = ""
                chunks.append(chunk)
                i += length
            } else {
                literal.append(chars[i])
                i += 1
            }
        }
        if !literal.isEmpty { chunks.append(.literal(literal)) }
        return chunks
    }

    /// The element starting at `i`, and how many characters it spans; nil for literal text.
    private static func element(in c: [Character], at i: Int) -> (GoTimeChunk, Int)? {
        func has(_ text: String) -> Bool {
            let t = Array(text)
            return i + t.count <= c.count && Array(c[i..<(i + t.count)]) == t
        }
        func lowerAfter(_ n: Int) -> Bool { i + n < c.count && ("a"..."z").contains(c[i + n]) }
        switch c[i] {
        case "J":
            if has("January") { return (.longMonth, 7) }
            if has("Jan") && !lowerAfter(3) { return (.month, 3) }
        case "M":
            if has("Monday") { return (.longWeekDay, 6) }
            if has("Mon") && !lowerAfter(3) { return (.weekDay, 3) }
            if has("MST") { return (.zoneName, 3) }
        case "0":
            let zeroes: [Character: GoTimeChunk] = ["1": .zeroMonth, "2": .zeroDay, "3": .zeroHour12,
                                                    "4": .zeroMinute, "5": .zeroSecond, "6": .year]
            if i + 1 < c.count, let chunk = zeroes[c[i + 1]] { return (chunk, 2) }
            if has("002") { return (.zeroYearDay, 3) }
        case "1":
            return has("15") ? (.hour, 2) : (.numMonth, 1)
        case "2":
            return has("2006") ? (.longYear, 4) : (.day, 1)
        case "_":
            if has("_2") && !has("_2006") { return (.underDay, 2) }
            if has("__2") { return (.underYearDay, 3) }
        case "3": return (.hour12, 1)
        case "4": return (.minute, 1)
        case "5": return (.second, 1)
        case "P": if has("PM") { return (.pm(upper: true), 2) }
        case "p": if has("pm") { return (.pm(upper: false), 2) }
        case "-", "Z": return offset(in: c, at: i, has: has)
        case ".", ",": return fraction(in: c, at: i)
        default: break
        }
        return nil
    }

    private static func offset(in c: [Character], at i: Int, has: (String) -> Bool) -> (GoTimeChunk, Int)? {
        let z = c[i] == "Z"
        let forms: [(String, colons: Bool, minutes: Bool, seconds: Bool)] = [
            ("070000", false, true, true), ("07:00:00", true, true, true),
            ("0700", false, true, false), ("07:00", true, true, false), ("07", false, false, false),
        ]
        for form in forms where has((z ? "Z" : "-") + form.0) {
            return (.offset(z: z, colons: form.colons, minutes: form.minutes, seconds: form.seconds), form.0.count + 1)
        }
        return nil
    }

    /// `.000` / `.999`: a run of one repeated digit not followed by another digit.
    private static func fraction(in c: [Character], at i: Int) -> (GoTimeChunk, Int)? {
        guard i + 1 < c.count, c[i + 1] == "0" || c[i + 1] == "9" else { return nil }
        let digit = c[i + 1]
        var j = i + 1
        while j < c.count && c[j] == digit { j += 1 }
        if j < c.count && c[j].isASCII && c[j].isNumber { return nil }
        return (.fraction(separator: c[i], digits: j - i - 1, trimmed: digit == "9"), j - i)
    }
}
