// CSparseKernels: the package's own C loops for the sparse products of the rating models (CSR ×
// dense, CSRᵀ × dense, dot products at a sparse pattern) with AVX-512 intrinsics, which Swift
// cannot spell without compiling the whole package for AVX-512. Every function does, element for
// element, the operations of the portable Swift loop it stands in for (Kernels+Sparse.swift,
// Kernels+SampledProducts.swift): a product then a sum, never fused, in the same order, so both
// paths give identical bits. Threads are the caller's; each function is single-threaded. On other
// architectures the functions exist and zoo_sparse_avx512_supported() answers 0.
#ifndef CSPARSEKERNELS_H
#define CSPARSEKERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The widest column block the block kernels take (8 zmm registers of 16 floats).
#define ZOO_SPARSE_MAX_BLOCK 128

/// 1 when this CPU executes AVX512F (CPUID) and the operating system saves the AVX-512 register
/// state (XGETBV); else 0. Always 0 off x86-64.
int zoo_sparse_avx512_supported(void);

/// For rows r in [row_start, row_end): y[r·ldy + j] = Σ_e values[e]·d[columns[e]·ldd + j] for
/// j < width (width ≤ ZOO_SPARSE_MAX_BLOCK), e over row r's entries in CSR order, starting from 0;
/// y[r·ldy + j] is overwritten. The row's sums live in registers while its entries stream by.
void zoo_csr_dense_block(const long *row_pointers, const int32_t *columns, const float *values,
                         long row_start, long row_end, const float *d, long ldd, long width,
                         float *y, long ldy);

/// For rows r in [row_start, row_end): y[r·ldy + j] += values[e]·d[columns[e]·ldd + j] for j < width,
/// e over row r's entries in CSR order, y read and written in memory (any width), the d row of the
/// entry `prefetch` places ahead asked for in advance (0: none).
void zoo_csr_dense_rows(const long *row_pointers, const int32_t *columns, const float *values,
                        long row_start, long row_end, const float *d, long ldd, long width,
                        float *y, long ldy, long prefetch);

/// For rows r in [0, rows) and their entries e in CSR order: g[columns[e]·ldg + j] +=
/// (alpha·values[e])·d[r·ldd + j] for j < width (width ≤ ZOO_SPARSE_MAX_BLOCK); the d row's block
/// is held in registers while the g rows it updates stream by.
void zoo_csr_transpose_dense_block(const long *row_pointers, const int32_t *columns, const float *values,
                                   long rows, float alpha, const float *d, long ldd, long width,
                                   float *g, long ldg);

/// For rows r in [row_start, row_end) and their entries e: out[e] = the dot product of left row r
/// and right row columns[e] (h floats each, leading dimension h), summed as Kernels.rowDot sums:
/// sixteen lanes j mod 16 over the whole sixteens, then lanes 0-7 over a last eight, then the
/// eight sums (lane k + lane k + 8) added one by one from −0, then the last h mod 8 products.
void zoo_sampled_dot_rows(const long *row_pointers, const int32_t *columns, long row_start, long row_end,
                          const float *left, const float *right, long h, float *out, long prefetch);

#ifdef __cplusplus
}
#endif

#endif
