#ifndef CCPUFEATURES_H
#define CCPUFEATURES_H

/// 1 when this x86-64 CPU has AVX512F and the operating system saves the ZMM and opmask state
/// (OSXSAVE, and XCR0's SSE, AVX, opmask and both ZMM bits); 0 otherwise and on other CPUs. The
/// one check the C kernels' run-time dispatch starts from (each then asks CPUID for its own
/// extensions).
int zoo_cpu_avx512_usable(void);

#endif
