package gemmcost.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * The device primitives over the CUDA runtime and cuBLAS bound with FFM: works with CUDA 12 and 13 libraries and
 * on aarch64, where JCuda cannot. Device pointers and events are plain addresses.
 */
final class FfmBinding implements DeviceOps<MemorySegment, MemorySegment> {
    private static final int MEMCPY_HOST_TO_DEVICE = 1;
    private static final int MEMCPY_DEVICE_TO_HOST = 2;
    private static final int MEMCPY_DEVICE_TO_DEVICE = 3;
    private static final int ATTR_SM_COUNT = 16;
    private static final int ATTR_L2_BYTES = 38;
    private static final int ATTR_CC_MAJOR = 75;
    private static final int ATTR_CC_MINOR = 76;

    private final FfmCudaRuntime rt;
    private final FfmCublas blas;
    private final Arena arena = Arena.ofShared();
    private final NativeBackend.Cleanup created = new NativeBackend.Cleanup();
    private final MemorySegment handle;
    private final MemorySegment stream;
    private final MemorySegment alpha = arena.allocate(JAVA_FLOAT);
    private final MemorySegment beta = arena.allocate(JAVA_FLOAT);
    private final MemorySegment elapsed = arena.allocate(JAVA_FLOAT);

    /** Makes {@code ordinal} current, then a cuBLAS handle and one stream bound to it; undoes all of it on failure. */
    private FfmBinding(FfmCudaRuntime rt, FfmCublas blas, int ordinal) {
        this.rt = rt;
        this.blas = blas;
        try {
            rt.check(Ffm.call(rt.setDevice, ordinal), "cudaSetDevice(" + ordinal + ")");
            // the stream first, so that the handle bound to it is released before it (last made, first released)
            stream = created.add(outPointer(rt.streamCreate, status -> rt.check(status, "cudaStreamCreate")),
                    s -> rt.check(Ffm.call(rt.streamDestroy, s), "cudaStreamDestroy"));
            handle = created.add(outPointer(blas.create, status -> blas.check(status, "cublasCreate_v2")),
                    h -> blas.check(Ffm.call(blas.destroy, h), "cublasDestroy_v2"));
            blas.check(Ffm.call(blas.setStream, handle, stream), "cublasSetStream_v2");
            blas.check(Ffm.call(blas.setMathMode, handle, GemmTypes.CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
            alpha.set(JAVA_FLOAT, 0, 1f);
            beta.set(JAVA_FLOAT, 0, 0f);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Opens device {@code ordinal} with the libraries the probe chose; the probe must have found a usable GPU. */
    static NativeBackend<MemorySegment, MemorySegment> open(CudaProbe.Result probe, int ordinal) {
        FfmCudaRuntime rt = FfmCudaRuntime.load(probe.cudart().orElseThrow());
        FfmCublas blas = FfmCublas.load(probe.cublas().orElseThrow());
        FfmBinding binding = new FfmBinding(rt, blas, ordinal);
        DeviceProperties device;
        try {
            device = binding.properties(ordinal, probe);
        } catch (RuntimeException e) {
            binding.close();
            throw e;
        }
        return NativeBackend.open("ffm", binding, device);
    }

    private DeviceProperties properties(int ordinal, CudaProbe.Result probe) {
        MemorySegment version = arena.allocate(JAVA_INT);
        blas.check(Ffm.call(blas.getVersion, handle, version), "cublasGetVersion_v2");
        MemorySegment free = arena.allocate(JAVA_LONG);
        MemorySegment total = arena.allocate(JAVA_LONG);
        rt.check(Ffm.call(rt.memGetInfo, free, total), "cudaMemGetInfo");
        String busId = rt.pciBusId(ordinal);
        Optional<String> standin = rt.standin();
        Optional<FfmNvml.Device> nvml = FfmNvml.find(probe.locator()).flatMap(n -> n.device(busId));
        String cc = rt.attribute(ATTR_CC_MAJOR, ordinal) + "." + rt.attribute(ATTR_CC_MINOR, ordinal);
        String name = nvml.flatMap(FfmNvml.Device::name)
                .or(() -> standin)
                .orElse("CUDA device " + ordinal + " (cc " + cc + ")");
        return new DeviceProperties(name, cc, rt.attribute(ATTR_SM_COUNT, ordinal), total.get(JAVA_LONG, 0),
                rt.attribute(ATTR_L2_BYTES, ordinal), FfmCudaRuntime.versionText(probe.driverVersion()),
                FfmCudaRuntime.versionText(probe.runtimeVersion()),
                FfmCudaRuntime.cublasVersionText(version.get(JAVA_INT, 0)), busId,
                nvml.flatMap(FfmNvml.Device::uuid).orElse(null), standin.isPresent());
    }

    @Override
    public MemorySegment malloc(long bytes, String what) {
        return outPointer(rt.malloc, status -> rt.check(status, "cudaMalloc(" + what + ", " + bytes + " bytes)"), bytes);
    }

    /** Calls {@code create(out, args…)} with a slot of its own and returns what it wrote there. */
    private MemorySegment outPointer(MethodHandle create, IntConsumer check, Object... args) {
        try (Arena local = Arena.ofConfined()) {
            MemorySegment out = local.allocate(ADDRESS);
            Object[] all = new Object[args.length + 1];
            all[0] = out;
            System.arraycopy(args, 0, all, 1, args.length);
            check.accept(Ffm.call(create, all));
            return out.get(ADDRESS, 0);
        }
    }

    @Override
    public MemorySegment offset(MemorySegment base, long bytes) {
        return MemorySegment.ofAddress(base.address() + bytes);
    }

    @Override
    public void free(MemorySegment pointer) {
        rt.check(Ffm.call(rt.free, pointer), "cudaFree");
    }

    @Override
    public void memsetAsync(MemorySegment pointer, int value, long bytes) {
        int error;
        try {
            error = (int) rt.memsetAsync.invokeExact(pointer, value, bytes, stream);
        } catch (Throwable e) {
            throw rethrow(e);
        }
        rt.check(error, "cudaMemsetAsync");
    }

    @Override
    public void copyAsync(MemorySegment target, MemorySegment source, long bytes) {
        int error; // invokeExact, and the message only on error: this call sits between the timing events
        try {
            error = (int) rt.memcpyAsync.invokeExact(target, source, bytes, MEMCPY_DEVICE_TO_DEVICE, stream);
        } catch (Throwable e) {
            throw rethrow(e);
        }
        if (error != 0)
            rt.check(error, "cudaMemcpyAsync(device to device, " + bytes + " bytes)");
    }

    @Override
    public void upload(MemorySegment target, ByteBuffer host) {
        rt.check(Ffm.call(rt.memcpy, target, MemorySegment.ofBuffer(host), (long) host.remaining(),
                MEMCPY_HOST_TO_DEVICE), "cudaMemcpy(host to device)");
    }

    @Override
    public void download(ByteBuffer host, MemorySegment source, long bytes) {
        rt.check(Ffm.call(rt.memcpy, MemorySegment.ofBuffer(host), source, bytes, MEMCPY_DEVICE_TO_HOST),
                "cudaMemcpy(device to host)");
    }

    @Override
    public MemorySegment createEvent() {
        return outPointer(rt.eventCreate, status -> rt.check(status, "cudaEventCreate"));
    }

    @Override
    public void destroyEvent(MemorySegment event) {
        rt.check(Ffm.call(rt.eventDestroy, event), "cudaEventDestroy");
    }

    @Override
    public void record(MemorySegment event) {
        int error;
        try {
            error = (int) rt.eventRecord.invokeExact(event, stream);
        } catch (Throwable e) {
            throw rethrow(e);
        }
        rt.check(error, "cudaEventRecord");
    }

    @Override
    public void synchronize(MemorySegment event) {
        int error;
        try {
            error = (int) rt.eventSynchronize.invokeExact(event);
        } catch (Throwable e) {
            throw rethrow(e);
        }
        rt.check(error, "cudaEventSynchronize");
    }

    @Override
    public float elapsedMs(MemorySegment start, MemorySegment stop) {
        int error;
        try {
            error = (int) rt.eventElapsedTime.invokeExact(elapsed, start, stop);
        } catch (Throwable e) {
            throw rethrow(e);
        }
        rt.check(error, "cudaEventElapsedTime");
        return elapsed.get(JAVA_FLOAT, 0);
    }

    @Override
    public void gemm(CublasGemm<MemorySegment> g) {
        int t = g.types().dataType();
        int status;
        try {
            status = (int) blas.gemmEx.invokeExact(handle, GemmTypes.CUBLAS_OP_N, GemmTypes.CUBLAS_OP_N, g.m(), g.n(),
                    g.k(), alpha, g.a(), t, g.lda(), g.b(), t, g.ldb(), beta, g.c(), t, g.ldc(),
                    g.types().computeType(), GemmTypes.CUBLAS_GEMM_DEFAULT);
        } catch (Throwable e) {
            throw rethrow(e);
        }
        blas.check(status, "cublasGemmEx");
    }

    @Override
    public void setWorkspace(MemorySegment workspace, long bytes) {
        blas.check(Ffm.call(blas.setWorkspace, handle, workspace, bytes), "cublasSetWorkspace_v2");
    }

    @Override
    public void synchronizeDevice() {
        rt.check(Ffm.call(rt.deviceSynchronize), "cudaDeviceSynchronize");
    }

    @Override
    public void close() {
        try {
            created.close();
        } finally {
            arena.close();
        }
    }

    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) {
            return r;
        }
        if (e instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(e);
    }
}
