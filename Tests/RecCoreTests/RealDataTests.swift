import Foundation
import Testing
@testable import RecCore

/// Checks on the real data sets in `../shared/data` (or `$AUTOENCODERZOO_DATA`); each test is
/// disabled, with a printed reason, where its file is absent.
@Suite struct RealDataTests {
    @Test(.enabled(if: RealData.available("ml-100k/u.data.gz"), "ml-100k/u.data.gz is absent"))
    func movieLens100K() throws {
        let table = try Interactions.loadMovieLens(path: try #require(RealData.file("ml-100k/u.data.gz")))
        #expect(table.count == 100_000 && table.userCount == 943 && table.itemCount == 1_682)
        #expect(table.hasTimestamps)
    }

    @Test(.enabled(if: RealData.available("ml-1m/ratings.uir.csv.gz"), "ml-1m/ratings.uir.csv.gz is absent"))
    func movieLens1MFilterKeeps6034Users() throws {
        let path = try #require(RealData.file("ml-1m/ratings.uir.csv.gz"))
        let format = DelimitedFormat(delimiter: ",", hasHeader: true, timestampColumn: nil, fieldCount: 3,
                                     duplicates: .reject)
        let table = try Interactions.load(path: path, format: format)
        #expect(table.count == 1_000_209 && table.userCount == 6_040 && table.itemCount == 3_706)
        #expect(StrongGeneralizationSplit.qualifyingUsers(in: table).count == 6_034)
        let split = StrongGeneralizationSplit.make(from: table, heldOutUsers: 600)
        #expect(split.train.rows == 4_834 && split.validation.userCount == 600 && split.test.userCount == 600)
    }

    @Test(.enabled(if: RealData.available("ml-1m/vae_cf_pro_sg/train.csv.gz"), "ml-1m/vae_cf_pro_sg is absent"))
    func vaeCFMovieLens1MSplit() throws {
        let folder = try #require(RealData.file("ml-1m/vae_cf_pro_sg"))
        let split = try StrongGeneralizationSplit.loadVAECF(folder: folder)
        #expect(split.train.rows == 4_834)
        #expect(split.validation.userCount == 600 && split.test.userCount == 600)
        #expect(split.itemCount == 3_497)
        #expect(split.train.nonZeroCount == 462_827)
        #expect(split.validation.foldIn.nonZeroCount == 46_146 && split.validation.target.nonZeroCount == 11_228)
        #expect(split.test.foldIn.nonZeroCount == 44_266 && split.test.target.nonZeroCount == 10_761)
    }
}
