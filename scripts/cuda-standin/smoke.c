/*
 * gemmcost's CUDA stand-in: a simulation for tests, never a measurement.
 *
 * smoke.c: checks the stand-in's documented behaviour. smoke.sh runs it several times, in different
 * environments:
 *
 *   smoke MODE LIB_DIR MAJOR [ARGS...]
 *
 * The libraries are loaded from LIB_DIR by full path with dlopen (in the order a mode needs: the cuBLASLt
 * mismatch modes depend on it). Prints "N checks passed" and exits 0, or lists the failures and exits 1.
 */
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cuda_runtime_api.h>

#include "cublas_standin.h"

/* ---------------------------------------------------------------------------------------------------------
 * Checks
 */

static int checks;
static int failures;

#define CHECK(cond, ...)                                                                                          \
    do {                                                                                                        \
        checks++;                                                                                               \
        if (!(cond)) {                                                                                          \
            failures++;                                                                                         \
            fprintf(stderr, "FAIL %s:%d (%s): ", __FILE__, __LINE__, mode);                                    \
            fprintf(stderr, __VA_ARGS__);                                                                       \
            fprintf(stderr, "\n");                                                                              \
        }                                                                                                       \
    } while (0)

#define EQ(actual, expected)                                                                                     \
    do {                                                                                                        \
        long long a_ = (long long) (actual);                                                                    \
        long long e_ = (long long) (expected);                                                                  \
        CHECK(a_ == e_, "%s = %lld, expected %lld", #actual, a_, e_);                                           \
    } while (0)

#define STREQ(actual, expected)                                                                                  \
    do {                                                                                                        \
        const char *a_ = (actual);                                                                              \
        const char *e_ = (expected);                                                                            \
        CHECK(a_ != NULL && strcmp(a_, e_) == 0, "%s = \"%s\", expected \"%s\"", #actual, a_ ? a_ : "(null)", e_); \
    } while (0)

static const char *mode = "?";

/* ---------------------------------------------------------------------------------------------------------
 * The libraries, bound by name
 */

/* cudart */
static const char *(*p_gemmcostStandinDescription)(void);
static __typeof__(cudaRuntimeGetVersion) *p_cudaRuntimeGetVersion;
static __typeof__(cudaDriverGetVersion) *p_cudaDriverGetVersion;
static __typeof__(cudaGetDeviceCount) *p_cudaGetDeviceCount;
static __typeof__(cudaGetErrorName) *p_cudaGetErrorName;
static __typeof__(cudaGetErrorString) *p_cudaGetErrorString;
static __typeof__(cudaGetLastError) *p_cudaGetLastError;
static __typeof__(cudaPeekAtLastError) *p_cudaPeekAtLastError;
static __typeof__(cudaSetDevice) *p_cudaSetDevice;
static __typeof__(cudaGetDevice) *p_cudaGetDevice;
static __typeof__(cudaDeviceSynchronize) *p_cudaDeviceSynchronize;
static __typeof__(cudaDeviceGetAttribute) *p_cudaDeviceGetAttribute;
static __typeof__(cudaDeviceGetPCIBusId) *p_cudaDeviceGetPCIBusId;
static __typeof__(cudaDeviceGetByPCIBusId) *p_cudaDeviceGetByPCIBusId;
static __typeof__(cudaMemGetInfo) *p_cudaMemGetInfo;
static __typeof__(cudaMalloc) *p_cudaMalloc;
static __typeof__(cudaFree) *p_cudaFree;
static __typeof__(cudaMemcpy) *p_cudaMemcpy;
static __typeof__(cudaMemcpyAsync) *p_cudaMemcpyAsync;
static __typeof__(cudaMemset) *p_cudaMemset;
static __typeof__(cudaMemsetAsync) *p_cudaMemsetAsync;
static __typeof__(cudaStreamCreate) *p_cudaStreamCreate;
static __typeof__(cudaStreamCreateWithFlags) *p_cudaStreamCreateWithFlags;
static __typeof__(cudaStreamDestroy) *p_cudaStreamDestroy;
static __typeof__(cudaStreamSynchronize) *p_cudaStreamSynchronize;
static __typeof__(cudaEventCreate) *p_cudaEventCreate;
static __typeof__(cudaEventCreateWithFlags) *p_cudaEventCreateWithFlags;
static __typeof__(cudaEventDestroy) *p_cudaEventDestroy;
static __typeof__(cudaEventRecord) *p_cudaEventRecord;
static __typeof__(cudaEventQuery) *p_cudaEventQuery;
static __typeof__(cudaEventSynchronize) *p_cudaEventSynchronize;
static __typeof__(cudaEventElapsedTime) *p_cudaEventElapsedTime;
/* cublasLt, cublas */
static __typeof__(cublasLtGetVersion) *p_cublasLtGetVersion;
static __typeof__(cublasCreate_v2) *p_cublasCreate_v2;
static __typeof__(cublasDestroy_v2) *p_cublasDestroy_v2;
static __typeof__(cublasSetStream_v2) *p_cublasSetStream_v2;
static __typeof__(cublasGetStream_v2) *p_cublasGetStream_v2;
static __typeof__(cublasSetMathMode) *p_cublasSetMathMode;
static __typeof__(cublasGetMathMode) *p_cublasGetMathMode;
static __typeof__(cublasGetVersion_v2) *p_cublasGetVersion_v2;
static __typeof__(cublasSetWorkspace_v2) *p_cublasSetWorkspace_v2;
static __typeof__(cublasGetStatusName) *p_cublasGetStatusName;
static __typeof__(cublasGetStatusString) *p_cublasGetStatusString;
static __typeof__(cublasGemmEx) *p_cublasGemmEx;
/* nvml (declared here: the stand-in has no NVML header) */
typedef struct nvmlDevice_st *nvmlDevice_t;
static int (*p_nvmlInit_v2)(void);
static int (*p_nvmlShutdown)(void);
static const char *(*p_nvmlErrorString)(int);
static int (*p_nvmlSystemGetDriverVersion)(char *, unsigned);
static int (*p_nvmlDeviceGetCount_v2)(unsigned *);
static int (*p_nvmlDeviceGetHandleByIndex_v2)(unsigned, nvmlDevice_t *);
static int (*p_nvmlDeviceGetHandleByPciBusId_v2)(const char *, nvmlDevice_t *);
static int (*p_nvmlDeviceGetHandleByUUID)(const char *, nvmlDevice_t *);
static int (*p_nvmlDeviceGetName)(nvmlDevice_t, char *, unsigned);
static int (*p_nvmlDeviceGetUUID)(nvmlDevice_t, char *, unsigned);
static int (*p_nvmlDeviceGetClockInfo)(nvmlDevice_t, int, unsigned *);
static int (*p_nvmlDeviceGetCurrentClocksEventReasons)(nvmlDevice_t, unsigned long long *);
static int (*p_nvmlDeviceGetCurrentClocksThrottleReasons)(nvmlDevice_t, unsigned long long *);
static int (*p_nvmlDeviceGetPowerUsage)(nvmlDevice_t, unsigned *);
static int (*p_nvmlDeviceGetTemperature)(nvmlDevice_t, int, unsigned *);

static void *open_lib(const char *dir, const char *file)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        fprintf(stderr, "smoke: cannot load %s: %s\n", path, dlerror());
        exit(2);
    }
    return h;
}

static void *sym(void *lib, const char *name)
{
    void *p = dlsym(lib, name);
    if (p == NULL) {
        fprintf(stderr, "smoke: no symbol %s: %s\n", name, dlerror());
        exit(2);
    }
    return p;
}

#define BIND(lib, name) (*(void **) &p_##name = sym(lib, #name))

static void bind_cudart(void *lib)
{
    BIND(lib, gemmcostStandinDescription);
    BIND(lib, cudaRuntimeGetVersion);
    BIND(lib, cudaDriverGetVersion);
    BIND(lib, cudaGetDeviceCount);
    BIND(lib, cudaGetErrorName);
    BIND(lib, cudaGetErrorString);
    BIND(lib, cudaGetLastError);
    BIND(lib, cudaPeekAtLastError);
    BIND(lib, cudaSetDevice);
    BIND(lib, cudaGetDevice);
    BIND(lib, cudaDeviceSynchronize);
    BIND(lib, cudaDeviceGetAttribute);
    BIND(lib, cudaDeviceGetPCIBusId);
    BIND(lib, cudaDeviceGetByPCIBusId);
    BIND(lib, cudaMemGetInfo);
    BIND(lib, cudaMalloc);
    BIND(lib, cudaFree);
    BIND(lib, cudaMemcpy);
    BIND(lib, cudaMemcpyAsync);
    BIND(lib, cudaMemset);
    BIND(lib, cudaMemsetAsync);
    BIND(lib, cudaStreamCreate);
    BIND(lib, cudaStreamCreateWithFlags);
    BIND(lib, cudaStreamDestroy);
    BIND(lib, cudaStreamSynchronize);
    BIND(lib, cudaEventCreate);
    BIND(lib, cudaEventCreateWithFlags);
    BIND(lib, cudaEventDestroy);
    BIND(lib, cudaEventRecord);
    BIND(lib, cudaEventQuery);
    BIND(lib, cudaEventSynchronize);
    BIND(lib, cudaEventElapsedTime);
}

static void bind_cublas(void *lib)
{
    BIND(lib, cublasCreate_v2);
    BIND(lib, cublasDestroy_v2);
    BIND(lib, cublasSetStream_v2);
    BIND(lib, cublasGetStream_v2);
    BIND(lib, cublasSetMathMode);
    BIND(lib, cublasGetMathMode);
    BIND(lib, cublasGetVersion_v2);
    BIND(lib, cublasSetWorkspace_v2);
    BIND(lib, cublasGetStatusName);
    BIND(lib, cublasGetStatusString);
    BIND(lib, cublasGemmEx);
}

static void bind_nvml(void *lib)
{
    BIND(lib, nvmlInit_v2);
    BIND(lib, nvmlShutdown);
    BIND(lib, nvmlErrorString);
    BIND(lib, nvmlSystemGetDriverVersion);
    BIND(lib, nvmlDeviceGetCount_v2);
    BIND(lib, nvmlDeviceGetHandleByIndex_v2);
    BIND(lib, nvmlDeviceGetHandleByPciBusId_v2);
    BIND(lib, nvmlDeviceGetHandleByUUID);
    BIND(lib, nvmlDeviceGetName);
    BIND(lib, nvmlDeviceGetUUID);
    BIND(lib, nvmlDeviceGetClockInfo);
    BIND(lib, nvmlDeviceGetCurrentClocksEventReasons);
    BIND(lib, nvmlDeviceGetCurrentClocksThrottleReasons);
    BIND(lib, nvmlDeviceGetPowerUsage);
    BIND(lib, nvmlDeviceGetTemperature);
}

/* Loads cudart, cublasLt, cublas (that order) and nvml from dir. */
static void load_all(const char *dir, int major)
{
    char name[64];
    snprintf(name, sizeof name, "libcudart.so.%d", major);
    bind_cudart(open_lib(dir, name));
    snprintf(name, sizeof name, "libcublasLt.so.%d", major);
    BIND(open_lib(dir, name), cublasLtGetVersion);
    snprintf(name, sizeof name, "libcublas.so.%d", major);
    bind_cublas(open_lib(dir, name));
    bind_nvml(open_lib(dir, "libnvidia-ml.so.1"));
}

/* ---------------------------------------------------------------------------------------------------------
 * Helpers
 */

static uint16_t bf16(float f) /* exact values only */
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return (uint16_t) (u >> 16);
}

static float from_bf16(uint16_t h)
{
    uint32_t u = (uint32_t) h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static float from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static void *dev_alloc(size_t bytes)
{
    void *p = NULL;
    EQ(p_cudaMalloc(&p, bytes), cudaSuccess);
    return p;
}

static void upload(void *dev, const void *host, size_t bytes)
{
    EQ(p_cudaMemcpy(dev, host, bytes, cudaMemcpyHostToDevice), cudaSuccess);
}

static void download(void *host, const void *dev, size_t bytes)
{
    EQ(p_cudaMemcpy(host, dev, bytes, cudaMemcpyDeviceToHost), cudaSuccess);
}

static const float one = 1.0f;
static const float zero = 0.0f;

static int gemm(cublasHandle_t h, int ta, int tb, int m, int n, int k, const float *alpha, const void *A, int at,
        int lda, const void *B, int bt, int ldb, const float *beta, void *C, int ct, int ldc, int compute)
{
    return p_cublasGemmEx(h, (cublasOperation_t) ta, (cublasOperation_t) tb, m, n, k, alpha, A, (cudaDataType) at,
            lda, B, (cudaDataType) bt, ldb, beta, C, (cudaDataType) ct, ldc, (cublasComputeType_t) compute,
            CUBLAS_GEMM_DEFAULT);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------------------------------------------------
 * Mode "basic": one device, default knobs (CUDA_STANDIN_TRACE set by smoke.sh to argv[4])
 */

static void check_versions(int major)
{
    char want[256];
    snprintf(want, sizeof want,
            "gemmcost CUDA stand-in %d: simulated, no GPU; times come from a virtual clock, never a measurement",
            major);
    STREQ(p_gemmcostStandinDescription(), want);
    int v = 0;
    EQ(p_cudaRuntimeGetVersion(&v), cudaSuccess);
    EQ(v, major == 13 ? 13000 : 12080);
    EQ(p_cudaDriverGetVersion(&v), cudaSuccess);
    EQ(v, 13000);
    EQ(p_cublasLtGetVersion(), major == 13 ? 130000 : 120802);
    EQ(p_cublasGetVersion_v2(NULL, &v), CUBLAS_STATUS_SUCCESS);
    EQ(v, major == 13 ? 130000 : 120802);
    STREQ(p_cudaGetErrorName(cudaErrorInsufficientDriver), "cudaErrorInsufficientDriver");
    STREQ(p_cudaGetErrorString(cudaErrorInsufficientDriver),
            "CUDA driver version is insufficient for CUDA runtime version");
    STREQ(p_cudaGetErrorName(cudaErrorIllegalAddress), "cudaErrorIllegalAddress");
    STREQ(p_cudaGetErrorString(cudaErrorIllegalAddress), "an illegal memory access was encountered");
    STREQ(p_cudaGetErrorString(cudaErrorNotReady), "device not ready");
    STREQ(p_cudaGetErrorName((cudaError_t) 12345), "unrecognized error code");
    STREQ(p_cublasGetStatusName(CUBLAS_STATUS_NOT_SUPPORTED), "CUBLAS_STATUS_NOT_SUPPORTED");
    STREQ(p_cublasGetStatusName(CUBLAS_STATUS_EXECUTION_FAILED), "CUBLAS_STATUS_EXECUTION_FAILED");
    STREQ(p_cublasGetStatusString(CUBLAS_STATUS_INVALID_VALUE), "an invalid numeric value was used as an argument");
}

static void check_device_queries(void)
{
    int n = -1;
    EQ(p_cudaGetDeviceCount(&n), cudaSuccess);
    EQ(n, 1);
    int v = -1;
    EQ(p_cudaDeviceGetAttribute(&v, cudaDevAttrMultiProcessorCount, 0), cudaSuccess);
    EQ(v, 132);
    EQ(p_cudaDeviceGetAttribute(&v, cudaDevAttrL2CacheSize, 0), cudaSuccess);
    EQ(v, 52428800);
    EQ(p_cudaDeviceGetAttribute(&v, cudaDevAttrComputeCapabilityMajor, 0), cudaSuccess);
    EQ(v, 9);
    EQ(p_cudaDeviceGetAttribute(&v, cudaDevAttrComputeCapabilityMinor, 0), cudaSuccess);
    EQ(v, 0);
    EQ(p_cudaDeviceGetAttribute(&v, cudaDevAttrMemoryClockRate, 0), cudaSuccess);
    EQ(v, 2619000);
    EQ(p_cudaDeviceGetAttribute(&v, cudaDevAttrGlobalMemoryBusWidth, 0), cudaSuccess);
    EQ(v, 5120);
    EQ(p_cudaDeviceGetAttribute(&v, (enum cudaDeviceAttr) 9999, 0), cudaErrorInvalidValue);
    EQ(p_cudaDeviceGetAttribute(&v, cudaDevAttrMultiProcessorCount, 1), cudaErrorInvalidDevice);
    /* errors are remembered for cudaGetLastError, which then resets */
    EQ(p_cudaSetDevice(1), cudaErrorInvalidDevice);
    EQ(p_cudaPeekAtLastError(), cudaErrorInvalidDevice);
    EQ(p_cudaGetLastError(), cudaErrorInvalidDevice);
    EQ(p_cudaGetLastError(), cudaSuccess);
    EQ(p_cudaSetDevice(0), cudaSuccess);
    EQ(p_cudaGetDevice(&v), cudaSuccess);
    EQ(v, 0);
    char bus[64];
    EQ(p_cudaDeviceGetPCIBusId(bus, sizeof bus, 0), cudaSuccess);
    STREQ(bus, "0000:18:00.0");
    int d = -1;
    EQ(p_cudaDeviceGetByPCIBusId(&d, "0000:18:00.0"), cudaSuccess);
    EQ(d, 0);
    d = -1;
    EQ(p_cudaDeviceGetByPCIBusId(&d, "00000000:18:00.0"), cudaSuccess);
    EQ(d, 0);
    EQ(p_cudaDeviceGetByPCIBusId(&d, "0000:99:00.0"), cudaErrorInvalidDevice);
    EQ(p_cudaDeviceGetByPCIBusId(&d, "not a bus id"), cudaErrorInvalidValue);
}

static void check_memory(void)
{
    size_t free0 = 0;
    size_t total = 0;
    EQ(p_cudaMemGetInfo(&free0, &total), cudaSuccess);
    EQ(total, 85899345920ull);
    EQ(free0, total);
    void *p = (void *) 1;
    EQ(p_cudaMalloc(&p, 0), cudaSuccess);
    CHECK(p == NULL, "cudaMalloc(0) gives NULL");
    /* over capacity: refused, nothing allocated */
    EQ(p_cudaMalloc(&p, 85899345920ull + 1), cudaErrorMemoryAllocation);
    size_t free1 = 0;
    EQ(p_cudaMemGetInfo(&free1, &total), cudaSuccess);
    EQ(free1, free0);
    EQ(p_cudaGetLastError(), cudaErrorMemoryAllocation);

    /* fake device addresses, aligned, accounted, never reused */
    unsigned char *a = dev_alloc(1000);
    unsigned char *b = dev_alloc(1 << 20);
    CHECK((uintptr_t) a >= 0x200000000000ull && (uintptr_t) a < 0x200000000000ull + (1ull << 41), "device address %p", (void *) a);
    EQ((uintptr_t) a % 256, 0);
    EQ((uintptr_t) b % 256, 0);
    CHECK(b >= a + 1000 || b + (1 << 20) <= a, "allocations overlap");
    EQ(p_cudaMemGetInfo(&free1, &total), cudaSuccess);
    EQ(free0 - free1, 1024 + (1 << 20));
    EQ(p_cudaFree(a), cudaSuccess);
    unsigned char *c = dev_alloc(1000);
    CHECK(c != a, "a freed address is never handed out again");
    EQ(p_cudaFree(a), cudaErrorInvalidValue);     /* twice */
    EQ(p_cudaFree(b + 16), cudaErrorInvalidValue); /* interior */
    EQ(p_cudaFree((void *) 0x1234), cudaErrorInvalidValue);
    EQ(p_cudaFree(NULL), cudaSuccess);

    /* new memory reads as 0xFF (NaN); round trips, interior pointers, ranges */
    unsigned char host[1000];
    download(host, c, sizeof host);
    int all_ff = 1;
    for (size_t i = 0; i < sizeof host; i++) {
        all_ff &= host[i] == 0xFF;
    }
    CHECK(all_ff, "uninitialised memory is 0xFF bytes");
    for (size_t i = 0; i < sizeof host; i++) {
        host[i] = (unsigned char) i;
    }
    upload(c, host, sizeof host);
    unsigned char back[10] = {0};
    download(back, c + 500, 10); /* interior pointer */
    EQ(back[0], (unsigned char) 500);
    EQ(back[9], (unsigned char) 509);
    EQ(p_cudaMemcpy(back, c + 995, 10, cudaMemcpyDeviceToHost), cudaErrorInvalidValue); /* past the end */
    EQ(p_cudaMemcpy(back, (void *) 0x200000000010ull, 10, cudaMemcpyDeviceToHost), cudaErrorInvalidValue);
    EQ(p_cudaMemcpy(c, back, 10, (enum cudaMemcpyKind) 7), cudaErrorInvalidMemcpyDirection);
    EQ(p_cudaMemcpy(back, c + 100, 10, cudaMemcpyDefault), cudaSuccess); /* direction from the registry */
    EQ(back[0], 100);
    EQ(p_cudaMemcpy(b, c, 1000, cudaMemcpyDeviceToDevice), cudaSuccess);
    download(back, b + 990, 10);
    EQ(back[5], (unsigned char) 995);
    EQ(p_cudaMemset(b, 0x3C, 4), cudaSuccess);
    download(back, b, 5);
    EQ(back[3], 0x3C);
    EQ(back[4], (unsigned char) 4);

    /* virtual memory (over 16 MiB): operations only advance the clock */
    void *big = dev_alloc(32u << 20);
    EQ(p_cudaMemset(big, 0, 32u << 20), cudaSuccess);
    memset(back, 0x5A, sizeof back);
    download(back, big, sizeof back);
    EQ(back[0], 0x5A);
    EQ(p_cudaFree(big), cudaSuccess);
    EQ(p_cudaFree(b), cudaSuccess);
    EQ(p_cudaFree(c), cudaSuccess);
    EQ(p_cudaMemGetInfo(&free1, &total), cudaSuccess);
    EQ(free1, free0);
}

static void check_queues_and_events(void)
{
    EQ(p_cudaGetLastError(), cudaErrorInvalidMemcpyDirection); /* left by check_memory */
    cudaStream_t s;
    EQ(p_cudaStreamCreate(&s), cudaSuccess);
    unsigned char *p = dev_alloc(256);
    cudaEvent_t e;
    cudaEvent_t never;
    cudaEvent_t untimed;
    EQ(p_cudaEventCreate(&e), cudaSuccess);
    EQ(p_cudaEventCreate(&never), cudaSuccess);
    EQ(p_cudaEventCreateWithFlags(&untimed, cudaEventDisableTiming), cudaSuccess);
    float ms = -1;
    EQ(p_cudaEventQuery(never), cudaSuccess); /* never recorded: nothing to wait for */
    EQ(p_cudaEventSynchronize(never), cudaSuccess);
    EQ(p_cudaMemsetAsync(p, 0x11, 256, s), cudaSuccess);
    EQ(p_cudaEventRecord(e, s), cudaSuccess);
    size_t f;
    size_t t;
    EQ(p_cudaMemGetInfo(&f, &t), cudaSuccess); /* not a sync point */
    EQ(p_cudaEventQuery(e), cudaErrorNotReady);  /* nothing executes before a sync point */
    EQ(p_cudaGetLastError(), cudaSuccess);      /* not-ready is a status, not an error */
    EQ(p_cudaEventElapsedTime(&ms, never, e), cudaErrorInvalidResourceHandle);
    EQ(p_cudaEventRecord(never, s), cudaSuccess);
    EQ(p_cudaEventElapsedTime(&ms, e, never), cudaErrorNotReady);
    EQ(p_cudaStreamSynchronize(s), cudaSuccess);
    EQ(p_cudaEventQuery(e), cudaSuccess);
    EQ(p_cudaEventElapsedTime(&ms, e, never), cudaSuccess);
    EQ(p_cudaEventRecord(untimed, s), cudaSuccess);
    EQ(p_cudaStreamSynchronize(s), cudaSuccess);
    EQ(p_cudaEventElapsedTime(&ms, e, untimed), cudaErrorInvalidResourceHandle);
    unsigned char back[4];
    EQ(p_cudaMemcpyAsync(back, p, 4, cudaMemcpyDeviceToHost, s), cudaSuccess);
    EQ(p_cudaStreamSynchronize(s), cudaSuccess);
    EQ(back[0], 0x11);

    /* a destroyed stream's pending work still executes */
    cudaStream_t gone;
    EQ(p_cudaStreamCreate(&gone), cudaSuccess);
    EQ(p_cudaMemsetAsync(p, 0x22, 256, gone), cudaSuccess);
    EQ(p_cudaStreamDestroy(gone), cudaSuccess);
    EQ(p_cudaStreamSynchronize(gone), cudaErrorInvalidResourceHandle);
    EQ(p_cudaDeviceSynchronize(), cudaSuccess);
    download(back, p, 1);
    EQ(back[0], 0x22);

    /* async H2D takes the host data at the call */
    unsigned char src[4] = {1, 2, 3, 4};
    EQ(p_cudaMemcpyAsync(p, src, 4, cudaMemcpyHostToDevice, s), cudaSuccess);
    src[0] = 9;
    EQ(p_cudaStreamSynchronize(s), cudaSuccess);
    download(back, p, 4);
    EQ(back[0], 1);

    /* the legacy default stream waits for blocking streams, not for non-blocking ones */
    cudaStream_t nb;
    EQ(p_cudaStreamCreateWithFlags(&nb, cudaStreamNonBlocking), cudaSuccess);
    cudaEvent_t on_s;
    cudaEvent_t on_nb;
    cudaEvent_t on_legacy;
    EQ(p_cudaEventCreate(&on_s), cudaSuccess);
    EQ(p_cudaEventCreate(&on_nb), cudaSuccess);
    EQ(p_cudaEventCreate(&on_legacy), cudaSuccess);
    EQ(p_cudaEventRecord(on_s, s), cudaSuccess);
    EQ(p_cudaEventRecord(on_nb, nb), cudaSuccess);
    EQ(p_cudaEventRecord(on_legacy, 0), cudaSuccess);
    EQ(p_cudaEventSynchronize(on_legacy), cudaSuccess);
    EQ(p_cudaEventQuery(on_s), cudaSuccess);
    EQ(p_cudaEventQuery(on_nb), cudaErrorNotReady);
    EQ(p_cudaStreamSynchronize(nb), cudaSuccess);
    EQ(p_cudaEventQuery(on_nb), cudaSuccess);

    EQ(p_cudaStreamCreateWithFlags(&nb, 0x40), cudaErrorInvalidValue);
    EQ(p_cudaEventDestroy(e), cudaSuccess);
    EQ(p_cudaEventDestroy(e), cudaErrorInvalidResourceHandle);
    EQ(p_cudaEventRecord(e, s), cudaErrorInvalidResourceHandle);
    EQ(p_cudaStreamDestroy(s), cudaSuccess);
    EQ(p_cudaStreamDestroy(nb), cudaSuccess);
    EQ(p_cudaFree(p), cudaSuccess);
}

/* Parses "key=value" out of a trace line. */
static double field(const char *line, const char *key)
{
    char pattern[32];
    snprintf(pattern, sizeof pattern, " %s=", key);
    const char *at = strstr(line, pattern);
    return at != NULL ? strtod(at + strlen(pattern), NULL) : -1;
}

/* Flush memset, start event, GEMM, stop event on one stream: elapsed = 2mnk/peak; the trace agrees. */
static void check_timing(cublasHandle_t h, const char *trace_path)
{
    const int n = 4096;
    const size_t flush_bytes = 2 * 52428800;
    void *flush = dev_alloc(flush_bytes);
    void *A = dev_alloc((size_t) n * n * 4); /* 64 MiB: virtual */
    void *B = dev_alloc((size_t) n * n * 4);
    void *C = dev_alloc((size_t) n * n * 4);
    cudaStream_t s;
    cudaEvent_t start;
    cudaEvent_t stop;
    EQ(p_cudaStreamCreate(&s), cudaSuccess);
    EQ(p_cudaEventCreate(&start), cudaSuccess);
    EQ(p_cudaEventCreate(&stop), cudaSuccess);
    EQ(p_cublasSetStream_v2(h, s), CUBLAS_STATUS_SUCCESS);
    cudaStream_t got = NULL;
    EQ(p_cublasGetStream_v2(h, &got), CUBLAS_STATUS_SUCCESS);
    CHECK(got == s, "cublasGetStream_v2 gives the stream set");
    struct {
        int type;
        int compute;
        double peak;
    } kinds[] = {
        {CUDA_R_16BF, CUBLAS_COMPUTE_32F, 989.4e12},
        {CUDA_R_16F, CUBLAS_COMPUTE_32F, 989.4e12},
        {CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32, 494.7e12},
        {CUDA_R_32F, CUBLAS_COMPUTE_32F, 66.9e12},
        {CUDA_R_32F, CUBLAS_COMPUTE_32F_PEDANTIC, 66.9e12},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        EQ(p_cudaMemsetAsync(flush, (int) i, flush_bytes, s), cudaSuccess);
        EQ(p_cudaEventRecord(start, s), cudaSuccess);
        EQ(gemm(h, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, A, kinds[i].type, n, B, kinds[i].type, n, &zero, C,
                   kinds[i].type, n, kinds[i].compute),
                CUBLAS_STATUS_SUCCESS);
        EQ(p_cudaEventRecord(stop, s), cudaSuccess);
        EQ(p_cudaEventQuery(stop), cudaErrorNotReady);
        EQ(p_cudaEventSynchronize(stop), cudaSuccess);
        float ms = 0;
        EQ(p_cudaEventElapsedTime(&ms, start, stop), cudaSuccess);
        double want = 2.0 * n * n * n / kinds[i].peak * 1e3;
        CHECK(fabs(ms - want) <= 1e-6 * want, "elapsed %.9g ms, expected %.9g ms (type %d compute %d)", ms, want,
                kinds[i].type, kinds[i].compute);
    }
    /* the same with TF32 math mode: fp32 with COMPUTE_32F runs as TF32 */
    EQ(p_cublasSetMathMode(h, CUBLAS_TF32_TENSOR_OP_MATH), CUBLAS_STATUS_SUCCESS);
    cublasMath_t math_mode;
    EQ(p_cublasGetMathMode(h, &math_mode), CUBLAS_STATUS_SUCCESS);
    EQ(math_mode, CUBLAS_TF32_TENSOR_OP_MATH);
    EQ(p_cudaEventRecord(start, s), cudaSuccess);
    EQ(gemm(h, 0, 0, n, n, n, &one, A, CUDA_R_32F, n, B, CUDA_R_32F, n, &zero, C, CUDA_R_32F, n, CUBLAS_COMPUTE_32F),
            CUBLAS_STATUS_SUCCESS);
    EQ(p_cudaEventRecord(stop, s), cudaSuccess);
    EQ(p_cudaEventSynchronize(stop), cudaSuccess);
    float ms = 0;
    EQ(p_cudaEventElapsedTime(&ms, start, stop), cudaSuccess);
    CHECK(fabs(ms - 0.277822829) < 1e-6, "TF32 math mode: %.9g ms", ms);
    EQ(p_cublasSetMathMode(h, CUBLAS_DEFAULT_MATH), CUBLAS_STATUS_SUCCESS);
    EQ(p_cublasSetMathMode(h, (cublasMath_t) 7), CUBLAS_STATUS_INVALID_VALUE);
    /* two events back to back: 0 */
    EQ(p_cudaEventRecord(start, s), cudaSuccess);
    EQ(p_cudaEventRecord(stop, s), cudaSuccess);
    EQ(p_cudaEventSynchronize(stop), cudaSuccess);
    EQ(p_cudaEventElapsedTime(&ms, start, stop), cudaSuccess);
    CHECK(ms == 0.0f, "back-to-back events: %g ms", ms);
    /* stop before start: negative */
    EQ(p_cudaEventElapsedTime(&ms, stop, start), cudaSuccess);
    CHECK(ms <= 0.0f, "reversed events: %g ms", ms);

    /* the trace: memset, then the start event no earlier than the memset's end, the GEMM, the stop event */
    FILE *f = fopen(trace_path, "r");
    CHECK(f != NULL, "trace file %s", trace_path);
    if (f != NULL) {
        char line[512];
        char prev[512] = "";
        int found = 0;
        int ordered = 1;
        int gemm_ok = 0;
        while (fgets(line, sizeof line, f) != NULL) {
            if (strstr(line, " op=event ") != NULL && strstr(prev, " op=memset ") != NULL
                    && field(prev, "bytes") == (double) flush_bytes) {
                found++;
                ordered &= field(prev, "end_ns") <= field(line, "start_ns");
                CHECK(strncmp(line, "device=0 stream=", 16) == 0, "trace line: %s", line);
            }
            if (strstr(line, " op=gemm ") != NULL && strstr(line, "name=4096,4096,4096") != NULL
                    && strstr(line, "flops=137438953472 ") != NULL) {
                double cost = field(line, "end_ns") - field(line, "start_ns");
                gemm_ok += fabs(cost - 137438953472.0 / 989.4e12 * 1e9) < 1e-3;
            }
            memcpy(prev, line, sizeof prev);
        }
        fclose(f);
        EQ(found, 5);
        CHECK(ordered, "the flush memset ends at or before the start event");
        EQ(gemm_ok, 2); /* bf16 and fp16 */
    }
    EQ(p_cublasSetStream_v2(h, NULL), CUBLAS_STATUS_SUCCESS);
    EQ(p_cudaEventDestroy(start), cudaSuccess);
    EQ(p_cudaEventDestroy(stop), cudaSuccess);
    EQ(p_cudaStreamDestroy(s), cudaSuccess);
    EQ(p_cudaFree(flush), cudaSuccess);
    EQ(p_cudaFree(A), cudaSuccess);
    EQ(p_cudaFree(B), cudaSuccess);
    EQ(p_cudaFree(C), cudaSuccess);
}

static void check_gemm_numerics(cublasHandle_t h)
{
    /* fp32, transa = T, transb = N, m=2 n=3 k=4, lda=5 ldb=6 ldc=4, alpha=2 beta=0.5.
     * A is stored k×m: op(A) = [[1,2,3,4],[5,6,7,8]]; 99 is padding, never read.
     * B is k×n: columns [1,0,2,1], [0,1,1,0], [2,2,0,1]; 77 is padding.
     * op(A)·op(B) = [[11,5,10],[27,13,30]]; C(i,j) = 10(j+1)+i before; -1 is padding, left alone.
     * 2·AB + 0.5·C = [[27,20,35],[59.5,36.5,75.5]], column-major with ldc 4. */
    float a[9] = {1, 2, 3, 4, 99, 5, 6, 7, 8};
    float b[16] = {1, 0, 2, 1, 77, 77, 0, 1, 1, 0, 77, 77, 2, 2, 0, 1};
    float c[12] = {10, 11, -1, -1, 20, 21, -1, -1, 30, 31, -1, -1};
    float want[12] = {27, 59.5f, -1, -1, 20, 36.5f, -1, -1, 35, 75.5f, -1, -1};
    float *A = dev_alloc(sizeof a);
    float *B = dev_alloc(sizeof b);
    float *C = dev_alloc(sizeof c);
    upload(A, a, sizeof a);
    upload(B, b, sizeof b);
    upload(C, c, sizeof c);
    float alpha = 2;
    float beta = 0.5f;
    EQ(gemm(h, CUBLAS_OP_T, CUBLAS_OP_N, 2, 3, 4, &alpha, A, CUDA_R_32F, 5, B, CUDA_R_32F, 6, &beta, C, CUDA_R_32F,
               4, CUBLAS_COMPUTE_32F),
            CUBLAS_STATUS_SUCCESS);
    alpha = 1000; /* read at the call: changing it afterwards changes nothing */
    float got[12];
    download(got, C, sizeof got);
    CHECK(memcmp(got, want, sizeof want) == 0, "T,N GEMM: got %g %g %g %g %g %g %g %g %g %g %g %g", got[0], got[1],
            got[2], got[3], got[4], got[5], got[6], got[7], got[8], got[9], got[10], got[11]);

    /* bf16 in and out, transa = N, transb = T, m=3 n=2 k=2, lda=4 ldb=3 ldc=3, beta=0 on a NaN-filled C.
     * op(A) = [[1,4],[2,5],[3,6]] (A(i,p) = A[i+4p]); B stored n×k: B(j,p) = B[j+3p] = [[1,-1],[2,0.5]],
     * so op(B) = [[1,2],[-1,0.5]]; op(A)·op(B) = [[-3,4],[-3,6.5],[-3,9]]. */
    uint16_t a16[7] = {bf16(1), bf16(2), bf16(3), bf16(99), bf16(4), bf16(5), bf16(6)};
    uint16_t b16[5] = {bf16(1), bf16(2), bf16(77), bf16(-1), bf16(0.5f)};
    uint16_t *A16 = dev_alloc(sizeof a16);
    uint16_t *B16 = dev_alloc(sizeof b16);
    uint16_t *C16 = dev_alloc(6 * 2);
    upload(A16, a16, sizeof a16);
    upload(B16, b16, sizeof b16);
    EQ(p_cudaMemset(C16, 0xFF, 12), cudaSuccess); /* NaN: beta = 0 must not read it */
    EQ(gemm(h, CUBLAS_OP_N, CUBLAS_OP_T, 3, 2, 2, &one, A16, CUDA_R_16BF, 4, B16, CUDA_R_16BF, 3, &zero, C16,
               CUDA_R_16BF, 3, CUBLAS_COMPUTE_32F),
            CUBLAS_STATUS_SUCCESS);
    uint16_t c16[6];
    download(c16, C16, sizeof c16);
    float want16[6] = {-3, -3, -3, 4, 6.5f, 9};
    int ok = 1;
    for (int i = 0; i < 6; i++) {
        ok &= from_bf16(c16[i]) == want16[i];
    }
    CHECK(ok, "N,T bf16 GEMM with beta 0 over NaN: got %g %g %g %g %g %g", from_bf16(c16[0]), from_bf16(c16[1]),
            from_bf16(c16[2]), from_bf16(c16[3]), from_bf16(c16[4]), from_bf16(c16[5]));

    /* bf16 output rounds to nearest even: 1 + 2^-8 (a tie) -> 1.0 (0x3F80), 1 + 3·2^-8 (a tie) -> 1 + 2^-6
     * (0x3F82); truncation would give 0x3F80, 0x3F81, round-half-up 0x3F81, 0x3F82. A(i,p) = A[i+2p]. */
    uint16_t tie_a[4] = {bf16(1), bf16(1), bf16(0.00390625f), bf16(0.01171875f)};
    uint16_t tie_b[2] = {bf16(1), bf16(1)};
    upload(A16, tie_a, sizeof tie_a);
    upload(B16, tie_b, sizeof tie_b);
    EQ(gemm(h, 0, 0, 2, 1, 2, &one, A16, CUDA_R_16BF, 2, B16, CUDA_R_16BF, 2, &zero, C16, CUDA_R_16BF, 2,
               CUBLAS_COMPUTE_32F),
            CUBLAS_STATUS_SUCCESS);
    download(c16, C16, 4);
    EQ(c16[0], 0x3F80);
    EQ(c16[1], 0x3F82);
    /* the same sums into fp32 C are exact */
    EQ(gemm(h, 0, 0, 2, 1, 2, &one, A16, CUDA_R_16BF, 2, B16, CUDA_R_16BF, 2, &zero, C, CUDA_R_32F, 2,
               CUBLAS_COMPUTE_32F),
            CUBLAS_STATUS_SUCCESS);
    download(got, C, 8);
    CHECK(got[0] == 1.00390625f && got[1] == 1.01171875f, "bf16 in, fp32 out: %.9g %.9g", got[0], got[1]);

    /* fp16 output: 1 + 2^-11 -> 0x3C00, 1 + 3·2^-11 -> 0x3C02 (fp16 values: 0x3C00 is 1, 0x1000 is 2^-11,
     * 0x1600 is 3·2^-11) */
    uint16_t h_a[4] = {0x3C00, 0x3C00, 0x1000, 0x1600};
    uint16_t h_b[2] = {0x3C00, 0x3C00};
    upload(A16, h_a, sizeof h_a);
    upload(B16, h_b, sizeof h_b);
    EQ(gemm(h, 0, 0, 2, 1, 2, &one, A16, CUDA_R_16F, 2, B16, CUDA_R_16F, 2, &zero, C16, CUDA_R_16F, 2,
               CUBLAS_COMPUTE_32F),
            CUBLAS_STATUS_SUCCESS);
    download(c16, C16, 4);
    EQ(c16[0], 0x3C00);
    EQ(c16[1], 0x3C02);

    /* TF32 rounds fp32 inputs to 10 mantissa bits, to nearest even: 1 + 2^-11 -> 1, 1 + 3·2^-11 -> 1 + 2^-9 */
    float t_a[2] = {from_bits(0x3F801000u), from_bits(0x3F803000u)};
    float t_b[1] = {1};
    upload(A, t_a, sizeof t_a);
    upload(B, t_b, sizeof t_b);
    EQ(gemm(h, 0, 0, 2, 1, 1, &one, A, CUDA_R_32F, 2, B, CUDA_R_32F, 1, &zero, C, CUDA_R_32F, 2,
               CUBLAS_COMPUTE_32F_FAST_TF32),
            CUBLAS_STATUS_SUCCESS);
    download(got, C, 8);
    CHECK(got[0] == 1.0f && got[1] == from_bits(0x3F804000u), "TF32: %.9g %.9g", got[0], got[1]);
    EQ(gemm(h, 0, 0, 2, 1, 1, &one, A, CUDA_R_32F, 2, B, CUDA_R_32F, 1, &zero, C, CUDA_R_32F, 2, CUBLAS_COMPUTE_32F),
            CUBLAS_STATUS_SUCCESS);
    download(got, C, 8);
    CHECK(got[0] == t_a[0] && got[1] == t_a[1], "fp32: %.9g %.9g", got[0], got[1]);

    /* k = 0: C = beta·C */
    float c2[2] = {3, 5};
    upload(C, c2, sizeof c2);
    EQ(gemm(h, 0, 0, 2, 1, 0, &one, NULL, CUDA_R_32F, 2, NULL, CUDA_R_32F, 1, &beta, C, CUDA_R_32F, 2,
               CUBLAS_COMPUTE_32F),
            CUBLAS_STATUS_SUCCESS);
    download(got, C, 8);
    CHECK(got[0] == 1.5f && got[1] == 2.5f, "k = 0: %g %g", got[0], got[1]);
    /* m = 0 or n = 0: nothing, whatever the pointers */
    EQ(gemm(h, 0, 0, 0, 1, 1, &one, NULL, CUDA_R_32F, 1, NULL, CUDA_R_32F, 1, &zero, NULL, CUDA_R_32F, 1,
               CUBLAS_COMPUTE_32F),
            CUBLAS_STATUS_SUCCESS);

    /* beyond CUDA_STANDIN_GEMM_COMPUTE_MAX (300^3 > 256^3), or with a virtual operand: C becomes NaN */
    const int big = 300;
    float *BA = dev_alloc((size_t) big * big * 4);
    float *BB = dev_alloc((size_t) big * big * 4);
    float *BC = dev_alloc((size_t) big * big * 4);
    EQ(p_cudaMemset(BA, 0, (size_t) big * big * 4), cudaSuccess);
    EQ(p_cudaMemset(BB, 0, (size_t) big * big * 4), cudaSuccess);
    EQ(p_cudaMemset(BC, 0, (size_t) big * big * 4), cudaSuccess);
    EQ(gemm(h, 0, 0, big, big, big, &one, BA, CUDA_R_32F, big, BB, CUDA_R_32F, big, &zero, BC, CUDA_R_32F, big,
               CUBLAS_COMPUTE_32F),
            CUBLAS_STATUS_SUCCESS);
    download(got, BC + big * big - 2, 8);
    CHECK(isnan(got[0]) && isnan(got[1]), "too big to compute: NaN, got %g %g", got[0], got[1]);
    void *virt = dev_alloc(64u << 20);
    EQ(p_cudaMemset(BC, 0, 16), cudaSuccess);
    EQ(gemm(h, 0, 0, 2, 2, 2, &one, virt, CUDA_R_32F, 2, BB, CUDA_R_32F, 2, &zero, BC, CUDA_R_32F, 2,
               CUBLAS_COMPUTE_32F),
            CUBLAS_STATUS_SUCCESS);
    download(got, BC, 16);
    CHECK(isnan(got[0]) && isnan(got[3]), "virtual A: NaN, got %g %g", got[0], got[3]);
    /* 256^3 is still computed */
    EQ(gemm(h, 0, 0, 256, 256, 256, &one, BA, CUDA_R_32F, 256, BB, CUDA_R_32F, 256, &zero, BC, CUDA_R_32F, 256,
               CUBLAS_COMPUTE_32F),
            CUBLAS_STATUS_SUCCESS);
    download(got, BC, 8);
    CHECK(got[0] == 0.0f && got[1] == 0.0f, "256^3 computed: %g %g", got[0], got[1]);

    EQ(p_cudaFree(virt), cudaSuccess);
    EQ(p_cudaFree(BA), cudaSuccess);
    EQ(p_cudaFree(BB), cudaSuccess);
    EQ(p_cudaFree(BC), cudaSuccess);
    EQ(p_cudaFree(A16), cudaSuccess);
    EQ(p_cudaFree(B16), cudaSuccess);
    EQ(p_cudaFree(C16), cudaSuccess);
    EQ(p_cudaFree(A), cudaSuccess);
    EQ(p_cudaFree(B), cudaSuccess);
    EQ(p_cudaFree(C), cudaSuccess);
}

static void check_gemm_arguments(cublasHandle_t h)
{
    float *A = dev_alloc(4096);
    const int s = CUDA_R_32F;
    const int c = CUBLAS_COMPUTE_32F;
    EQ(p_cublasGemmEx(NULL, 0, 0, 2, 2, 2, &one, A, s, 2, A, s, 2, &zero, A, s, 2, c, -1),
            CUBLAS_STATUS_NOT_INITIALIZED);
    EQ(gemm(h, 0, 0, -1, 2, 2, &one, A, s, 2, A, s, 2, &zero, A, s, 2, c), CUBLAS_STATUS_INVALID_VALUE);
    EQ(gemm(h, 0, 0, 2, 2, -1, &one, A, s, 2, A, s, 2, &zero, A, s, 2, c), CUBLAS_STATUS_INVALID_VALUE);
    EQ(gemm(h, 3, 0, 2, 2, 2, &one, A, s, 2, A, s, 2, &zero, A, s, 2, c), CUBLAS_STATUS_INVALID_VALUE);
    EQ(gemm(h, 0, 0, 4, 2, 2, &one, A, s, 3, A, s, 2, &zero, A, s, 4, c), CUBLAS_STATUS_INVALID_VALUE); /* lda<m */
    EQ(gemm(h, 1, 0, 4, 2, 2, &one, A, s, 2, A, s, 2, &zero, A, s, 4, c), CUBLAS_STATUS_SUCCESS);     /* lda>=k */
    EQ(gemm(h, 0, 1, 2, 4, 2, &one, A, s, 2, A, s, 3, &zero, A, s, 2, c), CUBLAS_STATUS_INVALID_VALUE); /* ldb<n */
    EQ(gemm(h, 0, 0, 2, 2, 2, &one, A, s, 2, A, s, 2, &zero, A, s, 1, c), CUBLAS_STATUS_INVALID_VALUE); /* ldc<m */
    EQ(gemm(h, 0, 0, 0, 2, 2, &one, A, s, 0, A, s, 2, &zero, A, s, 1, c), CUBLAS_STATUS_INVALID_VALUE); /* lda<1 */
    EQ(gemm(h, 0, 0, 2, 2, 2, NULL, A, s, 2, A, s, 2, &zero, A, s, 2, c), CUBLAS_STATUS_INVALID_VALUE);
    EQ(gemm(h, 0, 0, 2, 2, 2, &one, A, s, 2, A, s, 2, NULL, A, s, 2, c), CUBLAS_STATUS_INVALID_VALUE);
    EQ(p_cublasGemmEx(h, 0, 0, 2, 2, 2, &one, A, s, 2, A, s, 2, &zero, A, s, 2, c, 24), CUBLAS_STATUS_INVALID_VALUE);
    EQ(p_cublasGemmEx(h, 0, 0, 2, 2, 2, &one, A, s, 2, A, s, 2, &zero, A, s, 2, c, 116), CUBLAS_STATUS_INVALID_VALUE);
    EQ(p_cublasGemmEx(h, 0, 0, 2, 2, 2, &one, A, s, 2, A, s, 2, &zero, A, s, 2, c, 99), CUBLAS_STATUS_SUCCESS);
    EQ(p_cublasGemmEx(h, 0, 0, 2, 2, 2, &one, A, s, 2, A, s, 2, &zero, A, s, 2, c, 115), CUBLAS_STATUS_SUCCESS);
    EQ(p_cublasGemmEx(h, 2, 2, 2, 2, 2, &one, A, s, 2, A, s, 2, &zero, A, s, 2, c, 23), CUBLAS_STATUS_SUCCESS);
    EQ(gemm(h, 0, 0, 2, 2, 2, &one, A, CUDA_R_16F, 2, A, CUDA_R_16F, 2, &zero, A, CUDA_R_16BF, 2, c),
            CUBLAS_STATUS_NOT_SUPPORTED);
    EQ(gemm(h, 0, 0, 2, 2, 2, &one, A, CUDA_R_16F, 2, A, CUDA_R_16BF, 2, &zero, A, CUDA_R_32F, 2, c),
            CUBLAS_STATUS_NOT_SUPPORTED);
    EQ(gemm(h, 0, 0, 2, 2, 2, &one, A, CUDA_R_16BF, 2, A, CUDA_R_16BF, 2, &zero, A, CUDA_R_16BF, 2,
               CUBLAS_COMPUTE_32F_FAST_TF32),
            CUBLAS_STATUS_NOT_SUPPORTED);
    EQ(gemm(h, 0, 0, 2, 2, 2, &one, A, s, 2, A, s, 2, &zero, A, s, 2, CUBLAS_COMPUTE_16F), CUBLAS_STATUS_NOT_SUPPORTED);
    EQ(gemm(h, 0, 0, 2, 2, 2, &one, A, CUDA_R_16BF, 2, A, CUDA_R_16BF, 2, &zero, A, CUDA_R_32F, 2,
               CUBLAS_COMPUTE_32F_PEDANTIC),
            CUBLAS_STATUS_SUCCESS);
    EQ(p_cudaDeviceSynchronize(), cudaSuccess);

    /* workspaces: NULL with 0 bytes, or a 256-byte aligned range of the handle's device */
    EQ(p_cublasSetWorkspace_v2(h, NULL, 0), CUBLAS_STATUS_SUCCESS);
    EQ(p_cublasSetWorkspace_v2(h, NULL, 256), CUBLAS_STATUS_INVALID_VALUE);
    EQ(p_cublasSetWorkspace_v2(h, A, 4096), CUBLAS_STATUS_SUCCESS);
    EQ(p_cublasSetWorkspace_v2(h, (char *) A + 8, 256), CUBLAS_STATUS_INVALID_VALUE);
    EQ(p_cublasSetWorkspace_v2(h, (char *) A + 256, 4096), CUBLAS_STATUS_INVALID_VALUE);
    float host[64];
    EQ(p_cublasSetWorkspace_v2(h, (void *) (((uintptr_t) host + 255) & ~(uintptr_t) 255), 16),
            CUBLAS_STATUS_INVALID_VALUE);
    EQ(p_cublasSetWorkspace_v2(NULL, NULL, 0), CUBLAS_STATUS_NOT_INITIALIZED);
    EQ(p_cudaFree(A), cudaSuccess);
}

static void check_nvml_one(void)
{
    unsigned n = 0;
    EQ(p_nvmlDeviceGetCount_v2(&n), 1); /* NVML_ERROR_UNINITIALIZED before nvmlInit */
    EQ(p_nvmlShutdown(), 1);
    EQ(p_nvmlInit_v2(), 0);
    EQ(p_nvmlDeviceGetCount_v2(&n), 0);
    EQ(n, 1);
    char text[96];
    EQ(p_nvmlSystemGetDriverVersion(text, sizeof text), 0);
    STREQ(text, "580.00-standin");
    nvmlDevice_t d = NULL;
    EQ(p_nvmlDeviceGetHandleByIndex_v2(1, &d), 2);
    EQ(p_nvmlDeviceGetHandleByIndex_v2(0, &d), 0);
    EQ(p_nvmlDeviceGetName(d, text, sizeof text), 0);
    STREQ(text, "gemmcost CUDA stand-in (simulated, not a GPU)");
    EQ(p_nvmlDeviceGetName(d, text, 10), 7); /* NVML_ERROR_INSUFFICIENT_SIZE */
    EQ(p_nvmlDeviceGetUUID(d, text, sizeof text), 0);
    STREQ(text, "GPU-5a7d1e00-0000-4000-8000-000000000000");
    nvmlDevice_t e = NULL;
    EQ(p_nvmlDeviceGetHandleByUUID("GPU-5a7d1e00-0000-4000-8000-000000000000", &e), 0);
    CHECK(e == d, "by UUID");
    EQ(p_nvmlDeviceGetHandleByUUID("GPU-5a7d1e00-0000-4000-8000-000000000009", &e), 6);
    e = NULL;
    EQ(p_nvmlDeviceGetHandleByPciBusId_v2("00000000:18:00.0", &e), 0);
    CHECK(e == d, "by 8-digit-domain bus id");
    e = NULL;
    EQ(p_nvmlDeviceGetHandleByPciBusId_v2("0000:18:00.0", &e), 0);
    CHECK(e == d, "by 4-digit-domain bus id");
    EQ(p_nvmlDeviceGetHandleByPciBusId_v2("0000:28:00.0", &e), 6);
    unsigned mhz = 0;
    EQ(p_nvmlDeviceGetClockInfo(d, 1, &mhz), 0);
    EQ(mhz, 1980);
    EQ(p_nvmlDeviceGetClockInfo(d, 0, &mhz), 0);
    EQ(mhz, 1980);
    EQ(p_nvmlDeviceGetClockInfo(d, 2, &mhz), 0);
    EQ(mhz, 2619);
    unsigned long long reasons = 99;
    EQ(p_nvmlDeviceGetCurrentClocksEventReasons(d, &reasons), 0);
    EQ(reasons, 0);
    unsigned v = 0;
    EQ(p_nvmlDeviceGetPowerUsage(d, &v), 0);
    EQ(v, 350000);
    EQ(p_nvmlDeviceGetTemperature(d, 0, &v), 0);
    EQ(v, 45);
    STREQ(p_nvmlErrorString(6), "Not Found");
    EQ(p_nvmlShutdown(), 0);
    EQ(p_nvmlDeviceGetName(d, text, sizeof text), 1);
}

/* Several threads at once: streams, memory, GEMMs, syncs. */
static void *worker(void *arg)
{
    int id = (int) (intptr_t) arg;
    int ok = 1;
    cublasHandle_t h;
    ok &= p_cublasCreate_v2(&h) == CUBLAS_STATUS_SUCCESS;
    cudaStream_t s;
    ok &= p_cudaStreamCreate(&s) == cudaSuccess;
    ok &= p_cublasSetStream_v2(h, s) == CUBLAS_STATUS_SUCCESS;
    for (int it = 0; it < 50 && ok; it++) {
        float a[4] = {1, 2, 3, (float) id};
        float b[4] = {1, 0, 0, 1};
        float c[4];
        float *A = NULL;
        float *C = NULL;
        ok &= p_cudaMalloc((void **) &A, sizeof a) == cudaSuccess;
        ok &= p_cudaMalloc((void **) &C, sizeof c) == cudaSuccess;
        ok &= p_cudaMemcpyAsync(A, a, sizeof a, cudaMemcpyHostToDevice, s) == cudaSuccess;
        float *B = NULL;
        ok &= p_cudaMalloc((void **) &B, sizeof b) == cudaSuccess;
        ok &= p_cudaMemcpyAsync(B, b, sizeof b, cudaMemcpyHostToDevice, s) == cudaSuccess;
        ok &= gemm(h, 0, 0, 2, 2, 2, &one, A, CUDA_R_32F, 2, B, CUDA_R_32F, 2, &zero, C, CUDA_R_32F, 2,
                      CUBLAS_COMPUTE_32F)
                == CUBLAS_STATUS_SUCCESS;
        ok &= p_cudaMemcpyAsync(c, C, sizeof c, cudaMemcpyDeviceToHost, s) == cudaSuccess;
        ok &= p_cudaStreamSynchronize(s) == cudaSuccess;
        ok &= memcmp(a, c, sizeof c) == 0; /* A·I = A */
        ok &= p_cudaFree(A) == cudaSuccess && p_cudaFree(B) == cudaSuccess && p_cudaFree(C) == cudaSuccess;
    }
    ok &= p_cudaStreamDestroy(s) == cudaSuccess;
    ok &= p_cublasDestroy_v2(h) == CUBLAS_STATUS_SUCCESS;
    return (void *) (intptr_t) ok;
}

static void check_threads(void)
{
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        pthread_create(&t[i], NULL, worker, (void *) (intptr_t) i);
    }
    for (int i = 0; i < 4; i++) {
        void *ok;
        pthread_join(t[i], &ok);
        CHECK(ok != NULL, "thread %d", i);
    }
}

static void mode_basic(const char *dir, int major, const char *trace_path)
{
    load_all(dir, major);
    check_versions(major);
    check_device_queries();
    check_memory();
    check_queues_and_events();
    cublasHandle_t h = NULL;
    EQ(p_cublasCreate_v2(&h), CUBLAS_STATUS_SUCCESS);
    EQ(p_cublasCreate_v2(NULL), CUBLAS_STATUS_INVALID_VALUE);
    check_timing(h, trace_path);
    check_gemm_numerics(h);
    check_gemm_arguments(h);
    check_threads();
    EQ(p_cublasDestroy_v2(h), CUBLAS_STATUS_SUCCESS);
    EQ(p_cublasDestroy_v2(h), CUBLAS_STATUS_NOT_INITIALIZED);
    check_nvml_one();
}

/* ---------------------------------------------------------------------------------------------------------
 * Other modes
 */

/* Two devices, default order: CUDA ordinal 0 is PCI index 1, NVML index 0 is PCI index 0. */
static void *thread_device(void *arg)
{
    int *out = arg;
    p_cudaGetDevice(out);
    return NULL;
}

static void mode_multi(const char *dir, int major)
{
    load_all(dir, major);
    int n = 0;
    EQ(p_cudaGetDeviceCount(&n), cudaSuccess);
    EQ(n, 2);
    char bus[32];
    EQ(p_cudaDeviceGetPCIBusId(bus, sizeof bus, 0), cudaSuccess);
    STREQ(bus, "0000:28:00.0");
    EQ(p_cudaDeviceGetPCIBusId(bus, sizeof bus, 1), cudaSuccess);
    STREQ(bus, "0000:18:00.0");
    int d = -1;
    EQ(p_cudaDeviceGetByPCIBusId(&d, "0000:28:00.0"), cudaSuccess);
    EQ(d, 0);
    EQ(p_nvmlInit_v2(), 0);
    unsigned count = 0;
    EQ(p_nvmlDeviceGetCount_v2(&count), 0);
    EQ(count, 2);
    nvmlDevice_t nd;
    char uuid[64];
    EQ(p_nvmlDeviceGetHandleByIndex_v2(0, &nd), 0);
    EQ(p_nvmlDeviceGetUUID(nd, uuid, sizeof uuid), 0);
    STREQ(uuid, "GPU-5a7d1e00-0000-4000-8000-000000000000");
    nvmlDevice_t by_bus;
    EQ(p_nvmlDeviceGetHandleByPciBusId_v2("0000:18:00.0", &by_bus), 0);
    CHECK(by_bus == nd, "NVML index 0 is bus 18");
    unsigned mhz = 0;
    EQ(p_nvmlDeviceGetHandleByIndex_v2(1, &nd), 0);
    EQ(p_nvmlDeviceGetClockInfo(nd, 1, &mhz), 0);
    EQ(mhz, 1965);
    EQ(p_nvmlDeviceGetHandleByPciBusId_v2("0000:28:00.0", &by_bus), 0);
    CHECK(by_bus == nd, "NVML index 1 is bus 28");

    /* the current device is per thread */
    EQ(p_cudaSetDevice(1), cudaSuccess);
    int other = -1;
    pthread_t t;
    pthread_create(&t, NULL, thread_device, &other);
    pthread_join(t, NULL);
    EQ(other, 0);
    EQ(p_cudaGetDevice(&d), cudaSuccess);
    EQ(d, 1);

    /* objects belong to the device current at creation; clocks are per device */
    cudaEvent_t e1a;
    cudaEvent_t e1b;
    EQ(p_cudaEventCreate(&e1a), cudaSuccess);
    EQ(p_cudaEventCreate(&e1b), cudaSuccess);
    void *m1 = dev_alloc(64u << 20);
    EQ(p_cudaSetDevice(0), cudaSuccess);
    cudaStream_t s0;
    EQ(p_cudaStreamCreate(&s0), cudaSuccess);
    void *m0 = dev_alloc(1024);
    CHECK((uintptr_t) m1 < 0x200000000000ull + (1ull << 41) && (uintptr_t) m0 >= 0x200000000000ull + (1ull << 41),
            "device address ranges: %p on PCI 1 (ordinal 0), %p on PCI 0 (ordinal 1)", m0, m1);
    EQ(p_cudaEventRecord(e1a, s0), cudaErrorInvalidResourceHandle); /* event of device 1, stream of device 0 */
    EQ(p_cudaEventRecord(e1a, 0), cudaErrorInvalidResourceHandle);  /* legacy stream of device 0 */
    EQ(p_cudaMemsetAsync(m0, 0, 1024, s0), cudaSuccess);
    size_t f;
    size_t total;
    EQ(p_cudaMemGetInfo(&f, &total), cudaSuccess);
    EQ(total - f, 1024);
    EQ(p_cudaSetDevice(1), cudaSuccess);
    EQ(p_cudaMemGetInfo(&f, &total), cudaSuccess);
    EQ(total - f, 64u << 20);
    cublasHandle_t h;
    EQ(p_cublasCreate_v2(&h), CUBLAS_STATUS_SUCCESS); /* on device 1 */
    EQ(p_cudaEventRecord(e1a, 0), cudaSuccess);
    EQ(gemm(h, 0, 0, 1024, 1024, 1024, &one, m1, CUDA_R_16BF, 1024, m1, CUDA_R_16BF, 1024, &zero, m1, CUDA_R_16BF,
               1024, CUBLAS_COMPUTE_32F),
            CUBLAS_STATUS_SUCCESS);
    EQ(p_cudaEventRecord(e1b, 0), cudaSuccess);
    EQ(p_cudaEventSynchronize(e1b), cudaSuccess);
    float ms = 0;
    EQ(p_cudaEventElapsedTime(&ms, e1a, e1b), cudaSuccess);
    double want = 2.0 * 1024 * 1024 * 1024 / 989.4e12 * 1e3;
    CHECK(fabs(ms - want) <= 1e-6 * want, "device 1 GEMM: %.9g ms, expected %.9g", ms, want);
    /* a GEMM on device 1's handle with an operand on device 0 is an illegal address: not here */
    EQ(p_cudaStreamSynchronize(s0), cudaSuccess); /* another device's stream: allowed */
    EQ(p_cublasDestroy_v2(h), CUBLAS_STATUS_SUCCESS);
}

/* CUDA_DEVICE_ORDER / CUDA_VISIBLE_DEVICES: expected count (or error) and bus ids of the ordinals. */
static void mode_visible(const char *dir, int major, int argc, char **argv)
{
    load_all(dir, major);
    int want = atoi(argv[0]);
    int n = -1;
    if (want == 0) {
        EQ(p_cudaGetDeviceCount(&n), cudaErrorNoDevice);
        EQ(n, 0);
        void *p;
        EQ(p_cudaMalloc(&p, 16), cudaErrorNoDevice);
        cublasHandle_t h;
        EQ(p_cublasCreate_v2(&h), CUBLAS_STATUS_NOT_INITIALIZED);
        return;
    }
    EQ(p_cudaGetDeviceCount(&n), cudaSuccess);
    EQ(n, want);
    for (int i = 0; i < want && i + 1 < argc; i++) {
        char bus[32];
        EQ(p_cudaDeviceGetPCIBusId(bus, sizeof bus, i), cudaSuccess);
        STREQ(bus, argv[i + 1]);
    }
}

/* CUDA_STANDIN_DRIVER_VERSION: argv[0] = expected cudaGetDeviceCount error (0 or 35). */
static void mode_driver(const char *dir, int major, int argc, char **argv)
{
    load_all(dir, major);
    int want = argc > 0 ? atoi(argv[0]) : 0;
    int v = 0;
    EQ(p_cudaDriverGetVersion(&v), cudaSuccess);
    EQ(v, 12040);
    EQ(p_cudaRuntimeGetVersion(&v), cudaSuccess);
    EQ(v, major == 13 ? 13000 : 12080);
    int n = -1;
    EQ(p_cudaGetDeviceCount(&n), want);
    void *p = NULL;
    EQ(p_cudaMalloc(&p, 16), want);
    cublasHandle_t h;
    EQ(p_cublasCreate_v2(&h), want == 0 ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_NOT_INITIALIZED);
    if (want != 0) {
        EQ(p_cudaGetLastError(), want);
        STREQ(p_cudaGetErrorName((cudaError_t) want), "cudaErrorInsufficientDriver");
    }
}

/* CUDA_STANDIN_STICKY_AFTER=2: the third GEMM raises the sticky illegal address. */
static void mode_sticky(const char *dir, int major)
{
    load_all(dir, major);
    cublasHandle_t h;
    EQ(p_cublasCreate_v2(&h), CUBLAS_STATUS_SUCCESS);
    float *A = dev_alloc(64);
    cudaStream_t s;
    EQ(p_cudaStreamCreate(&s), cudaSuccess);
    EQ(p_cublasSetStream_v2(h, s), CUBLAS_STATUS_SUCCESS);
    for (int i = 0; i < 2; i++) {
        EQ(gemm(h, 0, 0, 2, 2, 2, &one, A, CUDA_R_32F, 2, A, CUDA_R_32F, 2, &zero, A, CUDA_R_32F, 2,
                   CUBLAS_COMPUTE_32F),
                CUBLAS_STATUS_SUCCESS);
        EQ(p_cudaStreamSynchronize(s), cudaSuccess);
    }
    EQ(gemm(h, 0, 0, 2, 2, 2, &one, A, CUDA_R_32F, 2, A, CUDA_R_32F, 2, &zero, A, CUDA_R_32F, 2, CUBLAS_COMPUTE_32F),
            CUBLAS_STATUS_SUCCESS); /* queued fine: it fails when it executes */
    cudaEvent_t e;
    EQ(p_cudaEventCreate(&e), cudaSuccess);
    EQ(p_cudaEventRecord(e, s), cudaSuccess);
    EQ(p_cudaEventSynchronize(e), cudaErrorIllegalAddress);
    EQ(p_cudaGetLastError(), cudaErrorIllegalAddress);
    EQ(p_cudaGetLastError(), cudaErrorIllegalAddress); /* sticky: not reset */
    EQ(p_cudaPeekAtLastError(), cudaErrorIllegalAddress);
    void *p;
    EQ(p_cudaMalloc(&p, 16), cudaErrorIllegalAddress);
    EQ(p_cudaDeviceSynchronize(), cudaErrorIllegalAddress);
    EQ(p_cudaEventQuery(e), cudaErrorIllegalAddress);
    int n;
    EQ(p_cudaGetDeviceCount(&n), cudaErrorIllegalAddress);
    EQ(p_cudaFree(A), cudaErrorIllegalAddress);
    int v = 0;
    EQ(p_cudaRuntimeGetVersion(&v), cudaSuccess);
    EQ(p_cudaDriverGetVersion(&v), cudaSuccess);
    STREQ(p_cudaGetErrorString(cudaErrorIllegalAddress), "an illegal memory access was encountered");
    EQ(gemm(h, 0, 0, 2, 2, 2, &one, A, CUDA_R_32F, 2, A, CUDA_R_32F, 2, &zero, A, CUDA_R_32F, 2, CUBLAS_COMPUTE_32F),
            CUBLAS_STATUS_EXECUTION_FAILED);
    EQ(p_cublasSetStream_v2(h, NULL), CUBLAS_STATUS_INTERNAL_ERROR);
    cublasHandle_t h2;
    EQ(p_cublasCreate_v2(&h2), CUBLAS_STATUS_INTERNAL_ERROR);
    EQ(p_cublasDestroy_v2(h), CUBLAS_STATUS_INTERNAL_ERROR);
}

/* A GEMM whose C extent leaves its allocation: queued, then the sticky illegal address at execution. */
static void mode_out_of_bounds(const char *dir, int major)
{
    load_all(dir, major);
    cublasHandle_t h;
    EQ(p_cublasCreate_v2(&h), CUBLAS_STATUS_SUCCESS);
    float *A = dev_alloc(16);
    float *C = dev_alloc(12); /* 2×2 needs 16 bytes */
    EQ(gemm(h, 0, 0, 2, 2, 2, &one, A, CUDA_R_32F, 2, A, CUDA_R_32F, 2, &zero, C, CUDA_R_32F, 2, CUBLAS_COMPUTE_32F),
            CUBLAS_STATUS_SUCCESS);
    EQ(p_cudaDeviceSynchronize(), cudaErrorIllegalAddress);
    EQ(p_cudaGetLastError(), cudaErrorIllegalAddress);
}

/* CUDA_STANDIN_GEMM_DELAY_MS=300: the sync that executes a GEMM takes that long on the host. */
static void mode_delay(const char *dir, int major)
{
    load_all(dir, major);
    cublasHandle_t h;
    EQ(p_cublasCreate_v2(&h), CUBLAS_STATUS_SUCCESS);
    float *A = dev_alloc(16);
    double t0 = now_s();
    EQ(gemm(h, 0, 0, 2, 2, 2, &one, A, CUDA_R_32F, 2, A, CUDA_R_32F, 2, &zero, A, CUDA_R_32F, 2, CUBLAS_COMPUTE_32F),
            CUBLAS_STATUS_SUCCESS);
    double t1 = now_s();
    EQ(p_cudaDeviceSynchronize(), cudaSuccess);
    double t2 = now_s();
    CHECK(t1 - t0 < 0.1, "queuing does not sleep: %.3f s", t1 - t0);
    CHECK(t2 - t1 >= 0.3, "the sync sleeps: %.3f s", t2 - t1);
}

/* Other knobs: CUDA_STANDIN_MEMORY_BYTES=1073741824, CUDA_STANDIN_USED_BYTES=268435456,
 * CUDA_STANDIN_VIRTUAL_ABOVE_BYTES=4096,
 * CUDA_STANDIN_SM_MHZ=1500, CUDA_STANDIN_MEM_MHZ=1000, CUDA_STANDIN_CLOCK_EVENT_REASONS=0x44. */
static void mode_knobs(const char *dir, int major)
{
    load_all(dir, major);
    size_t f;
    size_t total;
    EQ(p_cudaMemGetInfo(&f, &total), cudaSuccess);
    EQ(total, 1073741824ull);
    EQ(f, 1073741824ull - 268435456ull); /* another process holds 256 MiB */
    void *p;
    EQ(p_cudaMalloc(&p, 1073741824ull - 268435456ull + 256), cudaErrorMemoryAllocation);
    EQ(p_cudaMalloc(&p, 1073741824ull - 268435456ull), cudaSuccess); /* virtual: costs nothing on the host */
    EQ(p_cudaMemGetInfo(&f, &total), cudaSuccess);
    EQ(f, 0);
    EQ(p_cudaFree(p), cudaSuccess);
    unsigned char *small = dev_alloc(4096);
    unsigned char *virt = dev_alloc(4097);
    unsigned char buf[4] = {1, 2, 3, 4};
    upload(small, buf, 4);
    upload(virt, buf, 4);
    unsigned char back[4] = {9, 9, 9, 9};
    download(back, small, 4);
    EQ(back[3], 4);
    memset(back, 9, sizeof back);
    download(back, virt, 4);
    EQ(back[0], 9); /* virtual: untouched */
    EQ(p_nvmlInit_v2(), 0);
    nvmlDevice_t d;
    EQ(p_nvmlDeviceGetHandleByIndex_v2(0, &d), 0);
    unsigned mhz;
    EQ(p_nvmlDeviceGetClockInfo(d, 1, &mhz), 0);
    EQ(mhz, 1500);
    EQ(p_nvmlDeviceGetClockInfo(d, 2, &mhz), 0);
    EQ(mhz, 1000);
    unsigned long long reasons = 0;
    EQ(p_nvmlDeviceGetCurrentClocksEventReasons(d, &reasons), 0);
    EQ(reasons, 0x44);
    reasons = 0;
    EQ(p_nvmlDeviceGetCurrentClocksThrottleReasons(d, &reasons), 0);
    EQ(reasons, 0x44);
    EQ(p_nvmlShutdown(), 0);
}

/* cuBLASLt version check: LD_LIBRARY_PATH points at a build whose cuBLASLt answers another version.
 * argv[0] "mismatch": load cudart and cublas by full path; the loader binds the mismatched Lt.
 * argv[0] "sibling": load the sibling Lt by full path first; that one is used. */
static void mode_lt(const char *dir, int major, const char *how)
{
    char name[64];
    snprintf(name, sizeof name, "libcudart.so.%d", major);
    bind_cudart(open_lib(dir, name));
    if (strcmp(how, "sibling") == 0) {
        snprintf(name, sizeof name, "libcublasLt.so.%d", major);
        BIND(open_lib(dir, name), cublasLtGetVersion);
    }
    snprintf(name, sizeof name, "libcublas.so.%d", major);
    bind_cublas(open_lib(dir, name));
    snprintf(name, sizeof name, "libcublasLt.so.%d", major);
    void *bound = dlopen(name, RTLD_NOW | RTLD_NOLOAD);
    CHECK(bound != NULL, "a cuBLASLt is loaded");
    size_t (*lt_version)(void) = NULL;
    if (bound != NULL) {
        *(void **) &lt_version = dlsym(bound, "cublasLtGetVersion");
    }
    cublasHandle_t h = NULL;
    if (strcmp(how, "sibling") == 0) {
        EQ(lt_version != NULL ? lt_version() : 0, major == 13 ? 130000 : 120802);
        EQ(p_cublasCreate_v2(&h), CUBLAS_STATUS_SUCCESS);
    } else {
        EQ(lt_version != NULL ? lt_version() : 0, 1);
        EQ(p_cublasCreate_v2(&h), CUBLAS_STATUS_NOT_INITIALIZED);
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: smoke MODE LIB_DIR MAJOR [ARGS...]\n");
        return 2;
    }
    mode = argv[1];
    const char *dir = argv[2];
    int major = atoi(argv[3]);
    if (strcmp(mode, "basic") == 0 && argc >= 5) {
        mode_basic(dir, major, argv[4]);
    } else if (strcmp(mode, "multi") == 0) {
        mode_multi(dir, major);
    } else if (strcmp(mode, "visible") == 0 && argc >= 5) {
        mode_visible(dir, major, argc - 4, argv + 4);
    } else if (strcmp(mode, "driver") == 0) {
        mode_driver(dir, major, argc - 4, argv + 4);
    } else if (strcmp(mode, "sticky") == 0) {
        mode_sticky(dir, major);
    } else if (strcmp(mode, "oob") == 0) {
        mode_out_of_bounds(dir, major);
    } else if (strcmp(mode, "delay") == 0) {
        mode_delay(dir, major);
    } else if (strcmp(mode, "knobs") == 0) {
        mode_knobs(dir, major);
    } else if (strcmp(mode, "lt") == 0 && argc >= 5) {
        mode_lt(dir, major, argv[4]);
    } else {
        fprintf(stderr, "smoke: unknown mode or missing arguments: %s\n", mode);
        return 2;
    }
    if (failures > 0) {
        printf("%d of %d checks failed (%s)\n", failures, checks, mode);
        return 1;
    }
    printf("%d checks passed (%s)\n", checks, mode);
    return 0;
}
