// ErrorMessage.swift — how an `expected_error` case's message is matched.
//
// The goldens carry the message as Python formats it (`Invalid learning rate: -1e-08`,
// `Invalid beta parameter at index 0: 1.0`). Most languages print those numbers differently
// (JavaScript: -1e-8 and 1), so the match compares text as text and numbers as numbers: both
// messages are cut into text and number tokens, every number is read as a float64, and the
// expected message must occur, token by token, in what the implementation said.
import DescentCore
import Foundation

public enum ErrorMessage {
    package enum Token: Equatable {
        case text(String)
        case number(Double)
    }

    /// `said` contains `expected`, with numbers compared by value (`1.0` = `1`, `-1e-08` = `-1e-8`).
    public static func matches(_ said: String, expected: String) -> Bool {
        if said.contains(expected) { return true }
        let s = tokens(said), e = tokens(expected)
        if e.isEmpty { return true }
        if e.count > s.count { return false }
        // Text tokens at the edges of `expected` may be parts of longer text tokens in `said`.
        for start in 0...(s.count - e.count) {
            var ok = true
            for (k, t) in e.enumerated() {
                let u = s[start + k]
                switch (t, u) {
                case let (.number(a), .number(b)): ok = a == b || (a.isNaN && b.isNaN)
                case let (.text(a), .text(b)):
                    if e.count == 1 { ok = b.contains(a) }
                    else if k == 0 { ok = b.hasSuffix(a) }
                    else if k == e.count - 1 { ok = b.hasPrefix(a) }
                    else { ok = a == b }
                default: ok = false
                }
                if !ok { break }
            }
            if ok { return true }
        }
        return false
    }

    /// Text and number tokens. A number is an optional sign, digits with an optional fraction, and
    /// an optional exponent, not glued to a letter, digit or '.' before it (so `beta2` stays text).
    package static func tokens(_ s: String) -> [Token] {
        let b = Array(s.utf8)
        var out: [Token] = []
        var text: [UInt8] = []
        func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        func isWordChar(_ c: UInt8) -> Bool { isDigit(c) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7a) || c == 0x5f || c == 0x2e }
        var i = 0
        while i < b.count {
            var j = i
            let prevOK = i == 0 || !isWordChar(b[i - 1])
            if prevOK, b[j] == 0x2d || b[j] == 0x2b { j += 1 }
            let digitsStart = j
            while j < b.count, isDigit(b[j]) { j += 1 }
            if prevOK, j > digitsStart {
                if j < b.count, b[j] == 0x2e, j + 1 < b.count, isDigit(b[j + 1]) {
                    j += 1
                    while j < b.count, isDigit(b[j]) { j += 1 }
                }
                if j < b.count, b[j] == 0x65 || b[j] == 0x45 {
                    var k = j + 1
                    if k < b.count, b[k] == 0x2d || b[k] == 0x2b { k += 1 }
                    let ks = k
                    while k < b.count, isDigit(b[k]) { k += 1 }
                    if k > ks { j = k }
                }
                if j == b.count || !(isWordChar(b[j]) && b[j] != 0x2e) {
                    if let d = Double(String(decoding: b[i..<j], as: UTF8.self)) {
                        if !text.isEmpty { out.append(.text(String(decoding: text, as: UTF8.self))); text = [] }
                        out.append(.number(d))
                        i = j
                        continue
                    }
                }
            }
            text.append(b[i])
            i += 1
        }
        if !text.isEmpty { out.append(.text(String(decoding: text, as: UTF8.self))) }
        return out
    }
}
