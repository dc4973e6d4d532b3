import Testing
import RecCore

/// The mean and median every summary of seeds, trials and curves takes.
@Suite struct DescriptiveTests {
    @Test func meanAndMedianOfOddEvenAndEmptyLists() {
        #expect(Descriptive.mean([1, 2, 6]) == 3)
        #expect(Descriptive.median([5, 1, 3]) == 3)
        #expect(Descriptive.median([4, 1, 3, 10]) == 3.5)
        #expect(Descriptive.median([-.infinity, 2, 1]) == 1)
        #expect(Descriptive.mean([]).isNaN && Descriptive.median([]).isNaN)
    }
}
