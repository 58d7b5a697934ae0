import XCTest
@testable import YAML

final class YAMLParserTests: XCTestCase {
    private func parse(_ text: String) throws -> YAMLNode {
        try XCTUnwrap(YAMLParser.parse(text, file: "test.yaml"))
    }

    func testScalarsKeepTheirStyleAndPosition() throws {
        let root = try parse("a: plain\nb: \"double\"\nc: 'single'\nd: |\n  literal\n")
        let pairs = try XCTUnwrap(root.pairs)
        XCTAssertEqual(pairs.map { $0.key.string }, ["a", "b", "c", "d"])
        XCTAssertEqual(pairs.map { $0.value.scalar?.style }, [.plain, .doubleQuoted, .singleQuoted, .literal])
        XCTAssertEqual(pairs[3].value.string, "literal\n")
        XCTAssertEqual(pairs[1].value.mark, YAMLMark(file: "test.yaml", line: 2, column: 4))
        XCTAssertEqual(pairs[2].key.mark, YAMLMark(file: "test.yaml", line: 3, column: 1))
    }

    func testEveryNodeOfANestedDocumentHasItsLineAndColumn() throws {
        let root = try parse("""
        sync:
          images:
            - source: docker.io/library/ubuntu
              targets:
                - ghcr.io/me/ubuntu
        """)
        XCTAssertEqual(root.mark.line, 1)
        let sync = try XCTUnwrap(root.pairs?.first?.value)
        let images = try XCTUnwrap(sync.pairs?.first?.value)
        XCTAssertEqual(images.mark.line, 3)
        XCTAssertEqual(images.mark.column, 5)
        let image = try XCTUnwrap(images.items?.first)
        XCTAssertEqual(image.mark.description, "test.yaml:3:7")
        let target = try XCTUnwrap(image.pairs?[1].value.items?.first)
        XCTAssertEqual(target.string, "ghcr.io/me/ubuntu")
        XCTAssertEqual(target.mark.description, "test.yaml:5:11")
    }

    func testSyntaxErrorNamesFileLineColumnAndLibyamlsProblem() {
        XCTAssertThrowsError(try YAMLParser.parse("ok: 1\nsync:\n  a: b: c\n", file: "config.yaml")) { error in
            let yamlError = error as? YAMLError
            XCTAssertEqual(yamlError?.mark.line, 3)
            XCTAssertEqual(yamlError?.mark.column, 7)
            XCTAssertEqual(yamlError?.problem, "mapping values are not allowed in this context")
            XCTAssertTrue("\(error)".hasPrefix("config.yaml:3:7: mapping values are not allowed"), "\(error)")
        }
    }

    func testParserErrorCarriesItsContext() {
        XCTAssertThrowsError(try YAMLParser.parse("a:\n  b: 1\n c: 2\n", file: "f.yaml")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("f.yaml:3:2: did not find expected key"), text)
            XCTAssertTrue(text.contains("while parsing a block mapping"), text)
        }
    }

    func testReaderErrorIsPositionedFromItsByteOffset() {
        XCTAssertThrowsError(try YAMLParser.parse("a: 1\nb: \u{0001}\n", file: "f.yaml")) { error in
            let yamlError = error as? YAMLError
            XCTAssertEqual(yamlError?.mark.line, 2)
            XCTAssertEqual(yamlError?.mark.column, 4)
            XCTAssertEqual(yamlError?.problem, "control characters are not allowed")
        }
    }

    func testAliasesAreResolvedToCopiesOfTheirAnchors() throws {
        let root = try parse("base: &auth\n  username: me\nother: *auth\n")
        let pairs = try XCTUnwrap(root.pairs)
        XCTAssertEqual(pairs[1].value.pairs, pairs[0].value.pairs)
        XCTAssertEqual(pairs[1].value.mark.line, 3)
    }

    func testAliasToAnUndefinedAnchorIsAnError() {
        XCTAssertThrowsError(try YAMLParser.parse("a: *nothing\n", file: "f.yaml")) { error in
            XCTAssertEqual("\(error)", "f.yaml:1:4: alias *nothing refers to an undefined anchor &nothing")
        }
    }

    func testAliasBombIsRefused() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        XCTAssertThrowsError(try YAMLParser.parse(text, file: "f.yaml")) { error in
            XCTAssertTrue("\(error)".contains("aliases expand the document"), "\(error)")
        }
    }

    func testDeepNestingIsRefused() {
        let text = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        XCTAssertThrowsError(try YAMLParser.parse(text, file: "f.yaml")) { error in
            XCTAssertTrue("\(error)".contains("nesting deeper"), "\(error)")
        }
    }

    func testEmptyStreamIsNilAndEmptyValueIsNull() throws {
        XCTAssertNil(try YAMLParser.parse("", file: "f.yaml"))
        XCTAssertNil(try YAMLParser.parse("# only a comment\n", file: "f.yaml"))
        let pairs = try XCTUnwrap(parse("a:\nb: ~\nc: null\nd: \"\"\ne: !!null x\n").pairs)
        XCTAssertEqual(pairs.map(\.value.isNull), [true, true, true, false, true])
    }

    func testASecondDocumentIsRejected() {
        XCTAssertThrowsError(try YAMLParser.parse("a: 1\n---\nb: 2\n", file: "f.yaml")) { error in
            XCTAssertEqual((error as? YAMLError)?.mark.line, 2)
            XCTAssertTrue("\(error)".contains("single YAML document"))
        }
    }

    func testExplicitTagsAreKept() throws {
        let pairs = try XCTUnwrap(parse("a: !!str 5\nb: 5\n").pairs)
        XCTAssertEqual(pairs[0].value.tag, "tag:yaml.org,2002:str")
        XCTAssertNil(pairs[1].value.tag)
    }

    func testFlowCollectionsParse() throws {
        let pairs = try XCTUnwrap(parse("tags: [a, \"b\"]\nauth: {username: u}\n").pairs)
        XCTAssertEqual(pairs[0].value.items?.map(\.string), ["a", "b"])
        XCTAssertEqual(pairs[1].value.pairs?.first?.value.string, "u")
    }
}
