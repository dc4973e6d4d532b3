import Testing
@testable import Kernels

/// `BLASCoreType`: a failed OpenBLAS CPU detection (generic kernels on an AVX2 / AVX-512 CPU) is
/// repaired; every other choice, and every value the user set, is left alone.
@Suite struct BLASCoreTypeTests {
    static let avx512Flags: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw",
                                           "avx512dq", "avx512vl", "avx512_fp16"]
    static let avx2Flags: Set<String> = ["sse3", "avx", "avx2", "fma"]

    @Test func aGenericChoiceOnANewerCPUIsReplaced() {
        #expect(BLASCoreType.replacement(detected: "Prescott", cpuFlags: Self.avx512Flags, userValue: nil) == "SkylakeX")
        #expect(BLASCoreType.replacement(detected: "Prescott", cpuFlags: Self.avx2Flags, userValue: nil) == "Haswell")
        #expect(BLASCoreType.replacement(detected: "Nehalem", cpuFlags: Self.avx512Flags, userValue: nil) == "SkylakeX")
        #expect(BLASCoreType.replacement(detected: "Unknown", cpuFlags: Self.avx2Flags, userValue: nil) == "Haswell")
    }

    @Test func anAVXChoiceOrAnOldCPUIsKept() {
        for core in ["SkylakeX", "Cooperlake", "Haswell", "Zen", "Sandybridge"] {
            #expect(BLASCoreType.replacement(detected: core, cpuFlags: Self.avx512Flags, userValue: nil) == nil, "\(core)")
        }
        // A CPU without AVX2 + FMA gains nothing from a replacement.
        #expect(BLASCoreType.replacement(detected: "Prescott", cpuFlags: ["sse3", "avx"], userValue: nil) == nil)
        #expect(BLASCoreType.replacement(detected: "Prescott", cpuFlags: [], userValue: nil) == nil)
        // AVX-512 without the subsets SkylakeX kernels use counts as AVX2.
        #expect(BLASCoreType.replacement(detected: "Prescott", cpuFlags: ["avx", "avx2", "fma", "avx512f"],
                                         userValue: nil) == "Haswell")
    }

    @Test func aValueTheUserSetIsKept() {
        #expect(BLASCoreType.replacement(detected: "Prescott", cpuFlags: Self.avx512Flags, userValue: "Prescott") == nil)
        #expect(BLASCoreType.replacement(detected: "Prescott", cpuFlags: Self.avx512Flags, userValue: "") == nil)
    }

    @Test func flagsAreReadFromTheFirstFlagsLine() {
        let text = """
        processor\t: 0
        model name\t: Intel(R) Xeon(R) Processor
        flags\t\t: fpu sse3 avx avx2 fma avx512f
        bugs\t\t: spectre_v1

        processor\t: 1
        flags\t\t: fpu
        """
        #expect(BLASCoreType.cpuFlags(cpuinfo: text) == ["fpu", "sse3", "avx", "avx2", "fma", "avx512f"])
        #expect(BLASCoreType.cpuFlags(cpuinfo: "processor : 0\n").isEmpty)
    }

    /// On this machine: once the library is loaded, it does not run generic kernels where the CPU
    /// has AVX2 or more, unless the user asked for them.
    @Test func theLoadedLibraryRunsKernelsThisCPUCanUse() throws {
        guard let library = Kernels.blasLibrary, let core = library.coreName else { return }   // not OpenBLAS
        let cpu = BLASCoreType.tier(ofCPUFlags: BLASCoreType.currentCPUFlags())
        guard cpu >= .avx2 else { return }
        if let user = BLASCoreType.userValue(), library.coreNote == nil,
           BLASCoreType.tier(ofCore: user) == .baseline { return }   // the user chose generic kernels
        #expect(BLASCoreType.tier(ofCore: core) > .baseline, "OpenBLAS runs \(core) kernels on an AVX2+ CPU")
    }
}
