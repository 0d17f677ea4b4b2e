import Testing
@testable import DescentCore
@Test func placeholder() { #expect(1 == 1) }
