package gemmcost.bench;

import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * gemmcost's CUDA stand-in ({@code scripts/cuda-standin/build.sh}), built at most once per test JVM and variant into
 * {@code target/cuda-standin/<variant>}. Where gcc or the CUDA headers are missing the build's one-line reason
 * becomes the skip message of every test that needs it.
 */
final class CudaStandin {
    private static final Map<String, Object> BUILT = new HashMap<>(); // variant -> Path, or the failure's message

    private CudaStandin() {
    }

    static Path repositoryRoot() {
        return Path.of("").toAbsolutePath().getParent();
    }

    /** CUDA 13 libraries with the default knobs. */
    static Path libraries() {
        return build("13");
    }

    /** The CUDA 12 libraries built into the same folder as the CUDA 13 ones: a node with both majors. */
    static Path bothMajors() {
        return build("13+12", List.of(), List.of("--major", "12"));
    }

    /** A libcublasLt.so.13 whose version differs from the stand-in's cuBLAS: what a stray LD_LIBRARY_PATH brings. */
    static Path mismatchedLt() {
        return build("lt-mismatch", List.of("--lt-version", "1"));
    }

    @SafeVarargs
    private static synchronized Path build(String variant, List<String>... buildArgs) {
        Object done = BUILT.get(variant);
        if (done == null) {
            Path dir = repositoryRoot().resolve("bench/target/cuda-standin").resolve(variant);
            done = dir;
            for (List<String> args : buildArgs.length == 0 ? List.of(List.<String>of()) : List.of(buildArgs)) {
                String failure = run(dir, args);
                if (failure != null) {
                    done = failure;
                    break;
                }
            }
            BUILT.put(variant, done);
        }
        assumeThat(done).as("skipped, no CUDA stand-in: %s", done).isInstanceOf(Path.class);
        return (Path) done;
    }

    private static String run(Path dir, List<String> args) {
        List<String> command = new ArrayList<>(List.of("bash",
                repositoryRoot().resolve("scripts/cuda-standin/build.sh").toString(), dir.toString()));
        command.addAll(args);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return output.isEmpty() ? "build.sh failed" : output.lines().reduce((a, b) -> b).orElse(output);
            }
            return null;
        } catch (IOException e) {
            return "cannot run build.sh: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
