// Packing helpers shared by the AVX512_BF16 and AMX kernels: fp32 panels rounded to bfloat16 pairs
// (vcvtne2ps2bf16) as they are packed. Include inside a region compiled for
// avx512f,avx512bf16,avx512vl,avx512bw (the including file's #pragma clang attribute).
#ifndef BF16PACKING_H
#define BF16PACKING_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

// Columns of one packed B sliver (two zmm of pairs; two AMX B tiles side by side).
enum { NR = 32 };

// 16-bit lane permutation taking [x0[0..15], x1[0..15]] to [x0[0], x1[0], x0[1], x1[1], …].
static inline __m512i interleave_index(void) {
    return _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                            23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
}

static inline __mmask16 lanes(long count) {
    return count >= 16 ? (__mmask16)0xFFFF : (count <= 0 ? (__mmask16)0 : (__mmask16)((1u << count) - 1));
}

// Sixteen (row0[i], row1[i]) pairs as 32-bit lanes, rounded to bfloat16; lanes past `valid` are 0.
static inline __m512i pairs_across(const float *row0, const float *row1, long valid) {
    __mmask16 mask = lanes(valid);
    __m512 x0 = _mm512_maskz_loadu_ps(mask, row0);
    __m512 x1 = row1 ? _mm512_maskz_loadu_ps(mask, row1) : _mm512_setzero_ps();
    __m512i both = (__m512i)_mm512_cvtne2ps_pbh(x1, x0);                         // x0 low, x1 high
    return _mm512_permutexvar_epi16(interleave_index(), both);
}

// Pairs (x[2t], x[2t+1]) of up to 32 contiguous floats (`valid` of them, zero past) as 16 lanes.
static inline __m512i pairs_along(const float *x, long valid) {
    __m512 low = _mm512_maskz_loadu_ps(lanes(valid), x);
    __m512 high = _mm512_maskz_loadu_ps(lanes(valid - 16), x + 16);
    return (__m512i)_mm512_cvtne2ps_pbh(high, low);
}

// Writes op(X)[line, depth] pairs for one line contiguous in depth (`kb` values from `source`) into
// out[q·stride] for q < pairs.
static inline void scatter_line(const float *source, long kb, uint32_t *out, long stride) {
    const __m512i index = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                             _mm512_set1_epi32((int)stride));
    long pairs = (kb + 1) / 2;
    for (long q0 = 0; q0 < pairs; q0 += 16) {
        __m512i values = pairs_along(source + 2 * q0, kb - 2 * q0);
        _mm512_mask_i32scatter_epi32(out + q0 * stride, lanes(pairs - q0), index, values, 4);
    }
}

// op(B)[pc..<pc+kb, jc..<jc+nb] as slivers of NR (32) columns: sliver s, pair q, column j at
// out[(s·padded + q)·NR + j] (zero past the valid columns, past kb, and for pairs up to `padded`,
// which the AMX kernel rounds up to whole tiles).
static void pack_b(const float *b, long ldb, int transposed, long pc, long kb, long jc, long nb, long padded, uint32_t *out) {
    long pairs = (kb + 1) / 2;
    for (long j0 = 0; j0 < nb; j0 += NR, out += padded * NR) {
        if (padded > pairs) memset(out + pairs * NR, 0, (size_t)((padded - pairs) * NR) * sizeof(uint32_t));
        long valid = nb - j0 < NR ? nb - j0 : NR;
        if (!transposed) {
            for (long q = 0; q < pairs; q++) {
                const float *row0 = b + (pc + 2 * q) * ldb + jc + j0;
                const float *row1 = 2 * q + 1 < kb ? row0 + ldb : NULL;
                _mm512_storeu_si512(out + q * NR, pairs_across(row0, row1, valid));
                _mm512_storeu_si512(out + q * NR + 16, pairs_across(row0 + 16, row1 ? row1 + 16 : NULL, valid - 16));
            }
        } else {
            for (long j = 0; j < valid; j++) scatter_line(b + (jc + j0 + j) * ldb + pc, kb, out + j, NR);
            for (long j = valid; j < NR; j++)
                for (long q = 0; q < pairs; q++) out[q * NR + j] = 0;
        }
    }
}

// One row of up to 32 columns of C: row = alpha·(y0, y1) + beta·row, beta == 0 not reading it.
static inline void store_row(float *row, __m512 y0, __m512 y1, long cols, float alpha, float beta) {
    __mmask16 m0 = lanes(cols), m1 = lanes(cols - 16);
    __m512 va = _mm512_set1_ps(alpha);
    y0 = _mm512_mul_ps(va, y0);
    y1 = _mm512_mul_ps(va, y1);
    if (beta != 0) {
        __m512 vb = _mm512_set1_ps(beta);
        y0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, row), y0);
        y1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, row + 16), y1);
    }
    _mm512_mask_storeu_ps(row, m0, y0);
    _mm512_mask_storeu_ps(row + 16, m1, y1);
}

#endif
