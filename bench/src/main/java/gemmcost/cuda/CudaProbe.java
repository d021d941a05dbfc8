package gemmcost.cuda;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds a CUDA runtime that works with this node's driver and the cuBLAS that goes with it, without ever throwing:
 * every {@code libcudart.so.13} and then {@code .so.12} the locator finds is loaded in turn and the first whose
 * {@code cudaGetDeviceCount} succeeds is kept (a CUDA 13 runtime on a CUDA 12 driver fails there, so the node's
 * CUDA 12 libraries are used instead of stopping); cuBLAS is then taken of the same major, which the driver
 * therefore supports. What is missing becomes the one-line {@link Result#problem()} a command prints before exit 2.
 */
public final class CudaProbe {
    private static final List<Integer> MAJORS = List.of(13, 12);
    private static final String SEARCHED = "searched --cuda-lib-dir, CUDA_HOME/CUDA_PATH, ldconfig -p, pip's nvidia/*/lib";

    private CudaProbe() {
    }

    /**
     * What the probe found.
     *
     * @param cudart         the runtime chosen (when none works: the first tried that loaded, else the first tried)
     * @param loaded         whether that runtime loaded
     * @param runtimeVersion e.g. 13000 for CUDA 13.0; 0 if unknown
     * @param driverVersion  the CUDA version the driver supports; 0 when there is no driver
     * @param deviceCount    visible devices
     * @param cublas         cuBLAS of the runtime's major, if found (loaded here where a GPU is)
     * @param standin        the description of gemmcost's CUDA stand-in when the runtime is that simulation
     * @param skipped        one line per runtime tried and not kept, with the reason
     * @param problem        why the GPU cannot be used, or empty when it can
     * @param cudaLibDir     where the search started (may be null)
     */
    public record Result(Optional<Path> cudart, boolean loaded, int runtimeVersion, int driverVersion, int deviceCount,
                         Optional<Path> cublas, Optional<String> standin, List<String> skipped,
                         Optional<String> problem, Path cudaLibDir) {
        public Result {
            skipped = List.copyOf(skipped);
        }

        public boolean available() {
            return problem.isEmpty();
        }

        /** Human lines: what was found where, and why. */
        public List<String> describe() {
            List<String> lines = new ArrayList<>();
            lines.add("cuda runtime: " + cudart.map(p -> p + " (" + (!loaded ? "did not load"
                    : FfmCudaRuntime.versionText(runtimeVersion)) + ")"
                    + (available() ? ", the first whose cudaGetDeviceCount succeeds" : "")).orElse("not found"));
            skipped.forEach(s -> lines.add("  skipped " + s));
            lines.add("driver: " + (driverVersion == 0 ? "none" : "supports CUDA "
                    + FfmCudaRuntime.versionText(driverVersion)));
            lines.add("devices: " + deviceCount);
            lines.add("cublas: " + cublas.map(p -> p + " (the runtime's major, " + (available() ? "loaded" : "found")
                    + (Files.isRegularFile(FfmCublas.siblingLt(p)) ? ", after its sibling "
                    + FfmCublas.siblingLt(p).getFileName() : "") + ")").orElse("not found"));
            standin.ifPresent(s -> lines.add("SIMULATED: " + s));
            return lines;
        }

        LibraryLocator locator() {
            return LibraryLocator.system(cudaLibDir);
        }
    }

    /** Probes with the libraries of this process's environment ({@code cudaLibDir} first, may be null). */
    public static Result run(Path cudaLibDir) {
        return run(LibraryLocator.system(cudaLibDir), cudaLibDir);
    }

    static Result run(LibraryLocator locator, Path cudaLibDir) {
        List<String> skipped = new ArrayList<>();
        List<Result> failures = new ArrayList<>();
        for (int major : MAJORS) {
            for (Path file : locator.find("libcudart.so." + major)) {
                Result tried = tryRuntime(file, major, locator, skipped, cudaLibDir);
                if (tried.available()) {
                    return tried;
                }
                skipped.add(file + ": " + tried.problem().orElseThrow());
                failures.add(tried);
            }
        }
        if (failures.isEmpty()) {
            return new Result(Optional.empty(), false, 0, 0, 0, Optional.empty(), Optional.empty(), List.of(),
                    Optional.of("no CUDA runtime: libcudart.so.13 or libcudart.so.12 not found (" + SEARCHED + ")"),
                    cudaLibDir);
        }
        // none works: report the most preferred runtime that loaded (its reason is the node's: no driver, no device),
        // else the most preferred one, and the others as skipped
        int reported = 0;
        while (reported < failures.size() - 1 && !failures.get(reported).loaded()) {
            reported++;
        }
        Result chosen = failures.get(reported);
        List<String> others = new ArrayList<>(skipped);
        others.remove(reported);
        return new Result(chosen.cudart(), chosen.loaded(), chosen.runtimeVersion(), chosen.driverVersion(), 0,
                chosen.cublas(), chosen.standin(), others, chosen.problem(), cudaLibDir);
    }

    /** Loads cuBLAS as the first GEMM does (after its sibling Lt), so that one that does not load is found here. */
    private static Optional<String> loadProblem(Path cublas) {
        try {
            FfmCublas.load(cublas);
            return Optional.empty();
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return Optional.of("cannot load cuBLAS " + cublas + ": " + e.getMessage());
        }
    }

    private static Result tryRuntime(Path file, int major, LibraryLocator locator, List<String> skipped,
                                     Path cudaLibDir) {
        Optional<Path> cublas = locator.find("libcublas.so." + major).stream().findFirst();
        FfmCudaRuntime rt;
        try {
            rt = FfmCudaRuntime.load(file);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return new Result(Optional.of(file), false, 0, 0, 0, cublas, Optional.empty(), skipped,
                    Optional.of("cannot load " + file + ": " + e.getMessage()), cudaLibDir);
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
            problem = Optional.of("cuBLAS library missing: libcublas.so." + major + " (the runtime's major) not found ("
                    + SEARCHED + ")");
        } else {
            problem = loadProblem(cublas.get());
        }
        return new Result(Optional.of(file), true, runtime, driver, count, cublas, rt.standin(), skipped, problem,
                cudaLibDir);
    }
}
