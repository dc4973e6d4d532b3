import TensorCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which of OpenBLAS's kernel families runs, and the repair when its CPU detection fails.
///
/// A `DYNAMIC_ARCH` OpenBLAS picks its kernels when it is loaded, from the CPU's family and model
/// numbers. A CPU newer than the library (Debian 12's OpenBLAS 0.3.21 on a 2023+ Xeon, seen here)
/// is not in its table, and it falls back to `Prescott`: SSE3 kernels, ≈ 40 GFLOP/s where its
/// AVX-512 kernels reach ≈ 200 (`BENCHMARKS.md` §4) — every model five times slower, silently.
/// OpenBLAS honours `OPENBLAS_CORETYPE` at load time, so when the library reports a kernel family
/// without AVX while the CPU's own flags show AVX2 or AVX-512, `BLASLibrary.load` sets the variable
/// to the family those flags can run (`Haswell`, `SkylakeX`) and loads the library again. Only a
/// failed detection is repaired: a library that chose any AVX family is left alone (its choice may
/// be deliberate, e.g. `Zen` kernels on an AMD CPU), and a value the user set is never touched.
public enum BLASCoreType {
    /// OpenBLAS's own variable, read once when the library is loaded.
    public static let environmentVariable = RuntimeOptions.Variable.openBLASCoreType

    /// The widest vector instruction set a kernel family needs, or a CPU offers.
    enum Tier: Int, Comparable {
        case baseline = 0, avx, avx2, avx512
        static func < (a: Tier, b: Tier) -> Bool { a.rawValue < b.rawValue }
    }

    /// The tier of an OpenBLAS core name (`openblas_get_corename`, x86-64 `DYNAMIC_ARCH` names);
    /// unknown names count as baseline, so they are never mistaken for a good choice.
    static func tier(ofCore name: String) -> Tier {
        switch name.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return .avx512
        case "haswell", "zen", "excavator": return .avx2
        case "sandybridge", "bulldozer", "piledriver", "steamroller": return .avx
        default: return .baseline
        }
    }

    /// The tier of a CPU from its feature flags (the `flags` line of `/proc/cpuinfo`). AVX-512
    /// counts only with the subsets OpenBLAS's SkylakeX kernels use (F, CD, BW, DQ, VL).
    static func tier(ofCPUFlags flags: Set<String>) -> Tier {
        if ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) { return .avx512 }
        if flags.contains("avx2") && flags.contains("fma") { return .avx2 }
        if flags.contains("avx") { return .avx }
        return .baseline
    }

    /// The core type to ask for, or nil to keep the library's choice: only when the user has not
    /// set the variable, the library chose a family without AVX, and the CPU offers AVX2 or more.
    static func replacement(detected: String, cpuFlags: Set<String>, userValue: String?) -> String? {
        guard userValue == nil, tier(ofCore: detected) == .baseline else { return nil }
        switch tier(ofCPUFlags: cpuFlags) {
        case .avx512: return "SkylakeX"
        case .avx2: return "Haswell"
        case .avx, .baseline: return nil
        }
    }

    /// The flags of the first `flags` line of a `/proc/cpuinfo` text (empty when there is none).
    static func cpuFlags(cpuinfo: String) -> Set<String> {
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        }
        return []
    }

    /// This CPU's flags (Linux; empty elsewhere or when `/proc/cpuinfo` cannot be read).
    static func currentCPUFlags() -> Set<String> {
        #if os(Linux)
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while bytes.count < 1 << 22 {   // a few KiB per processor; give up past 4 MiB
            let read = fread(&buffer, 1, buffer.count, file)
            if read <= 0 { break }
            bytes.append(contentsOf: buffer[0..<read])
        }
        return cpuFlags(cpuinfo: String(decoding: bytes, as: UTF8.self))
        #else
        return []
        #endif
    }

    /// The variable's value in this process, or nil when unset.
    static func userValue() -> String? { RuntimeOptions.current.openBLASCoreType }
}
