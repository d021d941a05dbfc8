/*
 * gemmcost's CUDA stand-in: a simulation for tests, never a measurement.
 *
 * standin.h: the private interface libcudart exports for libcublas (every name starts with gemmcost_standin_;
 * nothing NVIDIA ships has these). libcublas queues its GEMMs on libcudart's streams through it, so that they
 * execute, in order with the runtime's own copies, memsets and event records, at the runtime's sync points
 * and advance the same virtual clock.
 */
#ifndef GEMMCOST_STANDIN_H
#define GEMMCOST_STANDIN_H

#include <stddef.h>

#include <cuda_runtime_api.h>

#define GEMMCOST_STANDIN_MAX_OPERANDS 4

/* A device range an operation reads or writes. dev == NULL with bytes == 0: unused slot. */
typedef struct gemmcost_standin_operand {
    const void *dev;
    size_t bytes;
} gemmcost_standin_operand;

/* An operation queued by another library (libcublas's GEMMs). */
typedef struct gemmcost_standin_op {
    /* For CUDA_STANDIN_TRACE: op=<trace_op> bytes=<trace_bytes> flops=<flops> name=<trace_name>. */
    const char *trace_op;
    char trace_name[64];
    size_t trace_bytes;
    /* The cost: executing the operation advances the device's virtual clock by flops / peak_flops_per_s. */
    double flops;
    double peak_flops_per_s;
    /*
     * Nonzero for a GEMM: it counts towards CUDA_STANDIN_STICKY_AFTER (the GEMM after that many raises
     * cudaErrorIllegalAddress instead of executing) and makes the sync call that executes it sleep
     * CUDA_STANDIN_GEMM_DELAY_MS on the host (after the runtime's lock is released).
     */
    int is_gemm;
    /*
     * The device ranges it touches. When the operation executes each must lie inside one live allocation of
     * the stream's device, or the operation raises the sticky cudaErrorIllegalAddress instead of executing,
     * like a real kernel that reads out of bounds.
     */
    gemmcost_standin_operand operands[GEMMCOST_STANDIN_MAX_OPERANDS];
    /*
     * Called once when the operation executes, with the runtime's lock held (it must not call the runtime),
     * host[i] being the host memory behind operands[i], or NULL where that memory is virtual or the slot unused.
     */
    void (*execute)(void *payload, void *const host[GEMMCOST_STANDIN_MAX_OPERANDS]);
    /* Called exactly once when the operation is done with: executed, dropped (sticky error) or refused. */
    void (*release)(void *payload);
    void *payload;
} gemmcost_standin_op;

/*
 * Queues a copy of *op at the end of `stream` (NULL, cudaStreamLegacy or cudaStreamPerThread: the legacy
 * default stream of CUDA device `device`). Returns cudaSuccess; the initialisation error (35 or 100) or the
 * sticky error; cudaErrorInvalidDevice for a bad ordinal; cudaErrorInvalidResourceHandle for a stream that is
 * not a live stream of that device. Whatever it returns, op->release(op->payload) is called exactly once
 * (immediately when the operation is refused).
 */
cudaError_t gemmcost_standin_enqueue(cudaStream_t stream, int device, const gemmcost_standin_op *op);

/*
 * Where the device range [dev_ptr, dev_ptr + bytes) lies: cudaSuccess when it is inside one live allocation
 * (bytes == 0: dev_ptr inside it), storing the host memory behind dev_ptr (NULL when the allocation is
 * virtual) and the allocation's CUDA device ordinal (either out-pointer may be NULL); otherwise
 * cudaErrorInvalidValue.
 */
cudaError_t gemmcost_standin_resolve(const void *dev_ptr, size_t bytes, void **host_or_null, int *device);

/* Nonzero when p lies in the address range the stand-in hands device pointers out of (live or not). */
int gemmcost_standin_is_device_address(const void *p);

/* The sticky error (cudaErrorIllegalAddress) once one has been raised in this process, else cudaSuccess. */
cudaError_t gemmcost_standin_sticky(void);

#endif
