package gemmcost.cuda;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds and loads the CUDA runtime, asks it for the driver and the devices, and finds cuBLAS, without ever
 * throwing: what is missing becomes the one-line {@link Result#problem()} that a command prints before exit 2.
 */
public final class CudaProbe {
    private static final List<String> CUDART = List.of("libcudart.so.13", "libcudart.so.12");
    private static final List<String> CUBLAS = List.of("libcublas.so.13", "libcublas.so.12");

    private CudaProbe() {
    }

    /**
     * What the probe found.
     *
     * @param cudart          the runtime library loaded, if any
     * @param runtimeVersion  e.g. 13000 for CUDA 13.0; 0 if unknown
     * @param driverVersion   the CUDA version the driver supports; 0 when there is no driver
     * @param deviceCount     visible devices
     * @param cublas          the cuBLAS library found (not loaded here), if any
     * @param problem         why the GPU cannot be used, or empty when it can
     */
    public record Result(Optional<Path> cudart, int runtimeVersion, int driverVersion, int deviceCount,
                         Optional<Path> cublas, Optional<String> problem) {
        public boolean available() {
            return problem.isEmpty();
        }

        /** Human lines: what was found where. */
        public List<String> describe() {
            List<String> lines = new ArrayList<>();
            lines.add("cuda runtime: " + cudart.map(p -> p + " (" + FfmCudaRuntime.versionText(runtimeVersion) + ")")
                    .orElse("not found"));
            lines.add("driver: " + (driverVersion == 0 ? "none"
                    : "supports CUDA " + FfmCudaRuntime.versionText(driverVersion)));
            lines.add("devices: " + deviceCount);
            lines.add("cublas: " + cublas.map(Path::toString).orElse("not found"));
            return lines;
        }
    }

    /** Probes with the libraries of this process's environment ({@code cudaLibDir} first, may be null). */
    public static Result run(Path cudaLibDir) {
        return run(LibraryLocator.system(cudaLibDir));
    }

    static Result run(LibraryLocator locator) {
        Optional<Path> cublas = first(locator, CUBLAS);
        Optional<Path> cudartFile = first(locator, CUDART);
        if (cudartFile.isEmpty()) {
            return new Result(Optional.empty(), 0, 0, 0, cublas, Optional.of("no CUDA runtime: "
                    + String.join(" or ", CUDART) + " not found (searched --cuda-lib-dir, CUDA_HOME/CUDA_PATH,"
                    + " ldconfig -p, pip's nvidia/*/lib)"));
        }
        FfmCudaRuntime rt;
        try {
            rt = FfmCudaRuntime.load(cudartFile.get());
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return new Result(cudartFile, 0, 0, 0, cublas,
                    Optional.of("cannot load " + cudartFile.get() + ": " + e.getMessage()));
        }
        int runtime = rt.runtimeVersion().value();
        int driver = rt.driverVersion().value();
        FfmCudaRuntime.Result devices = rt.deviceCount();
        int count = devices.error() == 0 ? devices.value() : 0;
        Optional<String> problem = Optional.empty();
        if (devices.error() != 0) {
            problem = Optional.of("no GPU: cudaGetDeviceCount returned " + rt.describeError(devices.error()));
        } else if (count == 0) {
            problem = Optional.of("no GPU: cudaGetDeviceCount found 0 devices");
        } else if (cublas.isEmpty()) {
            problem = Optional.of("cuBLAS library missing: " + String.join(" or ", CUBLAS)
                    + " not found (searched --cuda-lib-dir, CUDA_HOME/CUDA_PATH, ldconfig -p, pip's nvidia/*/lib)");
        }
        return new Result(cudartFile, runtime, driver, count, cublas, problem);
    }

    private static Optional<Path> first(LibraryLocator locator, List<String> names) {
        for (String name : names) {
            List<Path> found = locator.find(name);
            if (!found.isEmpty()) {
                return Optional.of(found.getFirst());
            }
        }
        return Optional.empty();
    }
}
