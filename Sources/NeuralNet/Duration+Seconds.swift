extension Duration {
    /// The duration in seconds as a Double (seconds plus attoseconds), as progress and reports print it.
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
