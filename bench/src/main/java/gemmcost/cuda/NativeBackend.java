package gemmcost.cuda;

import gemmcost.device.Dtype;
import gemmcost.table.GemmShape;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * The GPU procedures, written once over the primitives a binding supplies ({@link DeviceOps}): trials, the timed
 * launch (flush → start event → one launch → stop event → sync → elapsed), operand filling, the correctness
 * multiply. What a sweep needs for every shape is made once per backend: the L2-flush buffer, the cuBLAS workspace
 * and, per dtype, two pools of normal random values (one seed per operand) that trials tile A and B from by
 * device-to-device copies, so no shape waits on host-side random numbers.
 */
final class NativeBackend<P, E> implements GemmBackend {
    /** Given to cuBLAS explicitly, so the memory budget counts it (cuBLAS's own default depends on the GPU). */
    static final long WORKSPACE_BYTES = 32L << 20;
    /** Random values per operand; larger operands repeat them, which cannot create cache hits (distinct addresses). */
    static final long POOL_BYTES = 32L << 20;
    static final long SEED_A = 1;
    static final long SEED_B = 2;

    private final String name;
    private final DeviceOps<P, E> ops;
    private final DeviceProperties device;
    private final Cleanup owned = new Cleanup();
    private P flush;
    private Pools<P> pools;

    private NativeBackend(String name, DeviceOps<P, E> ops, DeviceProperties device) {
        this.name = name;
        this.ops = ops;
        this.device = device;
    }

    /** Takes {@code ops} over: on failure it is closed before the exception leaves. */
    static <P, E> NativeBackend<P, E> open(String name, DeviceOps<P, E> ops, DeviceProperties device) {
        NativeBackend<P, E> backend = new NativeBackend<>(name, ops, device);
        try {
            P workspace = backend.allocate(backend.owned, WORKSPACE_BYTES, "cuBLAS workspace");
            ops.setWorkspace(workspace, WORKSPACE_BYTES);
            return backend;
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DeviceProperties device() {
        return device;
    }

    @Override
    public long reservedBytes() {
        return WORKSPACE_BYTES + device.l2FlushBytes() + 2 * POOL_BYTES;
    }

    @Override
    public GemmTrial open(GemmShape shape, Dtype dtype) {
        GemmTypes types = GemmTypes.on(dtype, device);
        long e = types.elementBytes();
        Cleanup cleanup = new Cleanup();
        try {
            P a = allocate(cleanup, shape.m() * shape.k() * e, "A");
            P b = allocate(cleanup, shape.k() * shape.n() * e, "B");
            P c = allocate(cleanup, shape.m() * shape.n() * e, "C");
            Pools<P> random = pools(types);
            tile(a, random.a(), shape.m() * shape.k() * e);
            tile(b, random.b(), shape.k() * shape.n() * e);
            CublasGemm<P> call = CublasGemm.rowMajor(shape, types, a, b, c);
            return new Trial(cleanup, () -> ops.gemm(call));
        } catch (RuntimeException ex) {
            cleanup.close();
            throw ex;
        }
    }

    @Override
    public GemmTrial openCopy(long bytes) {
        Cleanup cleanup = new Cleanup();
        try {
            P source = allocate(cleanup, bytes, "copy source");
            P target = allocate(cleanup, bytes, "copy target");
            ops.memsetAsync(source, 0x3C, bytes);
            return new Trial(cleanup, () -> ops.copyAsync(target, source, bytes));
        } catch (RuntimeException ex) {
            cleanup.close();
            throw ex;
        }
    }

    @Override
    public float[] multiply(GemmShape shape, Dtype dtype, float[] aValues, float[] bValues) {
        GemmTypes types = GemmTypes.on(dtype, device);
        long cBytes = shape.m() * shape.n() * types.elementBytes();
        try (Cleanup cleanup = new Cleanup()) {
            ByteBuffer aHost = types.encode(aValues);
            ByteBuffer bHost = types.encode(bValues);
            P a = allocate(cleanup, aHost.remaining(), "A");
            P b = allocate(cleanup, bHost.remaining(), "B");
            P c = allocate(cleanup, cBytes, "C");
            ops.upload(a, aHost);
            ops.upload(b, bHost);
            ops.memsetAsync(c, 0xFF, cBytes); // NaN in every float type
            ops.gemm(CublasGemm.rowMajor(shape, types, a, b, c));
            ops.synchronizeDevice();
            ByteBuffer host = ByteBuffer.allocateDirect(Math.toIntExact(cBytes));
            ops.download(host, c, cBytes);
            return types.decode(host, Math.toIntExact(shape.m() * shape.n()));
        }
    }

    @Override
    public void checkContext() {
        ops.synchronizeDevice();
    }

    @Override
    public void close() {
        try (ops; owned) { // the pools first, then what the backend owns, then the context
            if (pools != null) {
                pools.cleanup().close();
                pools = null;
            }
        }
    }

    private P allocate(Cleanup cleanup, long bytes, String what) {
        return cleanup.add(ops.malloc(bytes, what), ops::free);
    }

    /** Fills {@code bytes} of {@code target} with repeats of a pool, device to device, on the stream. */
    private void tile(P target, P pool, long bytes) {
        for (long offset = 0; offset < bytes; offset += POOL_BYTES) {
            ops.copyAsync(ops.offset(target, offset), pool, Math.min(POOL_BYTES, bytes - offset));
        }
    }

    private record Pools<P>(Dtype dtype, P a, P b, Cleanup cleanup) {
    }

    /** The random operand pools of {@code types}' dtype, uploaded once per dtype (the previous dtype's freed). */
    private Pools<P> pools(GemmTypes types) {
        if (pools != null && pools.dtype() == types.dtype()) {
            return pools;
        }
        if (pools != null) {
            pools.cleanup().close();
            pools = null;
        }
        Cleanup cleanup = new Cleanup();
        try {
            P a = allocate(cleanup, POOL_BYTES, "random pool A");
            P b = allocate(cleanup, POOL_BYTES, "random pool B");
            ops.upload(a, types.normalValues(POOL_BYTES, SEED_A));
            ops.upload(b, types.normalValues(POOL_BYTES, SEED_B));
            pools = new Pools<>(types.dtype(), a, b, cleanup);
            return pools;
        } catch (RuntimeException e) {
            cleanup.close();
            throw e;
        }
    }

    private P flushBuffer() {
        if (flush == null) {
            flush = allocate(owned, device.l2FlushBytes(), "L2 flush buffer");
        }
        return flush;
    }

    /** Events and buffers of one workload; {@code close} frees what was made, in reverse. */
    private final class Trial implements GemmTrial {
        private final Cleanup cleanup;
        private final Runnable launch;
        private final P flush;
        private final long flushBytes = device.l2FlushBytes();
        private final E start;
        private final E stop;
        private int flushValue;

        Trial(Cleanup cleanup, Runnable launch) {
            this.cleanup = cleanup;
            this.launch = launch;
            this.flush = flushBuffer();
            this.start = cleanup.add(ops.createEvent(), ops::destroyEvent);
            this.stop = cleanup.add(ops.createEvent(), ops::destroyEvent);
        }

        /**
         * The flush is queued first and keeps the GPU busy while the host queues start event, launch and stop
         * event, so no host gap lands between the events.
         */
        @Override
        public double launchUs() {
            flushValue ^= 0x5A;
            ops.memsetAsync(flush, flushValue, flushBytes);
            ops.record(start);
            launch.run();
            ops.record(stop);
            ops.synchronize(stop);
            return ops.elapsedMs(start, stop) * 1000.0;
        }

        @Override
        public double syncOnlyUs() {
            ops.record(start);
            ops.record(stop);
            ops.synchronize(stop);
            return ops.elapsedMs(start, stop) * 1000.0;
        }

        @Override
        public void close() {
            cleanup.close();
        }
    }

    /**
     * Releases what was made, last first. A release that fails on a lost context cannot be acted on and does not
     * stop the others; anything else is rethrown after all were tried.
     */
    static final class Cleanup implements AutoCloseable {
        private final Deque<Runnable> releases = new ArrayDeque<>();

        <T> T add(T resource, Consumer<T> release) {
            releases.push(() -> release.accept(resource));
            return resource;
        }

        @Override
        public void close() {
            RuntimeException first = null;
            while (!releases.isEmpty()) {
                try {
                    releases.pop().run();
                } catch (GpuException e) {
                    // the context is gone or the resource with it: nothing left to release
                } catch (RuntimeException e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }
}
