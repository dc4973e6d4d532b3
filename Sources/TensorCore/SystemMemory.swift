#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The machine's physical memory, for models that check a size before they allocate it (EASE's
/// [I, I] matrix refuses data whose matrix cannot fit, instead of being killed mid-fit).
public enum SystemMemory {
    /// Physical memory in bytes (`sysconf` pages × page size), or nil when the system does not say.
    public static var physicalBytes: Int? {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return nil }
        let (bytes, overflow) = Int(pages).multipliedReportingOverflow(by: Int(pageSize))
        return overflow ? Int.max : bytes
    }

    /// `bytes` with two decimals in GiB from 1 GiB up, else in MiB: `1.51 GiB`, `46.65 MiB`.
    public static func describe(_ bytes: Int) -> String {
        let (unit, name) = bytes >= 1 << 30 ? (Double(1 << 30), "GiB") : (Double(1 << 20), "MiB")
        let hundredths = Int((Double(bytes) / unit * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100) \(name)"
    }
}
