import CYAML

/// One libyaml parse event, copied out of C memory.
enum YAMLEvent {
    case streamStart, streamEnd, documentStart, documentEnd
    case alias(anchor: String)
    case scalar(anchor: String?, tag: String?, value: String, style: YAMLScalarStyle)
    case sequenceStart(anchor: String?, tag: String?)
    case sequenceEnd
    case mappingStart(anchor: String?, tag: String?)
    case mappingEnd
}

/// Pulls events from libyaml's event API (`yaml_parser_parse`) over an in-memory document.
/// The C parser lives exactly as long as this object.
final class YAMLEventReader {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeMutableBufferPointer<UInt8>
    let file: String

    init(text: String, file: String) throws {
        self.file = file
        let bytes = Array(text.utf8)
        input = .allocate(capacity: max(bytes.count, 1))
        _ = input.initialize(from: bytes)
        parser = .allocate(capacity: 1)
        guard yaml_parser_initialize(parser) == 1 else {
            input.deallocate()
            parser.deallocate()
            throw YAMLError(mark: YAMLMark(file: file, line: 0, column: 0), problem: "out of memory starting the YAML parser")
        }
        yaml_parser_set_input_string(parser, input.baseAddress, bytes.count)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
        input.deallocate()
    }

    /// The next event and where it starts; throws libyaml's error with its position.
    func next() throws -> (event: YAMLEvent, mark: YAMLMark) {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw currentError() }
        defer { yaml_event_delete(&event) }
        return (convert(event), mark(event.start_mark))
    }

    func mark(_ mark: yaml_mark_t) -> YAMLMark {
        YAMLMark(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private func convert(_ event: yaml_event_t) -> YAMLEvent {
        switch event.type {
        case YAML_STREAM_START_EVENT: return .streamStart
        case YAML_STREAM_END_EVENT: return .streamEnd
        case YAML_DOCUMENT_START_EVENT: return .documentStart
        case YAML_DOCUMENT_END_EVENT: return .documentEnd
        case YAML_ALIAS_EVENT: return .alias(anchor: string(event.data.alias.anchor) ?? "")
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let value = String(decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
            return .scalar(anchor: string(data.anchor), tag: string(data.tag), value: value, style: style(data.style))
        case YAML_SEQUENCE_START_EVENT:
            return .sequenceStart(anchor: string(event.data.sequence_start.anchor), tag: string(event.data.sequence_start.tag))
        case YAML_SEQUENCE_END_EVENT: return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            return .mappingStart(anchor: string(event.data.mapping_start.anchor), tag: string(event.data.mapping_start.tag))
        case YAML_MAPPING_END_EVENT: return .mappingEnd
        default: return .streamEnd  // YAML_NO_EVENT: only seen after an error, which throws first
        }
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    private func style(_ style: yaml_scalar_style_t) -> YAMLScalarStyle {
        switch style {
        case YAML_PLAIN_SCALAR_STYLE: return .plain
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain
        }
    }

    /// libyaml's problem and context, positioned. Reader errors (bad UTF-8, control
    /// characters) carry only a byte offset, so the line and column are computed from it.
    private func currentError() -> YAMLError {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "invalid YAML"
        if p.error == YAML_READER_ERROR {
            return YAMLError(mark: mark(atByteOffset: p.problem_offset), problem: problem)
        }
        if p.error == YAML_MEMORY_ERROR {
            return YAMLError(mark: YAMLMark(file: file, line: 0, column: 0), problem: "out of memory parsing YAML")
        }
        let context = p.context.map { String(cString: $0) }
        return YAMLError(mark: mark(p.problem_mark), problem: problem,
                         context: context, contextMark: context == nil ? nil : mark(p.context_mark))
    }

    private func mark(atByteOffset offset: Int) -> YAMLMark {
        var line = 1, column = 1
        for byte in input.prefix(min(offset, input.count)) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {  // count characters, not UTF-8 continuation bytes
                column += 1
            }
        }
        return YAMLMark(file: file, line: line, column: column)
    }
}
