// bfloat16 GEMM for CPUs with AVX512_BF16: fp32 operands are rounded to bfloat16 as they are packed
// (vcvtne2ps2bf16: nearest, ties to even), the micro-kernel multiplies pairs of them and accumulates
// in fp32 with vdpbf16ps. Goto & van de Geijn loop order, as the built-in fp32 GEMM
// (Kernels+GEMMBuiltin.swift); threads are the caller's (Kernels+BFloat16GEMM.swift hands each
// thread one piece of GEMMPartition's plan), so this file is single-threaded.
//
// Every function carries a target attribute instead of a compiler flag, so the package builds with
// default flags and the binary runs on any x86-64; zoo_bf16_cpu_supported() guards the calls.
#include "CBF16Kernels.h"
#include "CCPUFeatures.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#include <stdlib.h>

int zoo_bf16_cpu_supported(void) {
    if (!zoo_cpu_avx512_usable()) return 0;                                    // AVX512F, state saved
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    unsigned avx512 = (1u << 16) | (1u << 30) | (1u << 31);                    // F, BW, VL
    if ((ebx & avx512) != avx512) return 0;
    if (!__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) return 0;
    return (eax & (1u << 5)) ? 1 : 0;                                          // AVX512_BF16
}

#pragma clang attribute push(__attribute__((target("avx512f,avx512bf16,avx512vl,avx512bw"))), apply_to = function)

// Micro-tile: MR rows × NR columns of C in 2·MR zmm accumulators. Depth is counted in pairs
// (q = p / 2): vdpbf16ps adds a[2q]·b[2q] + a[2q+1]·b[2q+1] into each fp32 lane.
enum { MR = 12, KC = 384, MC = 240, NC = 2048 };

#include "BF16Packing.h"

// op(A)[ic..<ic+mb, pc..<pc+kb] as slivers of MR rows: sliver s, pair q, row r at
// out[(s·pairs + q)·MR + r] (zero past the valid rows and past kb).
static void pack_a(const float *a, long lda, int transposed, long ic, long mb, long pc, long kb, uint32_t *out) {
    long pairs = (kb + 1) / 2;
    for (long i0 = 0; i0 < mb; i0 += MR, out += pairs * MR) {
        long valid = mb - i0 < MR ? mb - i0 : MR;
        if (transposed) {
            for (long q = 0; q < pairs; q++) {
                const float *row0 = a + (pc + 2 * q) * lda + ic + i0;
                const float *row1 = 2 * q + 1 < kb ? row0 + lda : NULL;
                _mm512_mask_storeu_epi32(out + q * MR, lanes(MR), pairs_across(row0, row1, valid));
            }
        } else {
            for (long r = 0; r < valid; r++) scatter_line(a + (ic + i0 + r) * lda + pc, kb, out + r, MR);
            for (long r = valid; r < MR; r++)
                for (long q = 0; q < pairs; q++) out[q * MR + r] = 0;
        }
    }
}

// C[rows, cols] (a tile of at most MR × NR) = alpha·Ã·B̃ + beta·C, beta == 0 not reading C.
static inline void micro_kernel(long pairs, const uint32_t *ap, const uint32_t *bp, float *c, long ldc,
                                long rows, long cols, float alpha, float beta) {
    __m512 acc[MR][2];
    for (int r = 0; r < MR; r++) { acc[r][0] = _mm512_setzero_ps(); acc[r][1] = _mm512_setzero_ps(); }
    for (long q = 0; q < pairs; q++) {
        __m512bh b0 = (__m512bh)_mm512_loadu_si512(bp + q * NR);
        __m512bh b1 = (__m512bh)_mm512_loadu_si512(bp + q * NR + 16);
        const uint32_t *aq = ap + q * MR;
        for (int r = 0; r < MR; r++) {
            __m512bh ar = (__m512bh)_mm512_set1_epi32((int)aq[r]);
            acc[r][0] = _mm512_dpbf16_ps(acc[r][0], ar, b0);
            acc[r][1] = _mm512_dpbf16_ps(acc[r][1], ar, b1);
        }
    }
    for (int r = 0; r < MR && r < rows; r++) store_row(c + r * ldc, acc[r][0], acc[r][1], cols, alpha, beta);
}

void zoo_bf16_convert(const float *src, uint16_t *dst, long count) {
    for (long i = 0; i < count; i += 16) {
        __mmask16 mask = lanes(count - i);
        __m256bh y = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(mask, src + i));
        _mm256_mask_storeu_epi16(dst + i, mask, (__m256i)y);
    }
}

void zoo_bf16_gemm(long m, long n, long k, float alpha,
                   const float *a, long lda, int transpose_a,
                   const float *b, long ldb, int transpose_b,
                   float beta, float *c, long ldc) {
    long ncMax = n < NC ? n : NC, kcMax = k < KC ? k : KC, mcMax = m < MC ? m : MC;
    long bSlivers = (ncMax + NR - 1) / NR, aSlivers = (mcMax + MR - 1) / MR, pairsMax = (kcMax + 1) / 2;
    uint32_t *bPack = aligned_alloc(64, (size_t)(bSlivers * NR * pairsMax * 4 + 64) & ~(size_t)63);
    uint32_t *aPack = aligned_alloc(64, (size_t)(aSlivers * MR * pairsMax * 4 + 64) & ~(size_t)63);
    if (!bPack || !aPack) abort();
    for (long jc = 0; jc < n; jc += NC) {
        long nb = n - jc < NC ? n - jc : NC;
        for (long pc = 0; pc < k; pc += KC) {
            long kb = k - pc < KC ? k - pc : KC, pairs = (kb + 1) / 2;
            pack_b(b, ldb, transpose_b, pc, kb, jc, nb, pairs, bPack);
            float panelBeta = pc == 0 ? beta : 1;                  // later depth panels add
            for (long ic = 0; ic < m; ic += MC) {
                long mb = m - ic < MC ? m - ic : MC;
                pack_a(a, lda, transpose_a, ic, mb, pc, kb, aPack);
                for (long jr = 0; jr < nb; jr += NR) {
                    const uint32_t *bSliver = bPack + (jr / NR) * pairs * NR;
                    for (long ir = 0; ir < mb; ir += MR) {
                        micro_kernel(pairs, aPack + (ir / MR) * pairs * MR, bSliver,
                                     c + (ic + ir) * ldc + jc + jr, ldc,
                                     mb - ir < MR ? mb - ir : MR, nb - jr < NR ? nb - jr : NR, alpha, panelBeta);
                    }
                }
            }
        }
    }
    free(bPack);
    free(aPack);
}

#pragma clang attribute pop

#else

int zoo_bf16_cpu_supported(void) { return 0; }

void zoo_bf16_convert(const float *src, uint16_t *dst, long count) {
    (void)src; (void)dst; (void)count;
    __builtin_trap();                                      // never called: the CPU check says 0
}

void zoo_bf16_gemm(long m, long n, long k, float alpha, const float *a, long lda, int transpose_a,
                   const float *b, long ldb, int transpose_b, float beta, float *c, long ldc) {
    (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda; (void)transpose_a;
    (void)b; (void)ldb; (void)transpose_b; (void)beta; (void)c; (void)ldc;
    __builtin_trap();                                      // never called: the CPU check says 0
}

#endif
