import Foundation
import Testing
import TensorCore
@testable import RecCore

/// A synthetic table: `users` users, each rating a varying number of `items` items, some ≤ 3.5.
func syntheticInteractions(users: Int = 120, items: Int = 60, withTimes: Bool = true) -> Interactions {
    var generator = RandomGenerator(seed: 7)
    var triplets: [(row: Int, column: Int, value: Float)] = []
    for user in 0..<users {
        let count = 2 + Int(generator.nextBelow(30))
        for item in generator.permutation(items).prefix(count) {
            triplets.append((user, item, Float(1 + generator.nextBelow(5))))
        }
    }
    let matrix = SparseMatrix(rows: users, columns: items, triplets: triplets)
    let times = withTimes ? (0..<matrix.nonZeroCount).map { Int64(1_000 + ($0 * 7919) % 1_000) } : nil
    return Interactions(ratings: matrix, userIDs: (0..<users).map { Int64($0 + 100) },
                        itemIDs: (0..<items).map { Int64($0 * 10) }, timestamps: times)
}

@Suite struct StrongGeneralizationSplitTests {
    static let data = syntheticInteractions()
    static let split = StrongGeneralizationSplit.make(from: data, heldOutUsers: 15, seed: 3)

    @Test func usersAreDisjointAndCountsAdd() {
        let split = Self.split
        let train = Set(split.trainUserIDs), validation = Set(split.validation.userIDs), test = Set(split.test.userIDs)
        #expect(train.isDisjoint(with: validation) && train.isDisjoint(with: test) && validation.isDisjoint(with: test))
        #expect(validation.count == 15 && test.count == 15)
        let qualifying = StrongGeneralizationSplit.qualifyingUsers(in: Self.data)
        #expect(train.count + 30 == qualifying.count)
        #expect(qualifying.count < Self.data.userCount)   // the filter removes someone in this data
    }

    @Test func itemSetIsTheTrainingUsersItemsAndEveryClickIsAbove3Point5() {
        let split = Self.split
        var seen = Set<Int32>(split.train.columnIndices)
        #expect(seen.count == split.itemCount)    // every column is used by a training user
        seen.formUnion(split.validation.foldIn.columnIndices)
        #expect(seen.count == split.itemCount)
        for held in [split.validation, split.test] {
            for row in 0..<held.userCount {
                let user = Self.data.userIndex(of: held.userIDs[row]) ?? -1
                let clicked = Set(Self.data.ratings.range(ofRow: user).compactMap { position -> Int64? in
                    Self.data.ratings.values[position] > 3.5 ? Self.data.itemIDs[Int(Self.data.ratings.columnIndices[position])] : nil
                }).intersection(split.itemIDs)
                let foldIn = Set(held.foldIn.columns(inRow: row)), target = Set(held.target.columns(inRow: row))
                #expect(foldIn.isDisjoint(with: target))
                #expect(Set((foldIn.union(target)).map { split.itemIDs[Int($0)] }) == clicked)
                // 80/20: the target is ⌊0.2·n⌋ of the user's kept items when n ≥ 5, else empty.
                let n = clicked.count
                #expect(target.count == (n >= 5 ? Int(0.2 * Double(n)) : 0))
            }
        }
    }

    @Test func sameSeedSameSplitOtherSeedOtherSplit() {
        #expect(StrongGeneralizationSplit.make(from: Self.data, heldOutUsers: 15, seed: 3) == Self.split)
        #expect(StrongGeneralizationSplit.make(from: Self.data, heldOutUsers: 15, seed: 4) != Self.split)
    }
}

@Suite struct RatingSplitTests {
    static let data = syntheticInteractions()

    @Test func randomSplitIsAPartitionWithTheRequestedSizes() {
        let split = RatingSplit.random(Self.data, testFraction: 0.1, validationFraction: 0.1, seed: 11)
        let total = Self.data.count
        let testCount = Int((0.1 * Double(total)).rounded())
        #expect(split.test.nonZeroCount == testCount)
        #expect(split.validation.nonZeroCount == Int((0.1 * Double(total - testCount)).rounded()))
        #expect(split.train.nonZeroCount + split.validation.nonZeroCount + split.test.nonZeroCount == total)
        // Disjoint and exhaustive: the three dense matrices add up to the original.
        let parts = [split.train, split.validation, split.test].map { $0.toDense().storage }
        let original = Self.data.ratings.toDense().storage
        for index in original.indices {
            #expect(parts[0][index] + parts[1][index] + parts[2][index] == original[index])
            #expect(parts.filter { $0[index] != 0 }.count <= 1)
        }
    }

    @Test func randomSplitReproducesWithTheSeed() {
        #expect(RatingSplit.random(Self.data, seed: 5) == RatingSplit.random(Self.data, seed: 5))
        #expect(RatingSplit.random(Self.data, seed: 5) != RatingSplit.random(Self.data, seed: 6))
    }

    @Test func timeOrderedSplitRespectsTheCutAndDropsUnseen() throws {
        let split = try RatingSplit.timeOrdered(Self.data, trainingEnd: 1_699, testStart: 1_700, seed: 1)
        let times = try #require(Self.data.timestamps)
        let ratings = Self.data.ratings
        var trainCount = 0
        for user in 0..<ratings.rows {
            for position in ratings.range(ofRow: user) {
                let item = ratings.columnIndices[position]
                let inTrain = split.train.columns(inRow: user).contains(item)
                let inHeldOut = split.validation.columns(inRow: user).contains(item) || split.test.columns(inRow: user).contains(item)
                #expect(inTrain == (times[position] <= 1_699))
                if inHeldOut { #expect(times[position] >= 1_700) }
                if inTrain { trainCount += 1 }
            }
        }
        #expect(trainCount == split.train.nonZeroCount)
        let heldOut = split.validation.nonZeroCount + split.test.nonZeroCount
        #expect(trainCount + heldOut + split.droppedCount == Self.data.count)
        // Every held-out rating's user and item have a training rating.
        let trainedItems = Set(split.train.columnIndices)
        for matrix in [split.validation, split.test] {
            for user in 0..<matrix.rows where matrix.count(inRow: user) > 0 {
                #expect(split.train.count(inRow: user) > 0)
                #expect(matrix.columns(inRow: user).allSatisfy(trainedItems.contains))
            }
        }
        #expect(split.validation.nonZeroCount > 0 && split.test.nonZeroCount > 0)
    }

    @Test func timeOrderedSplitNeedsTimestamps() {
        #expect(throws: DataError.missingTimestamps(source: "RatingSplit.timeOrdered")) {
            try RatingSplit.timeOrdered(syntheticInteractions(withTimes: false), trainingEnd: 0, testStart: 1, seed: 1)
        }
    }
}
