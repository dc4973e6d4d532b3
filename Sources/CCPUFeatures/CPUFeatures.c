#include "CCPUFeatures.h"

#if defined(__x86_64__)
#include <cpuid.h>

int zoo_cpu_avx512_usable(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 27))) return 0;   // OSXSAVE
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    // XCR0: SSE (1), AVX (2), opmask (5), ZMM0-15 upper halves (6), ZMM16-31 (7) enabled by the OS.
    if ((lo & 0xE6u) != 0xE6u) return 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    return (ebx & (1u << 16)) ? 1 : 0;                                                 // AVX512F
}

#else

int zoo_cpu_avx512_usable(void) { return 0; }

#endif
