import XCTest
@testable import YAML

final class YAMLEmitterTests: XCTestCase {
    func testLayoutIndentsSequencesUnderTheirKeyLikeTheOriginal() {
        let node = YAMLNode.mapping([
            "sync": .mapping([
                "images": .sequence([
                    .mapping([
                        "source": .scalar("docker.io/library/ubuntu"),
                        "targets": .sequence([.scalar("docker.io/kamushadenes/ubuntu")]),
                    ]),
                ]),
                "interval": .scalar("5m", style: .plain),
                "empty": .sequence([]),
                "none": .mapping([]),
            ]),
        ])
        XCTAssertEqual(YAMLEmitter.emit(node), """
        sync:
          images:
            - source: docker.io/library/ubuntu
              targets:
                - docker.io/kamushadenes/ubuntu
          interval: 5m
          empty: []
          none: {}

        """)
    }

    func testStringsThatWouldReadBackAsSomethingElseAreQuoted() {
        let cases: [(String, String)] = [
            ("15:04:05", "\"15:04:05\""), ("", "\"\""), ("true", "\"true\""), ("No", "\"No\""),
            ("5", "\"5\""), ("1.5", "\"1.5\""), ("0x1F", "\"0x1F\""), ("null", "\"null\""), ("~", "\"~\""),
            ("127.0.0.1:9090", "127.0.0.1:9090"), ("/metrics", "/metrics"), ("Docker Hub", "Docker Hub"),
            ("5m", "5m"), ("docker.io", "docker.io"), ("r2:acct:bucket:img", "r2:acct:bucket:img"),
            ("a: b", "\"a: b\""), ("#x", "\"#x\""), ("x #y", "\"x #y\""), ("- x", "\"- x\""), ("-x", "-x"),
            ("*ref", "\"*ref\""), ("{a}", "\"{a}\""), (" lead", "\" lead\""), ("line\nbreak", "\"line\\nbreak\""),
            ("say \"hi\"", "say \"hi\""), ("key:", "\"key:\""), ("back\\slash", "back\\slash"),
        ]
        for (value, expected) in cases {
            XCTAssertEqual(YAMLEmitter.render(YAMLScalar(value)), expected, "rendering \(value.debugDescription)")
        }
        XCTAssertEqual(YAMLEmitter.render(YAMLScalar("true", style: .plain)), "true")
        XCTAssertEqual(YAMLEmitter.render(YAMLScalar("it's", style: .singleQuoted)), "'it''s'")
    }

    func testEmittedDocumentParsesBackToTheSameValues() throws {
        let values = ["15:04:05", "", "true", "a: b", "#x", "tab\there", "quote\"s", "uni ✓", "\u{7}bell", "- x", "?", "[x"]
        let node = YAMLNode.mapping(values.enumerated().map {
            YAMLPair(key: .scalar("k\($0.offset)"), value: .scalar($0.element))
        } + [YAMLPair(key: .scalar("list"), value: .sequence(values.map { .scalar($0) }))])
        let text = YAMLEmitter.emit(node)
        let parsed = try XCTUnwrap(YAMLParser.parse(text, file: "f.yaml"))
        let pairs = try XCTUnwrap(parsed.pairs)
        XCTAssertEqual(pairs.dropLast().map { $0.value.string }, values, text)
        XCTAssertEqual(pairs.last?.value.items?.map(\.string), values, text)
        XCTAssertFalse(pairs.contains { $0.value.isNull }, text)
    }

    func testNestedSequencesAndEmptyItemsRoundTrip() throws {
        let node = YAMLNode.sequence([.sequence([.scalar("a"), .scalar("b")]), .mapping([]), .sequence([]), .scalar("c")])
        let parsed = try XCTUnwrap(YAMLParser.parse(YAMLEmitter.emit(node), file: "f.yaml"))
        let items = try XCTUnwrap(parsed.items)
        XCTAssertEqual(items[0].items?.map(\.string), ["a", "b"])
        XCTAssertEqual(items[1].pairs?.count, 0)
        XCTAssertEqual(items[2].items?.count, 0)
        XCTAssertEqual(items[3].string, "c")
    }
}
