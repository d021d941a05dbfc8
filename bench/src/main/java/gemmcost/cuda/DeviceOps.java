package gemmcost.cuda;

import java.nio.ByteBuffer;

/**
 * The primitives one native binding (FFM, JCuda) supplies for one device; everything built from them (trials,
 * the timed launch, the L2 flush, operand filling, the correctness multiply) is written once, in
 * {@link NativeBackend}. Asynchronous work goes to the binding's one stream, bound to its cuBLAS handle once.
 * Every failed call is a {@link GpuException} naming the call.
 *
 * @param <P> a device pointer
 * @param <E> a CUDA event
 */
interface DeviceOps<P, E> extends AutoCloseable {
    P malloc(long bytes, String what);

    /** {@code base + bytes}. */
    P offset(P base, long bytes);

    void free(P pointer);

    void memsetAsync(P pointer, int value, long bytes);

    /** Device to device, on the stream. */
    void copyAsync(P target, P source, long bytes);

    /** Host to device, synchronous. */
    void upload(P target, ByteBuffer host);

    /** Device to host, synchronous; {@code host} receives {@code bytes}. */
    void download(ByteBuffer host, P source, long bytes);

    E createEvent();

    void destroyEvent(E event);

    void record(E event);

    void synchronize(E event);

    float elapsedMs(E start, E stop);

    /** Queues one cuBLAS GEMM (alpha 1, beta 0, host pointer mode) on the stream. */
    void gemm(CublasGemm<P> call);

    /** Hands cuBLAS its workspace, so that its memory is ours and counted. */
    void setWorkspace(P workspace, long bytes);

    /** Waits for the whole device; a lost context shows here as a sticky {@link GpuException}. */
    void synchronizeDevice();

    /** Destroys the handle and the stream. */
    @Override
    void close();
}
