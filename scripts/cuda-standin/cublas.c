/*
 * gemmcost's CUDA stand-in: a simulation for tests, never a measurement.
 *
 * cublas.c: libcublas.so.<major>: handles and cublasGemmEx, column-major as documented. A GEMM is validated
 * at the call (alpha and beta are read then, host pointer mode) and queued on the handle's stream through
 * libcudart's private interface (standin.h); it executes at the runtime's next sync point that reaches it:
 * small GEMMs on host memory are really computed (fp32 accumulation, inputs decoded from bf16/fp16/fp32,
 * rounded to TF32 for the TF32 compute type, output rounded to nearest even); the rest only advance the
 * virtual clock by 2·m·n·k / peak, and a C with host memory behind it is filled with NaN so that such a
 * result can never pass for a computed one.
 */
#define _GNU_SOURCE /* dladdr, Dl_info */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC visibility push(default)
#include "cublas_standin.h"
#pragma GCC visibility pop

#include "knobs.h"
#include "standin.h"

#include <dlfcn.h>

#ifndef STANDIN_CUBLAS_VERSION
#error "build with -DSTANDIN_CUBLAS_VERSION=<major*10000 + minor*100 + patch> (build.sh does)"
#endif

/* Peak rates (FLOP/s) of the modelled GPU, one per kind of GEMM. */
#define PEAK_16BIT 989.4e12 /* bf16/fp16 inputs, fp32 accumulation */
#define PEAK_TF32 494.7e12
#define PEAK_FP32 66.9e12

struct cublasContext {
    int device;             /* the CUDA device current at creation */
    cudaStream_t stream;    /* NULL: the legacy default stream */
    cublasMath_t math_mode;
    void *workspace;        /* user workspace (cublasSetWorkspace_v2), NULL: the default one */
    size_t workspace_bytes;
};

/*
 * The runtime calls this library makes, bound to the libcudart.so.<major> in its own folder by path rather than by
 * soname: a process that loaded NVIDIA's real libcudart.so.<major> first (a probe trying every runtime it finds)
 * would otherwise have the loader hand that one to the stand-in, which lacks the private interface.
 */
static struct {
    cudaError_t (*get_device)(int *);
    cudaError_t (*enqueue)(cudaStream_t, int, const gemmcost_standin_op *);
    cudaError_t (*resolve)(const void *, size_t, void **, int *);
    int (*is_device_address)(const void *);
    cudaError_t (*sticky)(void);
} rt;

#define STR2(x) #x
#define STR(x) STR2(x)

static void *runtime_symbol(void *lib, const char *name)
{
    void *symbol = lib == NULL ? NULL : dlsym(lib, name);
    if (symbol == NULL) {
        fprintf(stderr, "cuda-standin: libcublas cannot bind %s in its sibling libcudart.so." STR(STANDIN_MAJOR)
                ": %s\n", name, dlerror());
    }
    return symbol;
}

/* At load: a runtime that cannot be bound leaves rt.get_device NULL, and cublasCreate_v2 then refuses. */
__attribute__((constructor)) static void bind_runtime(void)
{
    Dl_info self;
    char path[4096];
    if (dladdr((void *) &bind_runtime, &self) == 0 || self.dli_fname == NULL) {
        fprintf(stderr, "cuda-standin: libcublas cannot find its own file\n");
        return;
    }
    const char *slash = strrchr(self.dli_fname, '/');
    int dir = slash == NULL ? 1 : (int) (slash - self.dli_fname);
    snprintf(path, sizeof path, "%.*s/libcudart.so." STR(STANDIN_MAJOR), dir,
            slash == NULL ? "." : self.dli_fname);
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    rt.get_device = (cudaError_t (*)(int *)) runtime_symbol(lib, "cudaGetDevice");
    rt.enqueue = (cudaError_t (*)(cudaStream_t, int, const gemmcost_standin_op *)) runtime_symbol(lib,
            "gemmcost_standin_enqueue");
    rt.resolve = (cudaError_t (*)(const void *, size_t, void **, int *)) runtime_symbol(lib,
            "gemmcost_standin_resolve");
    rt.is_device_address = (int (*)(const void *)) runtime_symbol(lib, "gemmcost_standin_is_device_address");
    rt.sticky = (cudaError_t (*)(void)) runtime_symbol(lib, "gemmcost_standin_sticky");
    if (rt.enqueue == NULL || rt.resolve == NULL || rt.is_device_address == NULL || rt.sticky == NULL) {
        rt.get_device = NULL;
    }
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct cublasContext **handles; /* live handles */
static size_t n_handles;
static size_t cap_handles;

static pthread_once_t knobs_once = PTHREAD_ONCE_INIT;
static uint64_t compute_max; /* CUDA_STANDIN_GEMM_COMPUTE_MAX: most m·n·k really computed */

static void read_knobs(void)
{
    compute_max = gemmcost_standin_knob("CUDA_STANDIN_GEMM_COMPUTE_MAX", 16777216, NULL);
}

/* Is h a handle created and not yet destroyed? Called with the lock held. */
static int live(cublasHandle_t h)
{
    for (size_t i = 0; i < n_handles; i++) {
        if (handles[i] == h) {
            return 1;
        }
    }
    return 0;
}

/* Locks and checks the handle: CUBLAS_STATUS_SUCCESS with the lock held, or the status (lock released). */
static cublasStatus_t enter(cublasHandle_t h)
{
    if (h == NULL) {
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }
    pthread_mutex_lock(&lock);
    if (!live(h)) {
        pthread_mutex_unlock(&lock);
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }
    if (rt.sticky() != cudaSuccess) { /* the context is lost */
        pthread_mutex_unlock(&lock);
        return CUBLAS_STATUS_INTERNAL_ERROR;
    }
    return CUBLAS_STATUS_SUCCESS;
}

static cublasStatus_t leave(cublasStatus_t status)
{
    pthread_mutex_unlock(&lock);
    return status;
}

/* ---------------------------------------------------------------------------------------------------------
 * Handles
 */

cublasStatus_t cublasCreate_v2(cublasHandle_t *handle)
{
    if (handle == NULL) {
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    if (rt.get_device == NULL) { /* the sibling runtime could not be bound (said on stderr at load) */
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }
    if (rt.sticky() != cudaSuccess) {
        return CUBLAS_STATUS_INTERNAL_ERROR;
    }
    int device;
    if (rt.get_device(&device) != cudaSuccess) { /* no driver, no device */
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }
    /* Whichever libcublasLt.so.<major> the loader bound must be of this very version, as with the real one. */
    if (cublasLtGetVersion() != (size_t) STANDIN_CUBLAS_VERSION) {
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }
    struct cublasContext *h = calloc(1, sizeof *h);
    if (h == NULL) {
        return CUBLAS_STATUS_ALLOC_FAILED;
    }
    h->device = device;
    h->math_mode = CUBLAS_DEFAULT_MATH;
    pthread_mutex_lock(&lock);
    if (n_handles == cap_handles) {
        size_t cap = cap_handles == 0 ? 16 : 2 * cap_handles;
        struct cublasContext **grown = realloc(handles, cap * sizeof *grown);
        if (grown == NULL) {
            pthread_mutex_unlock(&lock);
            free(h);
            return CUBLAS_STATUS_ALLOC_FAILED;
        }
        handles = grown;
        cap_handles = cap;
    }
    handles[n_handles++] = h;
    pthread_mutex_unlock(&lock);
    *handle = h;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasDestroy_v2(cublasHandle_t handle)
{
    if (handle == NULL) {
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < n_handles; i++) {
        if (handles[i] == handle) {
            handles[i] = handles[--n_handles];
            free(handle);
            pthread_mutex_unlock(&lock);
            /* Freed either way; after a sticky error the release itself reports the lost context. */
            return rt.sticky() != cudaSuccess ? CUBLAS_STATUS_INTERNAL_ERROR : CUBLAS_STATUS_SUCCESS;
        }
    }
    pthread_mutex_unlock(&lock);
    return CUBLAS_STATUS_NOT_INITIALIZED;
}

cublasStatus_t cublasGetVersion_v2(cublasHandle_t handle, int *version)
{
    (void) handle; /* like the real one, it needs no handle */
    if (version == NULL) {
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    *version = STANDIN_CUBLAS_VERSION;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId)
{
    cublasStatus_t status = enter(handle);
    if (status != CUBLAS_STATUS_SUCCESS) {
        return status;
    }
    /* Not checked here, as in cuBLAS: a bad stream fails the GEMM that uses it. Setting a stream also
     * returns the handle to its default workspace, as documented. */
    handle->stream = streamId;
    handle->workspace = NULL;
    handle->workspace_bytes = 0;
    return leave(CUBLAS_STATUS_SUCCESS);
}

cublasStatus_t cublasGetStream_v2(cublasHandle_t handle, cudaStream_t *streamId)
{
    cublasStatus_t status = enter(handle);
    if (status != CUBLAS_STATUS_SUCCESS) {
        return status;
    }
    if (streamId == NULL) {
        return leave(CUBLAS_STATUS_INVALID_VALUE);
    }
    *streamId = handle->stream;
    return leave(CUBLAS_STATUS_SUCCESS);
}

cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode)
{
    cublasStatus_t status = enter(handle);
    if (status != CUBLAS_STATUS_SUCCESS) {
        return status;
    }
    unsigned base = (unsigned) mode & ~(unsigned) CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION;
    if (base > CUBLAS_TF32_TENSOR_OP_MATH) {
        return leave(CUBLAS_STATUS_INVALID_VALUE);
    }
    handle->math_mode = mode;
    return leave(CUBLAS_STATUS_SUCCESS);
}

cublasStatus_t cublasGetMathMode(cublasHandle_t handle, cublasMath_t *mode)
{
    cublasStatus_t status = enter(handle);
    if (status != CUBLAS_STATUS_SUCCESS) {
        return status;
    }
    if (mode == NULL) {
        return leave(CUBLAS_STATUS_INVALID_VALUE);
    }
    *mode = handle->math_mode;
    return leave(CUBLAS_STATUS_SUCCESS);
}

cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t handle, void *workspace, size_t workspaceSizeInBytes)
{
    cublasStatus_t status = enter(handle);
    if (status != CUBLAS_STATUS_SUCCESS) {
        return status;
    }
    if (workspace == NULL) { /* back to the default workspace */
        if (workspaceSizeInBytes != 0) {
            return leave(CUBLAS_STATUS_INVALID_VALUE);
        }
    } else {
        int device;
        if ((uintptr_t) workspace % 256 != 0
                || rt.resolve(workspace, workspaceSizeInBytes, NULL, &device) != cudaSuccess
                || device != handle->device) {
            return leave(CUBLAS_STATUS_INVALID_VALUE);
        }
    }
    handle->workspace = workspace;
    handle->workspace_bytes = workspaceSizeInBytes;
    return leave(CUBLAS_STATUS_SUCCESS);
}

/* ---------------------------------------------------------------------------------------------------------
 * Status names and strings
 */

static const struct {
    cublasStatus_t status;
    const char *name;
    const char *text;
} statuses[] = {
    {CUBLAS_STATUS_SUCCESS, "CUBLAS_STATUS_SUCCESS", "success"},
    {CUBLAS_STATUS_NOT_INITIALIZED, "CUBLAS_STATUS_NOT_INITIALIZED", "the library was not initialized"},
    {CUBLAS_STATUS_ALLOC_FAILED, "CUBLAS_STATUS_ALLOC_FAILED", "the resource allocation failed"},
    {CUBLAS_STATUS_INVALID_VALUE, "CUBLAS_STATUS_INVALID_VALUE", "an invalid numeric value was used as an argument"},
    {CUBLAS_STATUS_ARCH_MISMATCH, "CUBLAS_STATUS_ARCH_MISMATCH", "an absent device architectural feature is required"},
    {CUBLAS_STATUS_MAPPING_ERROR, "CUBLAS_STATUS_MAPPING_ERROR", "an access to GPU memory space failed"},
    {CUBLAS_STATUS_EXECUTION_FAILED, "CUBLAS_STATUS_EXECUTION_FAILED", "the GPU program failed to execute"},
    {CUBLAS_STATUS_INTERNAL_ERROR, "CUBLAS_STATUS_INTERNAL_ERROR", "an internal operation failed"},
    {CUBLAS_STATUS_NOT_SUPPORTED, "CUBLAS_STATUS_NOT_SUPPORTED", "the functionality requested is not supported"},
    {CUBLAS_STATUS_LICENSE_ERROR, "CUBLAS_STATUS_LICENSE_ERROR", "the functionality requested requires some license"},
};

const char *cublasGetStatusName(cublasStatus_t status)
{
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        if (statuses[i].status == status) {
            return statuses[i].name;
        }
    }
    return "<unknown>";
}

const char *cublasGetStatusString(cublasStatus_t status)
{
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        if (statuses[i].status == status) {
            return statuses[i].text;
        }
    }
    return "<unknown>";
}

/* ---------------------------------------------------------------------------------------------------------
 * Number formats
 */

static float bits_to_float(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static uint32_t float_to_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float bf16_to_float(uint16_t h)
{
    return bits_to_float((uint32_t) h << 16);
}

/* Round to nearest even; NaN stays a (quiet) NaN. */
static uint16_t float_to_bf16(float f)
{
    uint32_t u = float_to_bits(f);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) {
        return (uint16_t) ((u >> 16) | 0x0040u);
    }
    u += 0x7FFFu + ((u >> 16) & 1u);
    return (uint16_t) (u >> 16);
}

static float fp16_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t) (h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1Fu;
    uint32_t mantissa = h & 0x3FFu;
    if (exponent == 0x1F) { /* infinity, NaN */
        return bits_to_float(sign | 0x7F800000u | (mantissa << 13));
    }
    if (exponent == 0) { /* zero, subnormal: mantissa · 2^-24, exact in float */
        float v = (float) mantissa * (1.0f / 16777216.0f);
        return sign != 0 ? -v : v;
    }
    return bits_to_float(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
}

/* Round to nearest even, to infinity beyond the largest half (65504) and its half ulp; NaN stays NaN. */
static uint16_t float_to_fp16(float f)
{
    uint32_t u = float_to_bits(f);
    uint16_t sign = (uint16_t) ((u >> 16) & 0x8000u);
    uint32_t a = u & 0x7FFFFFFFu;
    if (a > 0x7F800000u) {
        return (uint16_t) (sign | 0x7E00u);
    }
    if (a >= 0x477FF000u) { /* >= 65520: rounds to infinity */
        return (uint16_t) (sign | 0x7C00u);
    }
    if (a < 0x38800000u) { /* below 2^-14: a subnormal half (or zero) */
        if (a < 0x33000000u) { /* below 2^-25: rounds to zero */
            return sign;
        }
        uint32_t exponent = a >> 23;
        uint32_t mantissa = (a & 0x7FFFFFu) | 0x800000u; /* value = mantissa · 2^(exponent - 150) */
        uint32_t shift = 126 - exponent;                 /* value / 2^-24 = mantissa >> shift; 14..24 */
        uint32_t r = mantissa >> shift;
        uint32_t rest = mantissa & ((1u << shift) - 1);
        uint32_t half = 1u << (shift - 1);
        if (rest > half || (rest == half && (r & 1u))) {
            r++; /* may carry into the smallest normal, which is the right encoding */
        }
        return (uint16_t) (sign | r);
    }
    uint32_t r = (a >> 13) - ((127u - 15u) << 10); /* rebias the exponent, keep 10 mantissa bits */
    uint32_t rest = a & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (r & 1u))) {
        r++; /* a carry into the exponent is right too */
    }
    return (uint16_t) (sign | r);
}

/* fp32 rounded to TF32 (10 explicit mantissa bits), to nearest even; infinity and NaN unchanged. */
static float tf32_round(float f)
{
    uint32_t u = float_to_bits(f);
    if ((u & 0x7F800000u) == 0x7F800000u) {
        return f;
    }
    u += 0xFFFu + ((u >> 13) & 1u);
    return bits_to_float(u & 0xFFFFE000u);
}

static size_t element_bytes(cudaDataType t)
{
    return t == CUDA_R_32F ? 4 : 2;
}

static float load(const void *base, cudaDataType t, size_t i)
{
    uint16_t h;
    float f;
    switch (t) {
    case CUDA_R_16BF:
        memcpy(&h, (const unsigned char *) base + 2 * i, 2);
        return bf16_to_float(h);
    case CUDA_R_16F:
        memcpy(&h, (const unsigned char *) base + 2 * i, 2);
        return fp16_to_float(h);
    default:
        memcpy(&f, (const unsigned char *) base + 4 * i, 4);
        return f;
    }
}

static void store(void *base, cudaDataType t, size_t i, float v)
{
    uint16_t h;
    switch (t) {
    case CUDA_R_16BF:
        h = float_to_bf16(v);
        memcpy((unsigned char *) base + 2 * i, &h, 2);
        break;
    case CUDA_R_16F:
        h = float_to_fp16(v);
        memcpy((unsigned char *) base + 2 * i, &h, 2);
        break;
    default:
        memcpy((unsigned char *) base + 4 * i, &v, 4);
        break;
    }
}

/* ---------------------------------------------------------------------------------------------------------
 * GEMM
 */

typedef struct gemm_job {
    cublasOperation_t transa;
    cublasOperation_t transb;
    int m, n, k;
    int lda, ldb, ldc;
    cudaDataType atype, btype, ctype;
    int tf32; /* round fp32 inputs to TF32 */
    float alpha, beta;
} gemm_job;

/* C = alpha·op(A)·op(B) + beta·C on host memory; 0 when out of memory. C is not read when beta == 0. */
static int compute(const gemm_job *j, const void *A, const void *B, void *C)
{
    size_t m = (size_t) j->m;
    size_t n = (size_t) j->n;
    size_t k = (size_t) j->k;
    /* op(A) as m rows of k, op(B) as n columns of k, decoded once: the inner loop reads both in order. */
    float *a = malloc((m * k > 0 ? m * k : 1) * sizeof *a);
    float *b = malloc((n * k > 0 ? n * k : 1) * sizeof *b);
    if (a == NULL || b == NULL) {
        free(a);
        free(b);
        return 0;
    }
    size_t lda = (size_t) j->lda;
    size_t ldb = (size_t) j->ldb;
    size_t ldc = (size_t) j->ldc;
    for (size_t i = 0; i < m; i++) {
        for (size_t p = 0; p < k; p++) {
            float v = load(A, j->atype, j->transa == CUBLAS_OP_N ? i + p * lda : p + i * lda);
            a[i * k + p] = j->tf32 ? tf32_round(v) : v;
        }
    }
    for (size_t col = 0; col < n; col++) {
        for (size_t p = 0; p < k; p++) {
            float v = load(B, j->btype, j->transb == CUBLAS_OP_N ? p + col * ldb : col + p * ldb);
            b[col * k + p] = j->tf32 ? tf32_round(v) : v;
        }
    }
    for (size_t col = 0; col < n; col++) {
        for (size_t i = 0; i < m; i++) {
            float acc = 0.0f;
            const float *ar = a + i * k;
            const float *bc = b + col * k;
            for (size_t p = 0; p < k; p++) {
                acc += ar[p] * bc[p]; /* fp32 accumulation, in order (built with -ffp-contract=off) */
            }
            float v = j->alpha * acc;
            if (j->beta != 0.0f) {
                v += j->beta * load(C, j->ctype, i + col * ldc);
            }
            store(C, j->ctype, i + col * ldc, v);
        }
    }
    free(a);
    free(b);
    return 1;
}

/* NaN in every element of C the GEMM writes. */
static void fill_nan(const gemm_job *j, void *C)
{
    for (size_t col = 0; col < (size_t) j->n; col++) {
        for (size_t i = 0; i < (size_t) j->m; i++) {
            store(C, j->ctype, i + col * (size_t) j->ldc, bits_to_float(0x7FC00000u));
        }
    }
}

/* Runs when the GEMM executes (libcudart's lock held). host[0..2]: A, B, C, NULL where virtual. */
static void execute_gemm(void *payload, void *const host[GEMMCOST_STANDIN_MAX_OPERANDS])
{
    const gemm_job *j = payload;
    void *C = host[2];
    if (C == NULL) {
        return; /* virtual C: nothing to write, the clock is all */
    }
    uint64_t macs = (uint64_t) j->m * (uint64_t) j->n * (uint64_t) j->k;
    int computable = (j->k == 0 || (host[0] != NULL && host[1] != NULL)) && macs <= compute_max;
    if (!computable || !compute(j, host[0], host[1], C)) {
        fill_nan(j, C);
    }
}

static void release_gemm(void *payload)
{
    free(payload);
}

/* Bytes of a column-major rows×cols operand with leading dimension ld: (ld·(cols−1) + rows) elements. */
static size_t extent_bytes(int rows, int cols, int ld, cudaDataType t)
{
    if (rows == 0 || cols == 0) {
        return 0;
    }
    uint64_t elements = (uint64_t) ld * (uint64_t) (cols - 1) + (uint64_t) rows;
    if (elements > SIZE_MAX / element_bytes(t)) {
        return SIZE_MAX; /* lies in no allocation */
    }
    return (size_t) elements * element_bytes(t);
}

static int is_16bit(cudaDataType t)
{
    return t == CUDA_R_16BF || t == CUDA_R_16F;
}

/*
 * The peak rate for a supported combination of types and compute type, 0 for an unsupported one. *tf32: fp32
 * inputs are rounded to TF32 (CUBLAS_COMPUTE_32F_FAST_TF32, or CUBLAS_COMPUTE_32F under the
 * CUBLAS_TF32_TENSOR_OP_MATH math mode, as documented).
 */
static double peak_of(cudaDataType at, cudaDataType bt, cudaDataType ct, cublasComputeType_t compute_type,
        cublasMath_t math_mode, int *tf32)
{
    *tf32 = 0;
    int fp32 = at == CUDA_R_32F && bt == CUDA_R_32F && ct == CUDA_R_32F;
    if (compute_type == CUBLAS_COMPUTE_32F_FAST_TF32) {
        *tf32 = fp32;
        return fp32 ? PEAK_TF32 : 0;
    }
    if (compute_type != CUBLAS_COMPUTE_32F && compute_type != CUBLAS_COMPUTE_32F_PEDANTIC) {
        return 0;
    }
    if (fp32) {
        unsigned base = (unsigned) math_mode & ~(unsigned) CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION;
        if (compute_type == CUBLAS_COMPUTE_32F && base == CUBLAS_TF32_TENSOR_OP_MATH) {
            *tf32 = 1;
            return PEAK_TF32;
        }
        return PEAK_FP32;
    }
    if (is_16bit(at) && bt == at && (ct == at || ct == CUDA_R_32F)) {
        return PEAK_16BIT;
    }
    return 0;
}

static int valid_algo(cublasGemmAlgo_t algo)
{
    int a = (int) algo;
    return a == CUBLAS_GEMM_DEFAULT || (a >= CUBLAS_GEMM_ALGO0 && a <= CUBLAS_GEMM_ALGO23)
            || a == CUBLAS_GEMM_DEFAULT_TENSOR_OP
            || (a >= CUBLAS_GEMM_ALGO0_TENSOR_OP && a <= CUBLAS_GEMM_ALGO15_TENSOR_OP);
}

static int max1(int v)
{
    return v > 1 ? v : 1;
}

cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n,
        int k, const void *alpha, const void *A, cudaDataType Atype, int lda, const void *B, cudaDataType Btype,
        int ldb, const void *beta, void *C, cudaDataType Ctype, int ldc, cublasComputeType_t computeType,
        cublasGemmAlgo_t algo)
{
    pthread_once(&knobs_once, read_knobs);
    cublasStatus_t status = enter(handle);
    if (status == CUBLAS_STATUS_INTERNAL_ERROR) {
        return CUBLAS_STATUS_EXECUTION_FAILED; /* the sticky error: no kernel runs any more */
    }
    if (status != CUBLAS_STATUS_SUCCESS) {
        return status;
    }
    int ta = (int) transa;
    int tb = (int) transb;
    if (m < 0 || n < 0 || k < 0 || ta < CUBLAS_OP_N || ta > CUBLAS_OP_C || tb < CUBLAS_OP_N || tb > CUBLAS_OP_C
            || lda < max1(ta == CUBLAS_OP_N ? m : k) || ldb < max1(tb == CUBLAS_OP_N ? k : n) || ldc < max1(m)
            || alpha == NULL || beta == NULL || !valid_algo(algo)
            || rt.is_device_address(alpha) || rt.is_device_address(beta)) {
        return leave(CUBLAS_STATUS_INVALID_VALUE); /* (alpha, beta: host pointer mode only) */
    }
    int tf32;
    double peak = peak_of(Atype, Btype, Ctype, computeType, handle->math_mode, &tf32);
    if (peak == 0) {
        return leave(CUBLAS_STATUS_NOT_SUPPORTED);
    }
    if (m == 0 || n == 0) {
        return leave(CUBLAS_STATUS_SUCCESS); /* nothing to do: nothing queued */
    }
    gemm_job *j = malloc(sizeof *j);
    if (j == NULL) {
        return leave(CUBLAS_STATUS_ALLOC_FAILED);
    }
    *j = (gemm_job) {transa, transb, m, n, k, lda, ldb, ldc, Atype, Btype, Ctype, tf32, 0, 0};
    memcpy(&j->alpha, alpha, sizeof j->alpha); /* read now: host pointer mode */
    memcpy(&j->beta, beta, sizeof j->beta);

    gemmcost_standin_op work;
    memset(&work, 0, sizeof work);
    work.trace_op = "gemm";
    snprintf(work.trace_name, sizeof work.trace_name, "%d,%d,%d", m, n, k);
    work.flops = 2.0 * (double) m * (double) n * (double) k;
    work.peak_flops_per_s = peak;
    work.is_gemm = 1;
    if (k > 0) { /* A and B are read only when there is something to multiply */
        work.operands[0].dev = A;
        work.operands[0].bytes = ta == CUBLAS_OP_N ? extent_bytes(m, k, lda, Atype) : extent_bytes(k, m, lda, Atype);
        work.operands[1].dev = B;
        work.operands[1].bytes = tb == CUBLAS_OP_N ? extent_bytes(k, n, ldb, Btype) : extent_bytes(n, k, ldb, Btype);
    }
    work.operands[2].dev = C;
    work.operands[2].bytes = extent_bytes(m, n, ldc, Ctype);
    for (int i = 0; i < 3; i++) {
        size_t b = work.operands[i].bytes;
        work.trace_bytes = b > SIZE_MAX - work.trace_bytes ? SIZE_MAX : work.trace_bytes + b;
    }
    work.execute = execute_gemm;
    work.release = release_gemm;
    work.payload = j;
    cudaError_t e = rt.enqueue(handle->stream, handle->device, &work); /* releases j if refused */
    if (e == cudaErrorMemoryAllocation) {
        return leave(CUBLAS_STATUS_ALLOC_FAILED);
    }
    return leave(e == cudaSuccess ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_EXECUTION_FAILED);
}
