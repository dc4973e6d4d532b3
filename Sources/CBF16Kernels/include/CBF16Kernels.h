// CBF16Kernels: the package's own C code for bfloat16 products (AVX512_BF16 intrinsics, which
// Swift cannot spell) and the per-thread product precision. Nothing here is a dependency: it is
// compiled by the toolchain's clang with the package. On other architectures the functions exist
// (so Swift code builds everywhere) and report that the fast path is unavailable.
#ifndef CBF16KERNELS_H
#define CBF16KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this CPU executes AVX512F, AVX512BW, AVX512VL and AVX512_BF16 (CPUID) and the operating
/// system saves the AVX-512 register state (XGETBV); else 0. Always 0 off x86-64.
int zoo_bf16_cpu_supported(void);

/// dst[i] = the bfloat16 bits of src[i] as `vcvtne2ps2bf16` rounds them (nearest, ties to even;
/// NaN made quiet; subnormal inputs become signed zero). Requires zoo_bf16_cpu_supported().
void zoo_bf16_convert(const float *src, uint16_t *dst, long count);

/// C[m, n] = alpha·op(A)·op(B) + beta·C on the calling thread, op(A) [m, k] and op(B) [k, n] rounded
/// to bfloat16 as they are packed, products accumulated in fp32 by `vdpbf16ps`. Row-major operands
/// with leading dimensions lda, ldb, ldc; transpose_a / transpose_b nonzero when op() transposes
/// the stored matrix. beta == 0: C is not read. Requires m, n, k > 0 and zoo_bf16_cpu_supported().
void zoo_bf16_gemm(long m, long n, long k, float alpha,
                   const float *a, long lda, int transpose_a,
                   const float *b, long ldb, int transpose_b,
                   float beta, float *c, long ldc);

/// 1 when zoo_bf16_cpu_supported() and the CPU has AMX-TILE and AMX-BF16 and (Linux) the kernel
/// granted this process the tile state (arch_prctl ARCH_REQ_XCOMP_PERM, asked here); else 0.
int zoo_amx_bf16_supported(void);

/// zoo_bf16_gemm's contract on AMX tiles (tdpbf16ps). Requires zoo_amx_bf16_supported().
void zoo_amx_bf16_gemm(long m, long n, long k, float alpha,
                       const float *a, long lda, int transpose_a,
                       const float *b, long ldb, int transpose_b,
                       float beta, float *c, long ldc);

/// The calling thread's product precision override: -1 (none), else a value the Swift side defines.
int zoo_thread_product_precision(void);
/// Sets the calling thread's override (-1 removes it).
void zoo_set_thread_product_precision(int value);

#ifdef __cplusplus
}
#endif

#endif
