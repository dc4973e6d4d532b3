// bfloat16 GEMM on AMX tiles (AMX-TILE, AMX-BF16: tdpbf16ps multiplies a 16×32 bf16 tile by a
// 32×16 one into 16×16 fp32 sums). Same contract, packing and rounding as BF16GEMM.c; only the
// micro-kernel differs: a 32×32 block of C in four accumulator tiles. On the CPU this was written on,
// vdpbf16ps issued at a quarter of the rate of vfmadd231ps (so half its multiply-adds per second),
// and the AVX512_BF16 kernel ran at ≈ 0.5× OpenBLAS fp32, while one AMX instruction does 16·16·32 multiply-adds (BENCHMARKS.md §13).
//
// Linux asks the kernel for the tile state once per process (arch_prctl ARCH_REQ_XCOMP_PERM);
// each call loads the tile configuration on its own thread and releases it at the end.
#include "CBF16Kernels.h"

#if defined(__x86_64__) && defined(__linux__)
#include <cpuid.h>
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int zoo_amx_bf16_supported(void) {
    if (!zoo_bf16_cpu_supported()) return 0;                     // the packing uses AVX512_BF16
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    unsigned amx = (1u << 22) | (1u << 24);                      // AMX-BF16, AMX-TILE
    if ((edx & amx) != amx) return 0;
    // ARCH_REQ_XCOMP_PERM (0x1023) for XFEATURE_XTILEDATA (18): without it a tile load faults.
    if (syscall(SYS_arch_prctl, 0x1023, 18) != 0) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (lo & (3u << 17)) == (3u << 17) ? 1 : 0;             // XTILECFG, XTILEDATA enabled
}

#pragma clang attribute push(__attribute__((target("avx512f,avx512bf16,avx512vl,avx512bw,amx-tile,amx-bf16"))), apply_to = function)

#include "BF16Packing.h"

// Blocking: C blocks of TM × NR (32 × 32); depth panels of AMX_KC values (a multiple of 32, whole
// B tiles); as many rows of A packed at once as fit AMX_A_BYTES (the L2 share of A), so that for
// the batch sizes of our models A is packed once per depth panel; each B sliver (NR columns) is
// packed right before the row blocks that use it, so B is converted once per row block.
enum { TM = 32, AMX_KC = 1024 };
static const long AMX_A_BYTES = 1L << 20;

// op(A)[ic..<ic+mb, pc..<pc+kb] as slivers of TM rows, each row's pairs contiguous (A tiles' layout):
// sliver s, row r, pair q at out[(s·TM + r)·padded + q]; zero past the valid rows, kb and `padded`.
static void pack_a_rows(const float *a, long lda, int transposed, long ic, long mb, long pc, long kb, long padded,
                        uint32_t *out) {
    long pairs = (kb + 1) / 2;
    for (long i0 = 0; i0 < mb; i0 += TM, out += TM * padded) {
        long valid = mb - i0 < TM ? mb - i0 : TM;
        memset(out, 0, (size_t)(TM * padded) * sizeof(uint32_t));
        if (!transposed) {
            for (long r = 0; r < valid; r++) {
                const float *source = a + (ic + i0 + r) * lda + pc;
                for (long q0 = 0; q0 < pairs; q0 += 16)
                    _mm512_mask_storeu_epi32(out + r * padded + q0, lanes(pairs - q0),
                                             pairs_along(source + 2 * q0, kb - 2 * q0));
            }
        } else {
            // op(A)[i, p] = A[p, i]: rows p and p + 1 give sixteen rows' pairs at once.
            const __m512i index = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                                     _mm512_set1_epi32((int)padded));
            for (long q = 0; q < pairs; q++) {
                const float *row0 = a + (pc + 2 * q) * lda + ic + i0;
                const float *row1 = 2 * q + 1 < kb ? row0 + lda : NULL;
                for (long r0 = 0; r0 < valid; r0 += 16)
                    _mm512_mask_i32scatter_epi32(out + r0 * padded + q, lanes(valid - r0), index,
                                                 pairs_across(row0 + r0, row1 ? row1 + r0 : NULL, valid - r0), 4);
            }
        }
    }
}

struct tile_config { uint8_t palette, start_row; uint8_t reserved[14]; uint16_t colsb[16]; uint8_t rows[16]; };

// C[rows, cols] (at most 32 × 32) = alpha·Ã·B̃ + beta·C from a packed A sliver (TM rows of `padded`
// pairs) and B sliver (`padded` pairs of NR columns); `scratch` holds the 32 × 32 sums.
static inline void amx_block(long padded, const uint32_t *ap, const uint32_t *bp, float *c, long ldc,
                             long rows, long cols, float alpha, float beta, float *scratch) {
    _tile_zero(0); _tile_zero(1); _tile_zero(2); _tile_zero(3);
    long aStride = padded * 4;
    for (long kk = 0; kk < padded; kk += 16) {
        _tile_loadd(4, ap + kk, aStride);                       // rows 0-15, 32 depth values
        _tile_loadd(5, ap + 16 * padded + kk, aStride);         // rows 16-31
        _tile_loadd(6, bp + kk * NR, NR * 4);                   // 16 pairs × columns 0-15
        _tile_loadd(7, bp + kk * NR + 16, NR * 4);              // columns 16-31
        _tile_dpbf16ps(0, 4, 6);
        _tile_dpbf16ps(1, 4, 7);
        _tile_dpbf16ps(2, 5, 6);
        _tile_dpbf16ps(3, 5, 7);
    }
    _tile_stored(0, scratch, NR * 4);
    _tile_stored(1, scratch + 16, NR * 4);
    _tile_stored(2, scratch + 16 * NR, NR * 4);
    _tile_stored(3, scratch + 16 * NR + 16, NR * 4);
    for (long r = 0; r < rows; r++)
        store_row(c + r * ldc, _mm512_loadu_ps(scratch + r * NR), _mm512_loadu_ps(scratch + r * NR + 16), cols, alpha, beta);
}

void zoo_amx_bf16_gemm(long m, long n, long k, float alpha,
                       const float *a, long lda, int transpose_a,
                       const float *b, long ldb, int transpose_b,
                       float beta, float *c, long ldc) {
    struct tile_config config;
    memset(&config, 0, sizeof config);
    config.palette = 1;
    for (int t = 0; t < 8; t++) { config.colsb[t] = 64; config.rows[t] = 16; }
    _tile_loadconfig(&config);

    long kcMax = k < AMX_KC ? k : AMX_KC, paddedMax = (kcMax + 31) / 32 * 16;
    long mc = AMX_A_BYTES / (paddedMax * 4) / TM * TM;
    if (mc < TM) mc = TM;
    if (mc > (m + TM - 1) / TM * TM) mc = (m + TM - 1) / TM * TM;
    uint32_t *bPack = aligned_alloc(64, (size_t)(NR * paddedMax * 4 + 63) & ~(size_t)63);
    uint32_t *aPack = aligned_alloc(64, (size_t)(mc * paddedMax * 4 + 63) & ~(size_t)63);
    float *scratch = aligned_alloc(64, TM * NR * sizeof(float));
    if (!bPack || !aPack || !scratch) abort();
    for (long pc = 0; pc < k; pc += AMX_KC) {
        long kb = k - pc < AMX_KC ? k - pc : AMX_KC, padded = (kb + 31) / 32 * 16;
        float panelBeta = pc == 0 ? beta : 1;                      // later depth panels add
        for (long ic = 0; ic < m; ic += mc) {
            long mb = m - ic < mc ? m - ic : mc;
            pack_a_rows(a, lda, transpose_a, ic, mb, pc, kb, padded, aPack);
            for (long jr = 0; jr < n; jr += NR) {
                long cols = n - jr < NR ? n - jr : NR;
                pack_b(b, ldb, transpose_b, pc, kb, jr, cols, padded, bPack);
                for (long ir = 0; ir < mb; ir += TM) {
                    amx_block(padded, aPack + (ir / TM) * TM * padded, bPack, c + (ic + ir) * ldc + jr, ldc,
                              mb - ir < TM ? mb - ir : TM, cols, alpha, panelBeta, scratch);
                }
            }
        }
    }
    free(bPack);
    free(aPack);
    free(scratch);
    _tile_release();
}

#pragma clang attribute pop

#else

int zoo_amx_bf16_supported(void) { return 0; }

void zoo_amx_bf16_gemm(long m, long n, long k, float alpha, const float *a, long lda, int transpose_a,
                       const float *b, long ldb, int transpose_b, float beta, float *c, long ldc) {
    (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda; (void)transpose_a;
    (void)b; (void)ldb; (void)transpose_b; (void)beta; (void)c; (void)ldc;
    __builtin_trap();                                      // never called: the CPU check says 0
}

#endif
