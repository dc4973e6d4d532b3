extension DataRequest {
    /// The ratings of a GroupLens zip archive (`ml-1m.zip` holding `ml-1m/ratings.dat`, …), read
    /// straight from the archive; the format is the ratings entry's (`--format` is not needed).
    func archiveInteractions(path: String, log: (String) -> Void) throws -> Interactions {
        guard case (let entry, var delimited)? = try Interactions.movieLensRatingsEntry(in: path) else {
            throw DataError.cannotOpen(file: path, reason: "no MovieLens ratings file (u.data, ratings.dat or ratings.csv) in the archive")
        }
        delimited.duplicates = duplicates
        let interactions = try Interactions.load(archivePath: path, entry: entry, format: delimited)
        if interactions.duplicateCount > 0 { log(duplicates.summary(droppedRows: interactions.duplicateCount)) }
        return interactions
    }
}
