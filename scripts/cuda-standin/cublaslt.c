/*
 * gemmcost's CUDA stand-in: a simulation for tests, never a measurement.
 *
 * cublaslt.c: libcublasLt.so.<major>. Only cublasLtGetVersion, which libcublas's cublasCreate_v2 compares with
 * its own version, as the real one does: a cuBLASLt of another version picked up through LD_LIBRARY_PATH makes
 * handle creation fail. build.sh --lt-version N builds one that answers N, to test exactly that.
 */
#pragma GCC visibility push(default)
#include "cublas_standin.h"
#pragma GCC visibility pop

#ifndef STANDIN_LT_VERSION
#error "build with -DSTANDIN_LT_VERSION=<major*10000 + minor*100 + patch> (build.sh does)"
#endif

size_t cublasLtGetVersion(void)
{
    return (size_t) STANDIN_LT_VERSION;
}
