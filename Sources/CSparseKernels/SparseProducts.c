// AVX-512 loops for the CSR products (contract: include/CSparseKernels.h). Every function carries
// a target attribute instead of a compiler flag, so the package builds with default flags and the
// binary runs on any x86-64; zoo_sparse_avx512_supported() guards the calls.
//
// Identical bits to the Swift loops: each element gets a product then a sum (contraction to FMA is
// switched off below), in the same order; vector width only changes how many elements go at once.
#include "CSparseKernels.h"
#include "CCPUFeatures.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

#pragma clang fp contract(off)

int zoo_sparse_avx512_supported(void) { return zoo_cpu_avx512_usable(); }

#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)

// Lanes of the last vector of a `width`-float block: all 16, or width mod 16.
static inline __mmask16 tail_mask(long width) {
    long rest = width & 15;
    return rest == 0 ? (__mmask16)0xFFFF : (__mmask16)((1u << rest) - 1);
}

// zoo_csr_dense_block for a block of exactly `nv` vectors (the last one masked); nv is a constant
// at every call site, so the sums stay in registers.
static inline __attribute__((always_inline))
void csr_dense_block(const long *rp, const int32_t *ci, const float *cv, long r0, long r1,
                     const float *d, long ldd, float *y, long ldy, const int nv, __mmask16 last) {
    for (long r = r0; r < r1; r++) {
        __m512 acc[8];
        for (int k = 0; k < nv; k++) acc[k] = _mm512_setzero_ps();
        for (long e = rp[r]; e < rp[r + 1]; e++) {
            const float *x = d + (long)ci[e] * ldd;
            __m512 v = _mm512_set1_ps(cv[e]);
            for (int k = 0; k < nv - 1; k++)
                acc[k] = _mm512_add_ps(acc[k], _mm512_mul_ps(_mm512_loadu_ps(x + 16 * k), v));
            acc[nv - 1] = _mm512_add_ps(acc[nv - 1], _mm512_mul_ps(_mm512_maskz_loadu_ps(last, x + 16 * (nv - 1)), v));
        }
        float *out = y + r * ldy;
        for (int k = 0; k < nv - 1; k++) _mm512_storeu_ps(out + 16 * k, acc[k]);
        _mm512_mask_storeu_ps(out + 16 * (nv - 1), last, acc[nv - 1]);
    }
}

void zoo_csr_dense_block(const long *rp, const int32_t *ci, const float *cv, long r0, long r1,
                         const float *d, long ldd, long width, float *y, long ldy) {
    if (width <= 0) return;
    __mmask16 last = tail_mask(width);
    switch ((width + 15) / 16) {
    case 1: csr_dense_block(rp, ci, cv, r0, r1, d, ldd, y, ldy, 1, last); break;
    case 2: csr_dense_block(rp, ci, cv, r0, r1, d, ldd, y, ldy, 2, last); break;
    case 3: csr_dense_block(rp, ci, cv, r0, r1, d, ldd, y, ldy, 3, last); break;
    case 4: csr_dense_block(rp, ci, cv, r0, r1, d, ldd, y, ldy, 4, last); break;
    case 5: csr_dense_block(rp, ci, cv, r0, r1, d, ldd, y, ldy, 5, last); break;
    case 6: csr_dense_block(rp, ci, cv, r0, r1, d, ldd, y, ldy, 6, last); break;
    case 7: csr_dense_block(rp, ci, cv, r0, r1, d, ldd, y, ldy, 7, last); break;
    default: csr_dense_block(rp, ci, cv, r0, r1, d, ldd, y, ldy, 8, last); break;
    }
}

// Asks for the `bytes` starting at p, a cache line at a time.
static inline void prefetch_row(const float *p, long bytes) {
    const char *c = (const char *)p;
    for (long offset = 0; offset < bytes; offset += 64) _mm_prefetch(c + offset, _MM_HINT_T0);
}

void zoo_csr_dense_rows(const long *rp, const int32_t *ci, const float *cv, long r0, long r1,
                        const float *d, long ldd, long width, float *y, long ldy, long prefetch) {
    if (width <= 0) return;
    long whole = width & ~15L;
    __mmask16 last = (__mmask16)((1u << (width & 15)) - 1);
    long end = rp[r1];
    for (long r = r0; r < r1; r++) {
        float *out = y + r * ldy;
        for (long e = rp[r]; e < rp[r + 1]; e++) {
            if (prefetch > 0 && e + prefetch < end) prefetch_row(d + (long)ci[e + prefetch] * ldd, width * 4);
            const float *x = d + (long)ci[e] * ldd;
            __m512 v = _mm512_set1_ps(cv[e]);
            for (long j = 0; j < whole; j += 16)
                _mm512_storeu_ps(out + j, _mm512_add_ps(_mm512_loadu_ps(out + j), _mm512_mul_ps(_mm512_loadu_ps(x + j), v)));
            if (last)
                _mm512_mask_storeu_ps(out + whole, last,
                                      _mm512_add_ps(_mm512_maskz_loadu_ps(last, out + whole),
                                                    _mm512_mul_ps(_mm512_maskz_loadu_ps(last, x + whole), v)));
        }
    }
}

static inline __attribute__((always_inline))
void csr_transpose_dense_block(const long *rp, const int32_t *ci, const float *cv, long rows, float alpha,
                               const float *d, long ldd, float *g, long ldg, const int nv, __mmask16 last) {
    for (long r = 0; r < rows; r++) {
        if (rp[r] == rp[r + 1]) continue;
        __m512 x[8];
        const float *row = d + r * ldd;
        for (int k = 0; k < nv - 1; k++) x[k] = _mm512_loadu_ps(row + 16 * k);
        x[nv - 1] = _mm512_maskz_loadu_ps(last, row + 16 * (nv - 1));
        for (long e = rp[r]; e < rp[r + 1]; e++) {
            float *out = g + (long)ci[e] * ldg;
            __m512 v = _mm512_set1_ps(alpha * cv[e]);
            for (int k = 0; k < nv - 1; k++)
                _mm512_storeu_ps(out + 16 * k, _mm512_add_ps(_mm512_loadu_ps(out + 16 * k), _mm512_mul_ps(x[k], v)));
            _mm512_mask_storeu_ps(out + 16 * (nv - 1), last,
                                  _mm512_add_ps(_mm512_maskz_loadu_ps(last, out + 16 * (nv - 1)),
                                                _mm512_mul_ps(x[nv - 1], v)));
        }
    }
}

void zoo_csr_transpose_dense_block(const long *rp, const int32_t *ci, const float *cv, long rows, float alpha,
                                   const float *d, long ldd, long width, float *g, long ldg) {
    if (width <= 0) return;
    __mmask16 last = tail_mask(width);
    switch ((width + 15) / 16) {
    case 1: csr_transpose_dense_block(rp, ci, cv, rows, alpha, d, ldd, g, ldg, 1, last); break;
    case 2: csr_transpose_dense_block(rp, ci, cv, rows, alpha, d, ldd, g, ldg, 2, last); break;
    case 3: csr_transpose_dense_block(rp, ci, cv, rows, alpha, d, ldd, g, ldg, 3, last); break;
    case 4: csr_transpose_dense_block(rp, ci, cv, rows, alpha, d, ldd, g, ldg, 4, last); break;
    case 5: csr_transpose_dense_block(rp, ci, cv, rows, alpha, d, ldd, g, ldg, 5, last); break;
    case 6: csr_transpose_dense_block(rp, ci, cv, rows, alpha, d, ldd, g, ldg, 6, last); break;
    case 7: csr_transpose_dense_block(rp, ci, cv, rows, alpha, d, ldd, g, ldg, 7, last); break;
    default: csr_transpose_dense_block(rp, ci, cv, rows, alpha, d, ldd, g, ldg, 8, last); break;
    }
}

// Kernels.rowDot's sums: lanes 0-7 are its `first` accumulator, lanes 8-15 its `second`.
static inline float row_dot(const float *a, const float *b, long h) {
    __m512 acc = _mm512_setzero_ps();
    long j = 0;
    for (; j + 16 <= h; j += 16) acc = _mm512_add_ps(acc, _mm512_mul_ps(_mm512_loadu_ps(a + j), _mm512_loadu_ps(b + j)));
    if (j + 8 <= h) {
        __m512 product = _mm512_mul_ps(_mm512_maskz_loadu_ps(0x00FF, a + j), _mm512_maskz_loadu_ps(0x00FF, b + j));
        acc = _mm512_mask_add_ps(acc, 0x00FF, acc, product);
        j += 8;
    }
    __m256 pairs = _mm256_add_ps(_mm512_castps512_ps256(acc),
                                 _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc), 1)));
    float lanes[8];
    _mm256_storeu_ps(lanes, pairs);
    float total = -0.0f;
    for (int k = 0; k < 8; k++) total += lanes[k];
    for (; j < h; j++) total += a[j] * b[j];
    return total;
}

void zoo_sampled_dot_rows(const long *rp, const int32_t *ci, long r0, long r1,
                          const float *left, const float *right, long h, float *out, long prefetch) {
    long end = rp[r1];
    for (long r = r0; r < r1; r++) {
        const float *a = left + r * h;
        for (long e = rp[r]; e < rp[r + 1]; e++) {
            if (prefetch > 0 && e + prefetch < end) prefetch_row(right + (long)ci[e + prefetch] * h, h * 4);
            out[e] = row_dot(a, right + (long)ci[e] * h, h);
        }
    }
}

#pragma clang attribute pop

#else

int zoo_sparse_avx512_supported(void) { return 0; }
void zoo_csr_dense_block(const long *rp, const int32_t *ci, const float *cv, long r0, long r1,
                         const float *d, long ldd, long width, float *y, long ldy) {}
void zoo_csr_dense_rows(const long *rp, const int32_t *ci, const float *cv, long r0, long r1,
                        const float *d, long ldd, long width, float *y, long ldy, long prefetch) {}
void zoo_csr_transpose_dense_block(const long *rp, const int32_t *ci, const float *cv, long rows, float alpha,
                                   const float *d, long ldd, long width, float *g, long ldg) {}
void zoo_sampled_dot_rows(const long *rp, const int32_t *ci, long r0, long r1,
                          const float *left, const float *right, long h, float *out, long prefetch) {}

#endif
