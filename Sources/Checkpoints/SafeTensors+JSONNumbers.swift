import Foundation

extension SafeTensors {
    /// A JSON number that is an exact integer of magnitude below 9·10¹⁵ (so that it came from the
    /// text without rounding and any sum or product of a few such numbers is checked before use),
    /// else nil. `true` and `false` are not numbers here.
    static func exactInteger(_ value: Any) -> Int? {
        guard let number = value as? NSNumber, !isBoolean(number) else { return nil }
        let double = number.doubleValue
        guard double.rounded() == double, abs(double) < 9.0e15 else { return nil }
        return number.intValue
    }

    /// Whether a number from `JSONSerialization` was written `true` or `false`.
    static func isBoolean(_ number: NSNumber) -> Bool {
        type(of: number) == type(of: NSNumber(value: true))
    }
}
