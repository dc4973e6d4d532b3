import Testing
@testable import RecCore

@Suite struct RecCoreSmokeTests {
    @Test func dataVariableIsNamed() { #expect(RecCore.dataDirectoryVariable == "AUTOENCODERZOO_DATA") }
}
