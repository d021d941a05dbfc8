package gemmcost.cuda;

import gemmcost.BadInputException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Chooses and opens a {@link GemmBackend} for {@code --backend auto|jcuda|ffm}. Auto prefers JCuda, the binding
 * asked for, when its natives and cuBLAS 12 load, and otherwise FFM (CUDA-13-only nodes, aarch64), saying why.
 */
public final class Backends {
    private Backends() {
    }

    /** The values of {@code --backend}. */
    public enum Choice {
        AUTO, JCUDA, FFM;

        public static Choice parse(String text) {
            try {
                return valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--backend: unknown backend '" + text + "' (auto, jcuda, ffm)");
            }
        }
    }

    /** An open backend and one line on what it is and why it was chosen; closing it closes the backend. */
    public record Opened(GemmBackend backend, String explanation) implements AutoCloseable {
        @Override
        public void close() {
            backend.close();
        }
    }

    /** Why JCuda cannot run here, or empty when it can. */
    public static Optional<String> jcudaProblem(Path cudaLibDir) {
        return JcudaBinding.problem(LibraryLocator.system(cudaLibDir));
    }

    /**
     * The PCI bus id of CUDA device {@code ordinal}, asked without creating a context, so the GPU can be locked
     * before anything runs on it; through the probe's runtime, or JCuda's where the probe found none.
     */
    public static String pciBusId(CudaProbe.Result probe, int ordinal) {
        try {
            if (probe.available()) {
                return FfmCudaRuntime.load(probe.cudart().orElseThrow()).pciBusId(ordinal);
            }
            JcudaBinding.problem(probe.locator()).ifPresent(why -> {
                throw new BadInputException(neitherBinding(probe, why));
            });
            return JcudaBinding.pciBusId(ordinal);
        } catch (GpuException e) {
            throw new BadInputException("CUDA device " + ordinal + ": " + e.getMessage(), e);
        }
    }

    /** The UUID NVML gives the GPU at {@code pciBusId} (CUDA_VISIBLE_DEVICES takes it), or empty without NVML. */
    public static Optional<String> uuid(CudaProbe.Result probe, String pciBusId) {
        return FfmNvml.find(probe.locator()).flatMap(n -> n.device(pciBusId)).flatMap(FfmNvml.Device::uuid);
    }

    /**
     * Opens device {@code ordinal}; without a usable GPU, or when CUDA refuses the device, this is a one-line
     * {@link BadInputException} and nothing stays allocated.
     */
    public static Opened open(Choice choice, CudaProbe.Result probe, int ordinal) {
        try {
            return switch (choice) {
                case FFM -> ffm(probe, ordinal, "");
                case JCUDA -> jcuda(probe.locator(), ordinal, "");
                case AUTO -> auto(probe, ordinal);
            };
        } catch (GpuException e) {
            throw new BadInputException("cannot open CUDA device " + ordinal + ": " + e.getMessage(), e);
        }
    }

    private static Opened auto(CudaProbe.Result probe, int ordinal) {
        Optional<String> why = JcudaBinding.problem(probe.locator());
        if (why.isEmpty()) {
            GemmBackend backend = JcudaBinding.open(probe.locator(), ordinal);
            Optional<String> tooOld = predatesDevice(backend.device());
            if (tooOld.isEmpty())
                return jcuda(probe.locator(), backend, "; auto: its natives and cuBLAS 12 load");
            backend.close();
            why = tooOld;
        }
        if (!probe.available()) {
            throw new BadInputException(neitherBinding(probe, why.get()));
        }
        return ffm(probe, ordinal, "; auto: jcuda not usable: " + why.get());
    }

    /** The probe's reason, and JCuda's where it says more than "no GPU" too. */
    private static String neitherBinding(CudaProbe.Result probe, String jcudaProblem) {
        String problem = probe.problem().orElseThrow();
        return jcudaProblem.startsWith("no GPU") ? problem : problem + "; jcuda: " + jcudaProblem;
    }

    private static Opened ffm(CudaProbe.Result probe, int ordinal, String note) {
        if (!probe.available()) {
            throw new BadInputException(probe.problem().orElseThrow());
        }
        GemmBackend backend;
        try {
            backend = FfmBinding.open(probe, ordinal);
        } catch (UnsatisfiedLinkError e) {
            throw new BadInputException("cuBLAS library unusable: " + probe.cublas().orElseThrow() + ": "
                    + e.getMessage());
        }
        requireKernels(backend, "ffm", note);
        return new Opened(backend, "ffm (FFM binding of " + probe.cudart().orElseThrow() + " and "
                + probe.cublas().orElseThrow() + note + ")");
    }

    private static Opened jcuda(LibraryLocator locator, int ordinal, String note) {
        GemmBackend backend = JcudaBinding.open(locator, ordinal);
        requireKernels(backend, "jcuda", note);
        return jcuda(locator, backend, note);
    }

    private static Opened jcuda(LibraryLocator locator, GemmBackend backend, String note) {
        return new Opened(backend, "jcuda (JCuda/JCublas2 12.6 with " + locator.find("libcublas.so.12").getFirst()
                + note + ")");
    }

    /** Closes {@code backend} and refuses where its cuBLAS predates its GPU ({@link #predatesDevice}). */
    private static void requireKernels(GemmBackend backend, String binding, String note) {
        Optional<String> tooOld = predatesDevice(backend.device());
        if (tooOld.isEmpty())
            return;
        backend.close();
        throw new BadInputException(binding + ": " + tooOld.get() + note + "; measure with a cuBLAS of that release or"
                + " later (--backend ffm and --cuda-lib-dir where it is installed)");
    }

    /**
     * The first cuBLAS release with kernels for each Blackwell compute capability (CUDA 12.8 brought 10.0, 10.1 and
     * 12.0; CUDA 12.9 10.3 and 12.1): an older one has none built for the GPU (its architecture-specific kernels do
     * not run on another). A compute capability not listed (before Blackwell, or one this list does not know) is not
     * refused.
     */
    static final Map<String, String> FIRST_CUBLAS = Map.of("10.0", "12.8", "10.1", "12.8", "10.3", "12.9",
            "12.0", "12.8", "12.1", "12.9");

    /**
     * Why the cuBLAS loaded cannot measure {@code device}: one older than the first with kernels for its Blackwell
     * compute capability ({@link #FIRST_CUBLAS}), so its times would not be cuBLAS's own on that GPU; empty when it
     * can, or when a version is not known.
     */
    static Optional<String> predatesDevice(DeviceProperties device) {
        String cc = device.computeCapability();
        String first = cc == null ? null : FIRST_CUBLAS.get(cc);
        int[] cublas = DeviceProperties.versionParts(device.cublasVersion(), 2);
        int[] needed = DeviceProperties.versionParts(first, 2);
        if (needed == null || cublas == null)
            return Optional.empty();
        boolean older = cublas[0] < needed[0] || cublas[0] == needed[0] && cublas[1] < needed[1];
        return older ? Optional.of("cuBLAS " + device.cublasVersion() + " predates " + device.name() + " (compute "
                + cc + "), whose kernels came with cuBLAS " + first) : Optional.empty();
    }
}
