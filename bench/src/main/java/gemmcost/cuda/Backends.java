package gemmcost.cuda;

import gemmcost.BadInputException;
import java.nio.file.Path;
import java.util.Locale;
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

    /** An open backend and one line on what it is and why it was chosen. */
    public record Opened(GemmBackend backend, String explanation) {
    }

    /** Why JCuda cannot run here, or empty when it can. */
    public static Optional<String> jcudaProblem(Path cudaLibDir) {
        return JcudaBackend.problem(LibraryLocator.system(cudaLibDir));
    }

    /** Opens device {@code ordinal}; without a usable GPU this is a one-line {@link BadInputException}. */
    public static Opened open(Choice choice, CudaProbe.Result probe, Path cudaLibDir, int ordinal) {
        LibraryLocator locator = LibraryLocator.system(cudaLibDir);
        return switch (choice) {
            case FFM -> ffm(probe, ordinal, "");
            case JCUDA -> jcuda(locator, ordinal, "");
            case AUTO -> {
                Optional<String> why = JcudaBackend.problem(locator);
                if (why.isEmpty()) {
                    yield jcuda(locator, ordinal, "; auto: its natives and cuBLAS 12 load");
                }
                if (!probe.available()) {
                    String problem = probe.problem().orElseThrow();
                    throw new BadInputException(why.get().startsWith("no GPU") ? problem
                            : problem + "; jcuda: " + why.get());
                }
                yield ffm(probe, ordinal, "; auto: jcuda not usable: " + why.get());
            }
        };
    }

    private static Opened ffm(CudaProbe.Result probe, int ordinal, String note) {
        FfmBackend backend = FfmBackend.open(probe, ordinal);
        return new Opened(backend, "ffm (FFM binding of " + probe.cudart().orElseThrow() + " and "
                + probe.cublas().orElseThrow() + note + ")");
    }

    private static Opened jcuda(LibraryLocator locator, int ordinal, String note) {
        JcudaBackend backend = JcudaBackend.open(locator, ordinal);
        return new Opened(backend, "jcuda (JCuda/JCublas2 12.6 with " + locator.find("libcublas.so.12").getFirst()
                + note + ")");
    }
}
