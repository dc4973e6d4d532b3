import Foundation
import Testing
import TensorCore
@testable import RecCore

/// `GivenRatingSplit`: a split read from `train.csv` / `test.csv` / `validation.csv` files.
@Suite struct GivenRatingSplitTests {
    /// 40 users × 30 items, ids offset so they are not dense codes; (u + i) % 7 == 0 goes to test.
    static func writeToy(_ folder: FixtureFolder, header: Bool = true, extraTestUser: Bool = false) {
        var train = header ? ["user,item,rating"] : [], test = header ? ["user,item,rating"] : []
        for user in 0..<40 {
            for item in 0..<30 where (user * 3 + item) % 4 != 0 {
                let line = "\(1000 + user),\(50 + 2 * item),\(1 + (user + item) % 5)"
                if (user + item) % 7 == 0 { test.append(line) } else { train.append(line) }
            }
        }
        if extraTestUser { test.append("99999,50,4") }
        folder.write("train.csv", train.joined(separator: "\n") + "\n")
        folder.write("test.csv", test.joined(separator: "\n") + "\n")
    }

    /// Every (original user, original item, rating) stored in `matrix`.
    static func triples(_ matrix: SparseMatrix, _ users: [Int64], _ items: [Int64]) -> Set<String> {
        var result = Set<String>()
        for row in 0..<matrix.rows {
            for position in matrix.range(ofRow: row) {
                result.insert("\(users[row]),\(items[Int(matrix.columnIndices[position])]),\(matrix.values[position])")
            }
        }
        return result
    }

    @Test(arguments: [true, false])
    func loadsTheFilesWithOriginalIDs(header: Bool) throws {
        let folder = FixtureFolder()
        Self.writeToy(folder, header: header, extraTestUser: true)
        let given = try GivenRatingSplit.load(folder: folder.path)
        #expect(given.userIDs.count == 41 && given.userIDs.first == 1000 && given.userIDs.last == 99999)
        #expect(given.itemIDs.count == 30 && given.itemIDs.first == 50 && given.itemIDs.last == 108)
        #expect(given.validation == nil)
        var expectedTrain = Set<String>(), expectedTest = Set<String>(["99999,50,4.0"])
        for user in 0..<40 {
            for item in 0..<30 where (user * 3 + item) % 4 != 0 {
                let triple = "\(1000 + user),\(50 + 2 * item),\(Float(1 + (user + item) % 5))"
                if (user + item) % 7 == 0 { expectedTest.insert(triple) } else { expectedTrain.insert(triple) }
            }
        }
        #expect(Self.triples(given.train, given.userIDs, given.itemIDs) == expectedTrain)
        #expect(Self.triples(given.test, given.userIDs, given.itemIDs) == expectedTest)
        // The test-only user has an empty training row (so it is predicted with the default rating).
        #expect(given.train.count(inRow: 40) == 0 && given.test.count(inRow: 40) == 1)
    }

    @Test func aSourceKnowsItsSplitsShapeWithoutSplitting() throws {
        let folder = FixtureFolder()
        Self.writeToy(folder, extraTestUser: true)
        let given = RatingSplitSource.given(try GivenRatingSplit.load(folder: folder.path))
        let split = given.split(seed: 2)
        #expect(given.shape == (split.train.rows, split.train.columns) && given.shape == (41, 30))
        let random = RatingSplitSource.ratings(Interactions(ratings: split.train, userIDs: (0..<41).map(Int64.init),
                                                            itemIDs: (0..<30).map(Int64.init)))
        let randomSplit = random.split(seed: 5)
        #expect(random.shape == (randomSplit.train.rows, randomSplit.train.columns))
    }

    @Test func validationIsCarvedFromTrainPerSeedAndTestIsFixed() throws {
        let folder = FixtureFolder()
        Self.writeToy(folder)
        let given = try GivenRatingSplit.load(folder: folder.path)
        let a = given.split(seed: 3), again = given.split(seed: 3), other = given.split(seed: 4)
        #expect(a == again)
        #expect(a.validation != other.validation)
        #expect(a.test == given.test && other.test == given.test)
        let total = given.train.nonZeroCount
        #expect(a.validation.nonZeroCount == Int((0.1 * Double(total)).rounded()))
        #expect(a.train.nonZeroCount + a.validation.nonZeroCount == total)
        let ids = (given.userIDs, given.itemIDs)
        let trainSet = Self.triples(a.train, ids.0, ids.1), validationSet = Self.triples(a.validation, ids.0, ids.1)
        #expect(trainSet.isDisjoint(with: validationSet))
        #expect(trainSet.union(validationSet) == Self.triples(given.train, ids.0, ids.1))
        #expect(a.userIDs == given.userIDs && a.itemIDs == given.itemIDs)
    }

    @Test func aGivenValidationFileIsUsedAsIs() throws {
        let folder = FixtureFolder()
        Self.writeToy(folder)
        folder.write("validation.csv", "7,50,3\n1000,999,5\n")
        let given = try GivenRatingSplit.load(folder: folder.path)
        #expect(given.userIDs.first == 7 && given.itemIDs.last == 999)
        let split = given.split(seed: 1)
        #expect(split == given.split(seed: 2))
        #expect(Self.triples(split.validation, split.userIDs, split.itemIDs) == ["7,50,3.0", "1000,999,5.0"])
        #expect(split.train == given.train)
    }

    @Test func aBadLineNamesItsFileAndLine() throws {
        let folder = FixtureFolder()
        Self.writeToy(folder)
        let path = folder.write("test.csv", "user,item,rating\n1000,50,4\n1001,52,x\n")
        #expect(throws: DataError.invalidRating(file: path, line: 3, text: "1001,52,x", value: "x")) {
            try GivenRatingSplit.load(folder: folder.path)
        }
        let trainPath = folder.write("train.csv", "1,2,3\n1,abc,4\n")
        #expect(throws: DataError.invalidIdentifier(file: trainPath, line: 2, text: "1,abc,4", value: "abc")) {
            try GivenRatingSplit.load(folder: folder.path)
        }
    }

    @Test func aMissingTestFileIsATypedError() throws {
        let folder = FixtureFolder()
        folder.write("train.csv", "1,2,3\n")
        #expect(throws: DataError.invalidSplitFolder(folder: folder.path, reason: "missing test.csv (or test.csv.gz)")) {
            try GivenRatingSplit.load(folder: folder.path)
        }
        let absent = folder.path + "/nowhere"
        #expect(throws: DataError.cannotOpen(file: absent, reason: "no such folder")) {
            try GivenRatingSplit.load(folder: absent)
        }
    }

    @Test func aPairInTwoFilesOrTwiceInOneIsATypedError() throws {
        let folder = FixtureFolder()
        let train = folder.write("train.csv", "1,2,3\n1,3,4\n")
        let test = folder.write("test.csv", "2,2,5\n1,3,4\n")
        #expect(throws: DataError.invalidSplitFolder(folder: folder.path,
                                                     reason: "user 1, item 3 is in both \(train) and \(test)")) {
            try GivenRatingSplit.load(folder: folder.path)
        }
        folder.write("test.csv", "2,2,5\n")
        folder.write("train.csv", "1,2,3\n1,2,4\n")
        #expect(throws: DataError.duplicateInteraction(file: train, line: 2, text: "1,2,4", firstLine: 1)) {
            try GivenRatingSplit.load(folder: folder.path)
        }
    }

    @Test func anEmptyTestFileIsATypedError() throws {
        let folder = FixtureFolder()
        folder.write("train.csv", "1,2,3\n")
        let test = folder.write("test.csv", "user,item,rating\n")
        #expect(throws: DataError.emptyFile(file: test)) { try GivenRatingSplit.load(folder: folder.path) }
    }
}
