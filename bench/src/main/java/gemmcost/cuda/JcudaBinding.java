package gemmcost.cuda;

import gemmcost.BadInputException;
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
 * The device primitives over JCuda/JCublas2 12.6, the binding the bench was asked for. Its natives exist for x86_64
 * only, carry a static CUDA 12.0 runtime and need {@code libcublas.so.12} (their symbols are versioned
 * {@code libcublas.so.12}, so cuBLAS 13 cannot stand in). GEMMs use {@code cublasGemmEx_new}, which takes a
 * cublasComputeType; the older {@code cublasGemmEx} overload silently returns NOT_SUPPORTED for compute type 68.
 */
final class JcudaBinding implements DeviceOps<Pointer, cudaEvent_t> {
    private static final int MAJOR_VERSION = 0; // libraryPropertyType MAJOR_VERSION
    private static Optional<String> loadProblem; // the natives load once per process; a failed load is final

    private final NativeBackend.Cleanup created = new NativeBackend.Cleanup();
    private final cublasHandle handle = new cublasHandle();
    private final cudaStream_t stream = new cudaStream_t();
    private final Pointer alpha = Pointer.to(new float[] {1f});
    private final Pointer beta = Pointer.to(new float[] {0f});
    private final float[] elapsed = new float[1];

    /** Makes {@code ordinal} current first, then the handle and one stream bound to it; undoes all on failure. */
    private JcudaBinding(int ordinal) {
        try {
            check(JCuda.cudaSetDevice(ordinal), "cudaSetDevice(" + ordinal + ")");
            // the stream first, so that the handle bound to it is released before it (last made, first released)
            check(JCuda.cudaStreamCreate(stream), "cudaStreamCreate");
            created.add(stream, s -> check(JCuda.cudaStreamDestroy(s), "cudaStreamDestroy"));
            checkBlas(JCublas2.cublasCreate(handle), "cublasCreate");
            created.add(handle, h -> checkBlas(JCublas2.cublasDestroy(h), "cublasDestroy"));
            checkBlas(JCublas2.cublasSetStream(handle, stream), "cublasSetStream");
            checkBlas(JCublas2.cublasSetMathMode(handle, GemmTypes.CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Opens device {@code ordinal}; a reason JCuda cannot is a one-line {@link BadInputException}. */
    static NativeBackend<Pointer, cudaEvent_t> open(LibraryLocator locator, int ordinal) {
        problem(locator).ifPresent(p -> {
            throw new BadInputException(p);
        });
        JcudaBinding binding = new JcudaBinding(ordinal);
        DeviceProperties device;
        try {
            device = binding.properties(ordinal, locator);
        } catch (RuntimeException e) {
            binding.close();
            throw e;
        }
        return NativeBackend.open("jcuda", binding, device);
    }

    private DeviceProperties properties(int ordinal, LibraryLocator locator) {
        int[] version = new int[1];
        checkBlas(JCublas2.cublasGetVersion(handle, version), "cublasGetVersion");
        long[] free = new long[1];
        long[] total = new long[1];
        check(JCuda.cudaMemGetInfo(free, total), "cudaMemGetInfo");
        cudaDeviceProp prop = new cudaDeviceProp();
        check(JCuda.cudaGetDeviceProperties(prop, ordinal), "cudaGetDeviceProperties");
        int[] runtime = new int[1];
        int[] driver = new int[1];
        check(JCuda.cudaRuntimeGetVersion(runtime), "cudaRuntimeGetVersion");
        check(JCuda.cudaDriverGetVersion(driver), "cudaDriverGetVersion");
        String busId = pciBusId(ordinal);
        String uuid = FfmNvml.find(locator).flatMap(n -> n.device(busId)).flatMap(FfmNvml.Device::uuid).orElse(null);
        return new DeviceProperties(prop.getName(), prop.major + "." + prop.minor,
                attribute(cudaDeviceAttr.cudaDevAttrMultiProcessorCount, ordinal), total[0],
                attribute(cudaDeviceAttr.cudaDevAttrL2CacheSize, ordinal), FfmCudaRuntime.versionText(driver[0]),
                FfmCudaRuntime.versionText(runtime[0]), FfmCudaRuntime.cublasVersionText(version[0]), busId, uuid,
                false);
    }

    /** Why JCuda cannot run GEMMs here, or empty when it can; never throws. */
    static Optional<String> problem(LibraryLocator locator) {
        String arch = System.getProperty("os.arch");
        if (!List.of("amd64", "x86_64").contains(arch)) {
            return Optional.of("JCuda 12.6 ships natives for x86_64 only, this is " + arch);
        }
        return load(locator);
    }

    /**
     * Loads JCuda's runtime natives (extracted into a private directory, because JCuda reuses any file of the same
     * name it finds in {@code java.io.tmpdir}) and counts devices; then loads cuBLAS 12 from where the locator found
     * it (its soname then satisfies JCublas2's dependency wherever the file lives, e.g. in a pip wheel), after its
     * sibling Lt, and asks it for its version. Once per process: a failed native load cannot be retried.
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
            Path lt = FfmCublas.siblingLt(cublas.getFirst());
            if (Files.isRegularFile(lt)) {
                System.load(lt.toString());
            }
            System.load(cublas.getFirst().toString());
            JCublas2.setExceptionsEnabled(false);
            int[] major = new int[1];
            // no handle here: a handle would create a context on device 0, whichever GPU is to be measured
            int status = JCublas2.cublasGetProperty(MAJOR_VERSION, major);
            if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
                return remember("cuBLAS unusable: cublasGetProperty returned " + cublasStatus.stringFor(status));
            }
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

    static String pciBusId(int ordinal) {
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
            throw GpuException.ofCudaError(String.format(Locale.ROOT, "%s: %s (%d): %s", call,
                    cudaError.stringFor(error), error, JCuda.cudaGetErrorString(error)), error);
        }
    }

    private static void checkBlas(int status, String call) {
        if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
            throw new GpuException(call + ": " + cublasStatus.stringFor(status) + " (" + status + ")",
                    status == cublasStatus.CUBLAS_STATUS_ALLOC_FAILED);
        }
    }

    @Override
    public Pointer malloc(long bytes, String what) {
        Pointer p = new Pointer();
        check(JCuda.cudaMalloc(p, bytes), "cudaMalloc(" + what + ", " + bytes + " bytes)");
        return p;
    }

    @Override
    public Pointer offset(Pointer base, long bytes) {
        return base.withByteOffset(bytes);
    }

    @Override
    public void free(Pointer pointer) {
        check(JCuda.cudaFree(pointer), "cudaFree");
    }

    @Override
    public void memsetAsync(Pointer pointer, int value, long bytes) {
        check(JCuda.cudaMemsetAsync(pointer, value, bytes, stream), "cudaMemsetAsync");
    }

    @Override
    public void copyAsync(Pointer target, Pointer source, long bytes) {
        int error = JCuda.cudaMemcpyAsync(target, source, bytes, cudaMemcpyKind.cudaMemcpyDeviceToDevice, stream);
        if (error != cudaError.cudaSuccess) // the message only on error: this call sits between the timing events
            check(error, "cudaMemcpyAsync(device to device, " + bytes + " bytes)");
    }

    @Override
    public void upload(Pointer target, ByteBuffer host) {
        check(JCuda.cudaMemcpy(target, Pointer.to(host), host.remaining(), cudaMemcpyKind.cudaMemcpyHostToDevice),
                "cudaMemcpy(host to device)");
    }

    @Override
    public void download(ByteBuffer host, Pointer source, long bytes) {
        check(JCuda.cudaMemcpy(Pointer.to(host), source, bytes, cudaMemcpyKind.cudaMemcpyDeviceToHost),
                "cudaMemcpy(device to host)");
    }

    @Override
    public cudaEvent_t createEvent() {
        cudaEvent_t event = new cudaEvent_t();
        check(JCuda.cudaEventCreate(event), "cudaEventCreate");
        return event;
    }

    @Override
    public void destroyEvent(cudaEvent_t event) {
        check(JCuda.cudaEventDestroy(event), "cudaEventDestroy");
    }

    @Override
    public void record(cudaEvent_t event) {
        check(JCuda.cudaEventRecord(event, stream), "cudaEventRecord");
    }

    @Override
    public void synchronize(cudaEvent_t event) {
        check(JCuda.cudaEventSynchronize(event), "cudaEventSynchronize");
    }

    @Override
    public float elapsedMs(cudaEvent_t start, cudaEvent_t stop) {
        check(JCuda.cudaEventElapsedTime(elapsed, start, stop), "cudaEventElapsedTime");
        return elapsed[0];
    }

    @Override
    public void gemm(CublasGemm<Pointer> g) {
        int t = g.types().dataType();
        checkBlas(JCublas2.cublasGemmEx_new(handle, GemmTypes.CUBLAS_OP_N, GemmTypes.CUBLAS_OP_N, g.m(), g.n(), g.k(),
                alpha, g.a(), t, g.lda(), g.b(), t, g.ldb(), beta, g.c(), t, g.ldc(), g.types().computeType(),
                GemmTypes.CUBLAS_GEMM_DEFAULT), "cublasGemmEx_new");
    }

    @Override
    public void setWorkspace(Pointer workspace, long bytes) {
        checkBlas(JCublas2.cublasSetWorkspace(handle, workspace, bytes), "cublasSetWorkspace");
    }

    @Override
    public void synchronizeDevice() {
        check(JCuda.cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    }

    @Override
    public void close() {
        created.close();
    }
}
