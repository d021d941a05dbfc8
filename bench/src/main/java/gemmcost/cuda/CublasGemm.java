package gemmcost.cuda;

import gemmcost.table.GemmShape;

/**
 * One {@code cublasGemmEx} call, column-major, no transposes. Row-major {@code C[m×n] = A[m×k]·B[k×n]} is issued
 * as {@code Cᵀ = Bᵀ·Aᵀ}: cuBLAS's m, n are our n, m, its A is our B ({@code lda = n}), its B our A ({@code ldb = k}),
 * and {@code ldc = n}.
 */
record CublasGemm<P>(int m, int n, int k, P a, int lda, P b, int ldb, P c, int ldc, GemmTypes types) {
    static <P> CublasGemm<P> rowMajor(GemmShape shape, GemmTypes types, P a, P b, P c) {
        int m = Math.toIntExact(shape.m());
        int k = Math.toIntExact(shape.k());
        int n = Math.toIntExact(shape.n());
        return new CublasGemm<>(n, m, k, b, n, a, k, c, n, types);
    }
}
