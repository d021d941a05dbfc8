package gemmcost.cuda;

import gemmcost.BadInputException;
import gemmcost.device.Dtype;
import gemmcost.table.GemmShape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasStatus;
import jcuda.runtime.JCuda;
import jcuda.runtime.cudaDeviceAttr;
import jcuda.runtime.cudaDeviceProp;
import jcuda.runtime.cudaError;
import jcuda.runtime.cudaEvent_t;
import jcuda.runtime.cudaMemcpyKind;
import jcuda.runtime.cudaStream_t;

/**
 * GEMMs through JCuda/JCublas2 12.6, the binding the bench was asked for. Its natives exist for x86_64 only, carry
 * a static CUDA 12.0 runtime and need {@code libcublas.so.12} (their symbols are versioned {@code libcublas.so.12},
 * so cuBLAS 13 cannot stand in). Calls use {@code cublasGemmEx_new}, which takes a cublasComputeType; the older
 * {@code cublasGemmEx} overload silently returns NOT_SUPPORTED for compute type 68. Row-major {@code C = A·B} is
 * issued as {@code Cᵀ = Bᵀ·Aᵀ}, as in {@link FfmBackend}.
 */
public final class JcudaBackend implements GemmBackend {
    private static Optional<String> loadProblem; // the natives load once per process; a failed load is final

    private final cublasHandle handle = new cublasHandle();
    private final DeviceProperties device;

    private JcudaBackend(int ordinal) {
        check(JCuda.cudaSetDevice(ordinal), "cudaSetDevice(" + ordinal + ")");
        checkBlas(JCublas2.cublasCreate(handle), "cublasCreate");
        checkBlas(JCublas2.cublasSetMathMode(handle, GemmTypes.CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
        int[] version = new int[1];
        checkBlas(JCublas2.cublasGetVersion(handle, version), "cublasGetVersion");
        long[] free = new long[1];
        long[] total = new long[1];
        check(JCuda.cudaMemGetInfo(free, total), "cudaMemGetInfo");
        cudaDeviceProp prop = new cudaDeviceProp();
        check(JCuda.cudaGetDeviceProperties(prop, ordinal), "cudaGetDeviceProperties");
        int[] runtime = new int[1];
        int[] driver = new int[1];
        JCuda.cudaRuntimeGetVersion(runtime);
        JCuda.cudaDriverGetVersion(driver);
        device = new DeviceProperties(prop.getName(), prop.major + "." + prop.minor,
                attribute(cudaDeviceAttr.cudaDevAttrMultiProcessorCount, ordinal), total[0],
                attribute(cudaDeviceAttr.cudaDevAttrL2CacheSize, ordinal), FfmCudaRuntime.versionText(driver[0]),
                FfmCudaRuntime.versionText(runtime[0]), FfmCudaRuntime.cublasVersionText(version[0]), pciBusId(ordinal));
    }

    /** Why JCuda cannot run GEMMs here, or empty when it can; never throws. */
    static Optional<String> problem(LibraryLocator locator) {
        String arch = System.getProperty("os.arch");
        if (!List.of("amd64", "x86_64").contains(arch)) {
            return Optional.of("JCuda 12.6 ships natives for x86_64 only, this is " + arch);
        }
        return load(locator);
    }

    /** Opens device {@code ordinal}; a reason JCuda cannot is a one-line {@link BadInputException}. */
    static JcudaBackend open(LibraryLocator locator, int ordinal) {
        problem(locator).ifPresent(p -> {
            throw new BadInputException(p);
        });
        return new JcudaBackend(ordinal);
    }

    /**
     * Loads JCuda's runtime natives (extracted into a private directory, because JCuda reuses any file of the same
     * name it finds in {@code java.io.tmpdir}) and counts devices; then loads cuBLAS 12 from where the locator found
     * it (its soname then satisfies JCublas2's dependency wherever the file lives, e.g. in a pip wheel) and creates
     * a handle. Once per process: a failed native load cannot be retried.
     */
    @SuppressWarnings("restricted") // loading native code is the point; the jar enables native access
    private static synchronized Optional<String> load(LibraryLocator locator) {
        if (loadProblem != null) {
            return loadProblem;
        }
        String tmp = System.getProperty("java.io.tmpdir");
        Path natives = null;
        try {
            natives = Files.createTempDirectory("gemmcost-jcuda-");
            System.setProperty("java.io.tmpdir", natives.toString());
            JCuda.setExceptionsEnabled(false);
            int[] count = new int[1];
            int error = JCuda.cudaGetDeviceCount(count);
            if (error != cudaError.cudaSuccess) {
                return remember("no GPU: cudaGetDeviceCount returned " + cudaError.stringFor(error) + " (" + error + ")");
            }
            if (count[0] == 0) {
                return remember("no GPU: cudaGetDeviceCount found 0 devices");
            }
            List<Path> cublas = locator.find("libcublas.so.12");
            if (cublas.isEmpty()) {
                return remember("JCublas2 12.6 needs libcublas.so.12 (cuBLAS 12), not found"
                        + locator.find("libcublas.so.13").stream().findFirst()
                                .map(p -> "; " + p + " is cuBLAS 13, whose symbol versions JCublas2 cannot bind")
                                .orElse(""));
            }
            Path lt = cublas.getFirst().resolveSibling("libcublasLt.so.12");
            if (Files.isRegularFile(lt)) {
                System.load(lt.toString());
            }
            System.load(cublas.getFirst().toString());
            JCublas2.setExceptionsEnabled(false);
            cublasHandle probe = new cublasHandle();
            int status = JCublas2.cublasCreate(probe);
            if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
                return remember("cuBLAS unusable: cublasCreate returned " + cublasStatus.stringFor(status));
            }
            JCublas2.cublasDestroy(probe);
            return remember(null);
        } catch (IOException e) {
            return remember("cannot create a directory for JCuda's natives: " + e.getMessage());
        } catch (Throwable t) { // UnsatisfiedLinkError and the NoClassDefFoundError every later touch would give
            return remember("JCuda natives do not load: " + linkProblem(t));
        } finally {
            System.setProperty("java.io.tmpdir", tmp);
            deleteLoaded(natives);
        }
    }

    /** Removes the extracted natives: once loaded they stay mapped, and no other process should reuse them. */
    private static void deleteLoaded(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a leftover temp file is harmless: the next run extracts into a fresh directory
        }
    }

    private static Optional<String> remember(String problem) {
        loadProblem = Optional.ofNullable(problem);
        return loadProblem;
    }

    /** The one useful line of JCuda's long load-failure message. */
    static String linkProblem(Throwable t) {
        String message = String.valueOf(t.getMessage());
        for (String line : message.split("\n")) {
            if (line.contains("cannot open shared object") || line.contains("version `")
                    || line.contains("version '")) {
                return line.strip();
            }
        }
        return message.lines().findFirst().orElse(t.getClass().getSimpleName()).strip();
    }

    @Override
    public String name() {
        return "jcuda";
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
            check(JCuda.cudaMemsetAsync(trial.c, 0xFF, trial.cBytes, trial.stream), "cudaMemsetAsync(C)"); // NaN
            trial.gemm();
            ByteBuffer host = ByteBuffer.allocateDirect(Math.toIntExact(trial.cBytes));
            check(JCuda.cudaMemcpy(Pointer.to(host), trial.c, trial.cBytes, cudaMemcpyKind.cudaMemcpyDeviceToHost),
                    "cudaMemcpy(C)");
            return types.decode(host, Math.toIntExact(shape.m() * shape.n()));
        }
    }

    private static void upload(Pointer device, ByteBuffer host, String what) {
        check(JCuda.cudaMemcpy(device, Pointer.to(host), host.remaining(), cudaMemcpyKind.cudaMemcpyHostToDevice),
                "cudaMemcpy(" + what + ")");
    }

    /** Buffers, stream, events and flush buffer for one shape; freed on close. */
    private final class Trial implements GemmTrial {
        private final GemmShape shape;
        private final GemmTypes types;
        final Pointer a = new Pointer();
        final Pointer b = new Pointer();
        final Pointer c = new Pointer();
        final long cBytes;
        final cudaStream_t stream = new cudaStream_t();
        private final Pointer flush = new Pointer();
        private final long flushBytes;
        private final cudaEvent_t start = new cudaEvent_t();
        private final cudaEvent_t stop = new cudaEvent_t();
        private final Pointer alpha = Pointer.to(new float[] {1f});
        private final Pointer beta = Pointer.to(new float[] {0f});
        private final float[] elapsedMs = new float[1];
        private int flushValue;

        Trial(GemmShape shape, GemmTypes types, boolean forTiming) {
            this.shape = shape;
            this.types = types;
            long e = types.elementBytes();
            flushBytes = forTiming ? device.l2FlushBytes() : 0;
            try {
                malloc(a, shape.m() * shape.k() * e, "A");
                malloc(b, shape.k() * shape.n() * e, "B");
                cBytes = shape.m() * shape.n() * e;
                malloc(c, cBytes, "C");
                if (forTiming) {
                    malloc(flush, flushBytes, "L2 flush buffer");
                    fillRandom(a, shape.m() * shape.k() * e);
                    fillRandom(b, shape.k() * shape.n() * e);
                }
                check(JCuda.cudaStreamCreate(stream), "cudaStreamCreate");
                check(JCuda.cudaEventCreate(start), "cudaEventCreate");
                check(JCuda.cudaEventCreate(stop), "cudaEventCreate");
                checkBlas(JCublas2.cublasSetStream(handle, stream), "cublasSetStream");
            } catch (GpuException ex) {
                close();
                throw ex;
            }
        }

        private static void malloc(Pointer p, long bytes, String what) {
            check(JCuda.cudaMalloc(p, bytes), "cudaMalloc(" + what + ", " + bytes + " bytes)");
        }

        /** Random values tiled from one uploaded block by device-to-device copies. */
        private void fillRandom(Pointer target, long bytes) {
            ByteBuffer block = types.randomBlock(bytes);
            long blockBytes = block.remaining();
            upload(target, block, "fill");
            for (long offset = blockBytes; offset < bytes; offset += blockBytes) {
                check(JCuda.cudaMemcpy(target.withByteOffset(offset), target, Math.min(blockBytes, bytes - offset),
                        cudaMemcpyKind.cudaMemcpyDeviceToDevice), "cudaMemcpy(fill, device to device)");
            }
        }

        void gemm() {
            int m = Math.toIntExact(shape.m());
            int k = Math.toIntExact(shape.k());
            int n = Math.toIntExact(shape.n());
            int t = types.dataType();
            checkBlas(JCublas2.cublasGemmEx_new(handle, GemmTypes.CUBLAS_OP_N, GemmTypes.CUBLAS_OP_N, n, m, k, alpha,
                    b, t, n, a, t, k, beta, c, t, n, types.computeType(), GemmTypes.CUBLAS_GEMM_DEFAULT),
                    "cublasGemmEx_new");
        }

        /** As in {@link FfmBackend}: the flush memset is queued before the start event, outside the timed region. */
        @Override
        public double launchUs() {
            flushValue ^= 0x5A;
            check(JCuda.cudaMemsetAsync(flush, flushValue, flushBytes, stream), "cudaMemsetAsync(flush)");
            check(JCuda.cudaEventRecord(start, stream), "cudaEventRecord(start)");
            gemm();
            check(JCuda.cudaEventRecord(stop, stream), "cudaEventRecord(stop)");
            check(JCuda.cudaEventSynchronize(stop), "cudaEventSynchronize");
            check(JCuda.cudaEventElapsedTime(elapsedMs, start, stop), "cudaEventElapsedTime");
            return elapsedMs[0] * 1000.0;
        }

        @Override
        public double syncOnlyUs() {
            check(JCuda.cudaEventRecord(start, stream), "cudaEventRecord(start)");
            check(JCuda.cudaEventRecord(stop, stream), "cudaEventRecord(stop)");
            check(JCuda.cudaEventSynchronize(stop), "cudaEventSynchronize");
            check(JCuda.cudaEventElapsedTime(elapsedMs, start, stop), "cudaEventElapsedTime");
            return elapsedMs[0] * 1000.0;
        }

        @Override
        public void close() {
            JCuda.cudaEventDestroy(start);
            JCuda.cudaEventDestroy(stop);
            JCuda.cudaStreamDestroy(stream);
            for (Pointer p : new Pointer[] {a, b, c, flush}) {
                JCuda.cudaFree(p); // freeing a null pointer is a no-op
            }
        }
    }

    private static String pciBusId(int ordinal) {
        String[] out = new String[1];
        check(JCuda.cudaDeviceGetPCIBusId(out, 64, ordinal), "cudaDeviceGetPCIBusId");
        return out[0];
    }

    private static int attribute(int attribute, int ordinal) {
        int[] out = new int[1];
        check(JCuda.cudaDeviceGetAttribute(out, attribute, ordinal), "cudaDeviceGetAttribute(" + attribute + ")");
        return out[0];
    }

    private static void check(int error, String call) {
        if (error != cudaError.cudaSuccess) {
            throw new GpuException(String.format(Locale.ROOT, "%s: %s (%d): %s", call, cudaError.stringFor(error),
                    error, JCuda.cudaGetErrorString(error)), error == cudaError.cudaErrorMemoryAllocation);
        }
    }

    private static void checkBlas(int status, String call) {
        if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
            throw new GpuException(call + ": " + cublasStatus.stringFor(status) + " (" + status + ")",
                    status == cublasStatus.CUBLAS_STATUS_ALLOC_FAILED);
        }
    }

    @Override
    public void close() {
        JCublas2.cublasDestroy(handle);
    }
}
