import Foundation
import Testing
import TensorCore
@testable import RecCore

/// Issue 20, finding 3 (and 6): a vae_cf split folder's `uid`s are renumbered densely and never
/// used as sizes; held-out users must not be training users, nor both validation and test users.
@Suite struct VAECFNumberingTests {
    /// A split folder whose files hold the given `uid,sid` rows (header added).
    static func folder(train: String, validation: (String, String) = ("10,0\n", "10,1\n"),
                       test: (String, String) = ("20,1\n", "20,2\n")) throws -> (FixtureFolder, String) {
        let fixture = FixtureFolder()
        fixture.write("vae/unique_sid.txt", "50\n60\n70\n")
        fixture.write("vae/train.csv", "uid,sid\n" + train)
        fixture.write("vae/validation_tr.csv", "uid,sid\n" + validation.0)
        fixture.write("vae/validation_te.csv", "uid,sid\n" + validation.1)
        fixture.write("vae/test_tr.csv", "uid,sid\n" + test.0)
        try fixture.writeGzip("vae/test_te.csv.gz", "uid,sid\n" + test.1)
        return (fixture, (fixture.path as NSString).appendingPathComponent("vae"))
    }

    @Test func hugeUserIDsAreRenumberedNotUsedAsRowCounts() throws {
        let (fixture, path) = try Self.folder(train: "1000000000,1\n9223372036854775807,0\n1000000000,2\n",
                                              validation: ("9223372036854775806,0\n", "9223372036854775806,1\n"))
        let split = try StrongGeneralizationSplit.loadVAECF(folder: path)
        #expect(split.train.rows == 2)
        #expect(split.trainUserIDs == [1_000_000_000, Int64.max])
        #expect(split.train.toDense() == Matrix([[0, 1, 1], [1, 0, 0]]))
        #expect(split.validation.userIDs == [Int64.max - 1])
        #expect(split.validation.userCount == 1)
        withExtendedLifetime(fixture) {}
    }

    @Test func gapsInUserIDsLeaveNoEmptyRows() throws {
        let (fixture, path) = try Self.folder(train: "5,0\n3,1\n9,2\n", test: ("20,1\n", "40,2\n"))
        let split = try StrongGeneralizationSplit.loadVAECF(folder: path)
        #expect(split.trainUserIDs == [3, 5, 9])
        #expect(split.test.userIDs == [20, 40])
        #expect(split.test.foldIn.toDense() == Matrix([[0, 1, 0], [0, 0, 0]]))
        #expect(split.test.target.toDense() == Matrix([[0, 0, 0], [0, 0, 1]]))
        withExtendedLifetime(fixture) {}
    }

    @Test func aHeldOutUserWhoIsAlsoATrainingUserIsAnError() throws {
        let (fixture, path) = try Self.folder(train: "1,0\n2,1\n", validation: ("10,0\n2,2\n", "10,1\n"))
        #expect(throws: DataError.overlappingUser(file: path + "/validation_tr.csv", line: 3, text: "2,2", user: 2,
                                                  otherFile: path + "/train.csv", otherLine: 3)) {
            try StrongGeneralizationSplit.loadVAECF(folder: path)
        }
        withExtendedLifetime(fixture) {}
    }

    @Test func aUserInBothValidationAndTestIsAnError() throws {
        let (fixture, path) = try Self.folder(train: "1,0\n", test: ("20,1\n", "10,2\n"))
        #expect(throws: DataError.overlappingUser(file: path + "/test_te.csv.gz", line: 2, text: "10,2", user: 10,
                                                  otherFile: path + "/validation_tr.csv", otherLine: 2)) {
            try StrongGeneralizationSplit.loadVAECF(folder: path)
        }
        withExtendedLifetime(fixture) {}
    }

    @Test func aRepeatedItemIDInUniqueSidIsAnError() throws {
        let (fixture, path) = try Self.folder(train: "1,0\n")
        fixture.write("vae/unique_sid.txt", "50\n60\n50\n")
        #expect(throws: DataError.malformedLine(file: path + "/unique_sid.txt", line: 3, text: "50",
                                                reason: "item id 50 already on line 1")) {
            try StrongGeneralizationSplit.loadVAECF(folder: path)
        }
    }

    @Test func aMissingHeaderDoesNotEatTheFirstPair() throws {
        let (fixture, path) = try Self.folder(train: "")
        fixture.write("vae/train.csv", "0,0\n1,2\n")
        let split = try StrongGeneralizationSplit.loadVAECF(folder: path)
        #expect(split.train.toDense() == Matrix([[1, 0, 0], [0, 0, 1]]))
    }
}
