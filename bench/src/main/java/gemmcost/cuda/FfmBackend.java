package gemmcost.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import gemmcost.BadInputException;
import gemmcost.device.Dtype;
import gemmcost.table.GemmShape;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * GEMMs through cuBLAS bound with FFM: works with CUDA 12 and 13 libraries and on aarch64, where JCuda cannot.
 * Row-major {@code C[m×n] = A[m×k]·B[k×n]} is issued to column-major cuBLAS as {@code Cᵀ = Bᵀ·Aᵀ}:
 * {@code gemmEx(N, N, n, m, k, B, ldb=n, A, lda=k, C, ldc=n)}.
 */
@SuppressWarnings("restricted") // native calls are this class's purpose; the jar enables native access
public final class FfmBackend implements GemmBackend {
    private static final int MEMCPY_HOST_TO_DEVICE = 1;
    private static final int MEMCPY_DEVICE_TO_HOST = 2;
    private static final int MEMCPY_DEVICE_TO_DEVICE = 3;
    private static final int ATTR_SM_COUNT = 16;
    private static final int ATTR_L2_BYTES = 38;
    private static final int ATTR_CC_MAJOR = 75;
    private static final int ATTR_CC_MINOR = 76;

    private final FfmCudaRuntime rt;
    private final FfmCublas blas;
    private final MemorySegment handle;
    private final DeviceProperties device;
    private final Arena arena = Arena.ofShared();

    private FfmBackend(FfmCudaRuntime rt, FfmCublas blas, int ordinal, int runtimeVersion, int driverVersion) {
        this.rt = rt;
        this.blas = blas;
        rt.check(call(rt.setDevice, ordinal), "cudaSetDevice(" + ordinal + ")");
        MemorySegment handleOut = arena.allocate(ADDRESS);
        blas.check(callP(blas.create, handleOut), "cublasCreate_v2");
        handle = handleOut.get(ADDRESS, 0);
        blas.check(callPI(blas.setMathMode, handle, GemmTypes.CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
        MemorySegment version = arena.allocate(JAVA_INT);
        blas.check(callPP(blas.getVersion, handle, version), "cublasGetVersion_v2");
        MemorySegment free = arena.allocate(JAVA_LONG);
        MemorySegment total = arena.allocate(JAVA_LONG);
        rt.check(callPP(rt.memGetInfo, free, total), "cudaMemGetInfo");
        int ccMajor = attribute(ATTR_CC_MAJOR, ordinal);
        int ccMinor = attribute(ATTR_CC_MINOR, ordinal);
        device = new DeviceProperties(deviceName(ordinal).orElse("CUDA device " + ordinal + " (cc " + ccMajor + "." + ccMinor + ")"),
                ccMajor + "." + ccMinor, attribute(ATTR_SM_COUNT, ordinal), total.get(JAVA_LONG, 0),
                attribute(ATTR_L2_BYTES, ordinal), FfmCudaRuntime.versionText(driverVersion),
                FfmCudaRuntime.versionText(runtimeVersion),
                FfmCudaRuntime.cublasVersionText(version.get(JAVA_INT, 0)), pciBusId(ordinal));
    }

    /** Opens device {@code ordinal} with the libraries the probe found; the probe must have found a usable GPU. */
    public static FfmBackend open(CudaProbe.Result probe, int ordinal) {
        if (!probe.available()) {
            throw new BadInputException(probe.problem().orElseThrow());
        }
        FfmCudaRuntime rt = FfmCudaRuntime.load(probe.cudart().orElseThrow());
        FfmCublas blas;
        try {
            blas = FfmCublas.load(probe.cublas().orElseThrow());
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new BadInputException("cuBLAS library unusable: " + probe.cublas().orElseThrow() + ": " + e.getMessage());
        }
        return new FfmBackend(rt, blas, ordinal, probe.runtimeVersion(), probe.driverVersion());
    }

    @Override
    public String name() {
        return "ffm";
    }

    @Override
    public DeviceProperties device() {
        return device;
    }

    @Override
    public GemmTrial open(GemmShape shape, Dtype dtype) {
        return new Trial(shape, GemmTypes.of(dtype), true);
    }

    @Override
    public float[] multiply(GemmShape shape, Dtype dtype, float[] a, float[] b) {
        GemmTypes types = GemmTypes.of(dtype);
        try (Trial trial = new Trial(shape, types, false)) {
            upload(trial.a, types.encode(a), "A");
            upload(trial.b, types.encode(b), "B");
            rt.check(callPIL(rt.memsetAsync, trial.c, 0xFF, trial.cBytes, trial.stream), "cudaMemsetAsync(C)"); // NaN
            trial.gemm();
            ByteBuffer host = ByteBuffer.allocateDirect(Math.toIntExact(trial.cBytes));
            rt.check(callPPLI(rt.memcpy, MemorySegment.ofBuffer(host), trial.c, trial.cBytes, MEMCPY_DEVICE_TO_HOST),
                    "cudaMemcpy(C)");
            return types.decode(host, Math.toIntExact(shape.m() * shape.n()));
        }
    }

    private void upload(MemorySegment device, ByteBuffer host, String what) {
        rt.check(callPPLI(rt.memcpy, device, MemorySegment.ofBuffer(host), host.remaining(), MEMCPY_HOST_TO_DEVICE),
                "cudaMemcpy(" + what + ")");
    }

    /** Buffers, stream, events and flush buffer for one shape; freed on close. */
    private final class Trial implements GemmTrial {
        private final GemmShape shape;
        private final GemmTypes types;
        private final Arena scratch = Arena.ofConfined();
        final MemorySegment a;
        final MemorySegment b;
        final MemorySegment c;
        final long cBytes;
        final MemorySegment stream;
        private final MemorySegment flush;
        private final long flushBytes;
        private final MemorySegment start;
        private final MemorySegment stop;
        private final MemorySegment alpha;
        private final MemorySegment beta;
        private final MemorySegment elapsedMs;
        private int flushValue;

        Trial(GemmShape shape, GemmTypes types, boolean forTiming) {
            this.shape = shape;
            this.types = types;
            long e = types.elementBytes();
            cBytes = shape.m() * shape.n() * e;
            flushBytes = forTiming ? device.l2FlushBytes() : 0;
            try { // a refused allocation must not leak the earlier ones: the sweep retries with smaller chunks
                a = deviceAlloc(shape.m() * shape.k() * e, "A");
                b = deviceAlloc(shape.k() * shape.n() * e, "B");
                c = deviceAlloc(cBytes, "C");
                flush = forTiming ? deviceAlloc(flushBytes, "L2 flush buffer") : MemorySegment.NULL;
                stream = created(rt.streamCreate, "cudaStreamCreate");
                start = created(rt.eventCreate, "cudaEventCreate");
                stop = created(rt.eventCreate, "cudaEventCreate");
                blas.check(callPP(blas.setStream, handle, stream), "cublasSetStream_v2");
                alpha = scratch.allocate(JAVA_FLOAT);
                alpha.set(JAVA_FLOAT, 0, 1f);
                beta = scratch.allocate(JAVA_FLOAT);
                beta.set(JAVA_FLOAT, 0, 0f);
                elapsedMs = scratch.allocate(JAVA_FLOAT);
                if (forTiming) {
                    fillRandom(a, shape.m() * shape.k() * e);
                    fillRandom(b, shape.k() * shape.n() * e);
                }
            } catch (RuntimeException ex) {
                close();
                throw ex;
            }
        }

        private MemorySegment deviceAlloc(long bytes, String what) {
            MemorySegment out = scratch.allocate(ADDRESS);
            rt.check(callPL(rt.malloc, out, bytes), "cudaMalloc(" + what + ", " + bytes + " bytes)");
            return out.get(ADDRESS, 0);
        }

        private MemorySegment created(MethodHandle create, String what) {
            MemorySegment out = scratch.allocate(ADDRESS);
            rt.check(callP(create, out), what);
            return out.get(ADDRESS, 0);
        }

        /** Random values tiled from one uploaded block by device-to-device copies: device bandwidth, not PCIe. */
        private void fillRandom(MemorySegment target, long bytes) {
            ByteBuffer block = types.randomBlock(bytes);
            long blockBytes = block.remaining();
            MemorySegment whole = target.reinterpret(bytes);
            upload(whole, block, "fill");
            for (long offset = blockBytes; offset < bytes; offset += blockBytes) {
                rt.check(callPPLI(rt.memcpy, whole.asSlice(offset), whole, Math.min(blockBytes, bytes - offset),
                        MEMCPY_DEVICE_TO_DEVICE), "cudaMemcpy(fill, device to device)");
            }
        }

        void gemm() {
            int m = Math.toIntExact(shape.m());
            int k = Math.toIntExact(shape.k());
            int n = Math.toIntExact(shape.n());
            int t = types.dataType();
            try {
                int status = (int) blas.gemmEx.invokeExact(handle, GemmTypes.CUBLAS_OP_N, GemmTypes.CUBLAS_OP_N, n, m, k, alpha,
                        b, t, n, a, t, k, beta, c, t, n, types.computeType(), GemmTypes.CUBLAS_GEMM_DEFAULT);
                blas.check(status, "cublasGemmEx");
            } catch (GpuException e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException("cublasGemmEx: " + e, e);
            }
        }

        /**
         * The flush memset is queued first and keeps the GPU busy while the host queues start event, GEMM and stop
         * event, so no host gap lands between the events.
         */
        @Override
        public double launchUs() {
            flushValue ^= 0x5A;
            rt.check(callPIL(rt.memsetAsync, flush, flushValue, flushBytes, stream), "cudaMemsetAsync(flush)");
            rt.check(callPP(rt.eventRecord, start, stream), "cudaEventRecord(start)");
            gemm();
            rt.check(callPP(rt.eventRecord, stop, stream), "cudaEventRecord(stop)");
            rt.check(callP(rt.eventSynchronize, stop), "cudaEventSynchronize");
            rt.check(callPPP(rt.eventElapsedTime, elapsedMs, start, stop), "cudaEventElapsedTime");
            return elapsedMs.get(JAVA_FLOAT, 0) * 1000.0;
        }

        @Override
        public double syncOnlyUs() {
            rt.check(callPP(rt.eventRecord, start, stream), "cudaEventRecord(start)");
            rt.check(callPP(rt.eventRecord, stop, stream), "cudaEventRecord(stop)");
            rt.check(callP(rt.eventSynchronize, stop), "cudaEventSynchronize");
            rt.check(callPPP(rt.eventElapsedTime, elapsedMs, start, stop), "cudaEventElapsedTime");
            return elapsedMs.get(JAVA_FLOAT, 0) * 1000.0;
        }

        @Override
        public void close() {
            release(rt.eventDestroy, start);
            release(rt.eventDestroy, stop);
            release(rt.streamDestroy, stream);
            for (MemorySegment p : new MemorySegment[] {a, b, c, flush}) {
                release(rt.free, p);
            }
            scratch.close();
        }

        /** Null while the constructor has not got that far. */
        private static void release(MethodHandle destroy, MemorySegment p) {
            if (p != null && !p.equals(MemorySegment.NULL)) {
                callP(destroy, p);
            }
        }
    }

    private int attribute(int attribute, int ordinal) {
        MemorySegment out = arena.allocate(JAVA_INT);
        int error;
        try {
            error = (int) rt.deviceGetAttribute.invokeExact(out, attribute, ordinal);
        } catch (Throwable e) {
            throw new IllegalStateException("cudaDeviceGetAttribute: " + e, e);
        }
        rt.check(error, "cudaDeviceGetAttribute(" + attribute + ")");
        return out.get(JAVA_INT, 0);
    }

    private String pciBusId(int ordinal) {
        MemorySegment out = arena.allocate(JAVA_BYTE, 64);
        try {
            rt.check((int) rt.deviceGetPciBusId.invokeExact(out, 64, ordinal), "cudaDeviceGetPCIBusId");
        } catch (GpuException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cudaDeviceGetPCIBusId: " + e, e);
        }
        return out.getString(0);
    }

    /** The marketing name through the driver API ({@code libcuda.so.1}), which the runtime has no struct-free call for. */
    private static Optional<String> deviceName(int ordinal) {
        try {
            SymbolLookup cuda = SymbolLookup.libraryLookup("libcuda.so.1", Arena.global());
            Linker linker = Linker.nativeLinker();
            MethodHandle deviceGet = linker.downcallHandle(cuda.find("cuDeviceGet").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            MethodHandle getName = linker.downcallHandle(cuda.find("cuDeviceGetName").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
            try (Arena local = Arena.ofConfined()) {
                MemorySegment dev = local.allocate(JAVA_INT);
                if ((int) deviceGet.invokeExact(dev, ordinal) != 0) {
                    return Optional.empty();
                }
                MemorySegment name = local.allocate(JAVA_BYTE, 256);
                if ((int) getName.invokeExact(name, 256, dev.get(JAVA_INT, 0)) != 0) {
                    return Optional.empty();
                }
                return Optional.of(name.getString(0));
            }
        } catch (Throwable e) {
            return Optional.empty(); // the name is provenance, not a reason to fail
        }
    }

    @Override
    public void close() {
        callP(blas.destroy, handle);
        arena.close();
    }

    private static int callP(MethodHandle h, MemorySegment p) {
        try {
            return (int) h.invokeExact(p);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static int callPP(MethodHandle h, MemorySegment p, MemorySegment q) {
        try {
            return (int) h.invokeExact(p, q);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static int callPPP(MethodHandle h, MemorySegment p, MemorySegment q, MemorySegment r) {
        try {
            return (int) h.invokeExact(p, q, r);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static int callPI(MethodHandle h, MemorySegment p, int i) {
        try {
            return (int) h.invokeExact(p, i);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static int callPL(MethodHandle h, MemorySegment p, long l) {
        try {
            return (int) h.invokeExact(p, l);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static int callPIL(MethodHandle h, MemorySegment p, int i, long l, MemorySegment q) {
        try {
            return (int) h.invokeExact(p, i, l, q);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static int callPPLI(MethodHandle h, MemorySegment p, MemorySegment q, long l, int i) {
        try {
            return (int) h.invokeExact(p, q, l, i);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static int call(MethodHandle h, int i) {
        try {
            return (int) h.invokeExact(i);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
