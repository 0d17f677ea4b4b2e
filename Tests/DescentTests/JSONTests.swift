// JSONTests.swift — the exact JSON reader and writer.
import Testing
import DescentJSON

@Suite struct JSONTests {
    @Test func numbersRoundTripExactly() throws {
        for x in [0.1, 1e-300, Double.leastNonzeroMagnitude, 1.7976931348623157e308, -0.0, 123456789.125, 1.0 / 3.0] {
            let text = JSON(x).serialized()
            #expect(try JSON.parse(text).doubleValue == x)
        }
    }

    @Test func rejectsWhatIsNotStrictJSON() {
        for bad in ["{\"a\": 1,}", "[1, 2", "{\"a\": 1, \"a\": 2}", "01", "1.", ".5", "[nan]", "\"\\x\"", "[1] 2", "{'a': 1}"] {
            #expect(throws: JSONParseError.self, "\(bad)") { try JSON.parse(bad) }
        }
    }

    @Test func errorsCarryPosition() {
        do { _ = try JSON.parse("{\n  \"a\": [1,\n  2,,]\n}") } catch let e as JSONParseError {
            #expect(e.line == 3 && e.column == 5)
        } catch { Issue.record("\(error)") }
    }

    @Test func stringsEscapeAndUnescape() throws {
        let s = "quote\" back\\ nl\n tab\t é 😀 \u{01}"
        #expect(try JSON.parse(JSON(s).serialized()).stringValue == s)
        #expect(try JSON.parse("\"\\ud83d\\ude00\"").stringValue == "😀")
    }

    @Test func objectsKeepOrder() throws {
        let j = try JSON.parse("{\"z\": 1, \"a\": [true, null], \"m\": {\"k\": \"v\"}}")
        #expect(j.objectValue?.map(\.0) == ["z", "a", "m"])
        #expect(j.serialized() == "{\"z\":1,\"a\":[true,null],\"m\":{\"k\":\"v\"}}")
    }
}
