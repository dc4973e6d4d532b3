import RecCore

extension ModelEntry {
    /// Throws unless `space` can tune this entry on data of `shape` from `options`: every range and
    /// list has a value (`SearchSpaceError.emptyRange`), and the entry accepts every key, built with
    /// the paper values and with each range's ends (`SearchSpaceError.unknownSetting`, naming the
    /// key; a value the configuration refuses throws its `ModelZooError`).
    public func check(_ space: SearchSpace, shape: DataShape, options: ModelOptions) throws {
        for dimension in space.dimensions { try dimension.validate(model: name) }
        let probes = [space.paperValues] + [0.0, 0.999_999].map { end in
            Dictionary(uniqueKeysWithValues: space.dimensions.map { ($0.key, $0.value(at: end)) })
        }
        for probe in probes {
            var probed = options
            probed.overrides.merge(probe) { _, tuned in tuned }
            do {
                _ = try parameterCount(shape, probed)
            } catch ModelZooError.unknownOption(_, let key, let known) where space.keys.contains(key) {
                throw SearchSpaceError.unknownSetting(model: name, key: key, known: known)
            }
        }
    }
}
