package gemmcost.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import gemmcost.BadInputException;
import gemmcost.device.Dtype;
import gemmcost.table.GemmShape;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.SplittableRandom;

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
    private static final long MIN_FLUSH_BYTES = 256L << 20;
    private static final long FILL_BLOCK_BYTES = 64L << 20;

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
        blas.check(callPI(blas.setMathMode, handle, FfmCublas.DEFAULT_MATH), "cublasSetMathMode");
        MemorySegment version = arena.allocate(JAVA_INT);
        blas.check(callPP(blas.getVersion, handle, version), "cublasGetVersion_v2");
        int v = version.get(JAVA_INT, 0);
        MemorySegment free = arena.allocate(JAVA_LONG);
        MemorySegment total = arena.allocate(JAVA_LONG);
        rt.check(callPP(rt.memGetInfo, free, total), "cudaMemGetInfo");
        int ccMajor = attribute(ATTR_CC_MAJOR, ordinal);
        int ccMinor = attribute(ATTR_CC_MINOR, ordinal);
        device = new DeviceProperties(deviceName(ordinal).orElse("CUDA device " + ordinal + " (cc " + ccMajor + "." + ccMinor + ")"),
                ccMajor + "." + ccMinor, attribute(ATTR_SM_COUNT, ordinal), total.get(JAVA_LONG, 0),
                attribute(ATTR_L2_BYTES, ordinal), FfmCudaRuntime.versionText(driverVersion),
                FfmCudaRuntime.versionText(runtimeVersion),
                v / 10000 + "." + v / 100 % 100 + "." + v % 100);
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

    /** cudaDataType of A, B and C, and the cublasComputeType, per dtype (fp32 accumulation throughout). */
    private record Types(int dataType, int computeType, int elementBytes) {
        static Types of(Dtype dtype) {
            return switch (dtype) {
                case BF16 -> new Types(14, 68, 2);  // CUDA_R_16BF, CUBLAS_COMPUTE_32F
                case FP16 -> new Types(2, 68, 2);   // CUDA_R_16F
                case FP32 -> new Types(0, 68, 4);   // CUDA_R_32F
                case TF32 -> new Types(0, 77, 4);   // CUBLAS_COMPUTE_32F_FAST_TF32
                case FP8 -> throw new BadInputException("--dtype fp8: not supported by the bench yet");
            };
        }
    }

    @Override
    public GemmTrial open(GemmShape shape, Dtype dtype) {
        return new Trial(shape, Types.of(dtype), true);
    }

    @Override
    public float[] multiply(GemmShape shape, Dtype dtype, float[] a, float[] b) {
        Types types = Types.of(dtype);
        try (Trial trial = new Trial(shape, types, false); Arena local = Arena.ofConfined()) {
            int m = (int) shape.m();
            int n = (int) shape.n();
            upload(trial.a, encode(local, a, types), "A");
            upload(trial.b, encode(local, b, types), "B");
            rt.check(callPIL(rt.memsetAsync, trial.c, 0xFF, trial.cBytes, trial.stream), "cudaMemsetAsync(C)"); // NaN
            trial.gemm();
            MemorySegment host = local.allocate(trial.cBytes);
            rt.check(callPPLI(rt.memcpy, host, trial.c, trial.cBytes, MEMCPY_DEVICE_TO_HOST), "cudaMemcpy(C)");
            float[] c = new float[m * n];
            for (int i = 0; i < c.length; i++) {
                c[i] = switch (dtype) {
                    case BF16 -> Float.intBitsToFloat((host.getAtIndex(JAVA_SHORT, i) & 0xFFFF) << 16);
                    case FP16 -> Float.float16ToFloat(host.getAtIndex(JAVA_SHORT, i));
                    default -> host.getAtIndex(JAVA_FLOAT, i);
                };
            }
            return c;
        }
    }

    private static MemorySegment encode(Arena arena, float[] values, Types types) {
        MemorySegment out = arena.allocate((long) values.length * types.elementBytes());
        for (int i = 0; i < values.length; i++) {
            switch (types.dataType()) {
                case 14 -> out.setAtIndex(JAVA_SHORT, i, (short) (Float.floatToRawIntBits(values[i]) >>> 16));
                case 2 -> out.setAtIndex(JAVA_SHORT, i, Float.floatToFloat16(values[i]));
                default -> out.setAtIndex(JAVA_FLOAT, i, values[i]);
            }
        }
        return out;
    }

    private void upload(MemorySegment device, MemorySegment host, String what) {
        rt.check(callPPLI(rt.memcpy, device, host, host.byteSize(), MEMCPY_HOST_TO_DEVICE), "cudaMemcpy(" + what + ")");
    }

    /** Buffers, stream, events and flush buffer for one shape; freed on close. */
    private final class Trial implements GemmTrial {
        private final GemmShape shape;
        private final Types types;
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

        Trial(GemmShape shape, Types types, boolean forTiming) {
            this.shape = shape;
            this.types = types;
            long e = types.elementBytes();
            a = deviceAlloc(shape.m() * shape.k() * e, "A");
            b = deviceAlloc(shape.k() * shape.n() * e, "B");
            cBytes = shape.m() * shape.n() * e;
            c = deviceAlloc(cBytes, "C");
            flushBytes = forTiming ? Math.max(2 * device.l2Bytes(), MIN_FLUSH_BYTES) : 0;
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

        /**
         * Random values in [-1, 1) of the dtype (never zeros): one block uploaded, then tiled by device-to-device
         * copies, so a multi-GB operand costs device bandwidth, not PCIe.
         */
        private void fillRandom(MemorySegment target, long bytes) {
            long blockBytes = Math.min(bytes, FILL_BLOCK_BYTES);
            int count = (int) (blockBytes / types.elementBytes());
            float[] values = new float[count];
            SplittableRandom random = new SplittableRandom(bytes);
            for (int i = 0; i < count; i++) {
                values[i] = (float) random.nextDouble(-1, 1);
            }
            try (Arena local = Arena.ofConfined()) {
                MemorySegment host = encode(local, values, types);
                MemorySegment whole = target.reinterpret(bytes);
                rt.check(callPPLI(rt.memcpy, whole, host, blockBytes, MEMCPY_HOST_TO_DEVICE), "cudaMemcpy(fill)");
                for (long offset = blockBytes; offset < bytes; offset += blockBytes) {
                    long size = Math.min(blockBytes, bytes - offset);
                    rt.check(callPPLI(rt.memcpy, whole.asSlice(offset), whole, size, MEMCPY_DEVICE_TO_DEVICE),
                            "cudaMemcpy(fill, device to device)");
                }
            }
        }

        void gemm() {
            int m = Math.toIntExact(shape.m());
            int k = Math.toIntExact(shape.k());
            int n = Math.toIntExact(shape.n());
            int t = types.dataType();
            try {
                int status = (int) blas.gemmEx.invokeExact(handle, FfmCublas.OP_N, FfmCublas.OP_N, n, m, k, alpha,
                        b, t, n, a, t, k, beta, c, t, n, types.computeType(), FfmCublas.GEMM_DEFAULT);
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
        public void close() {
            callP(rt.eventDestroy, start);
            callP(rt.eventDestroy, stop);
            callP(rt.streamDestroy, stream);
            for (MemorySegment p : new MemorySegment[] {a, b, c, flush}) {
                if (!p.equals(MemorySegment.NULL)) {
                    callP(rt.free, p);
                }
            }
            scratch.close();
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
