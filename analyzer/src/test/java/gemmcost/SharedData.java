package gemmcost;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Files of the shared data folder that lives beside the repository ({@code ../shared/data} from the repository
 * root); never copied into the repository. Tests that need them are skipped, with a message, when absent.
 */
public final class SharedData {
    private SharedData() {
    }

    /** {@code ../shared/data/gemm-public/<name>}, or the calling test is skipped if the file is not there. */
    public static Path gemmPublic(String name) {
        return file("gemm-public", name);
    }

    /** {@code ../shared/data/model-configs/<name>}, or the calling test is skipped if the file is not there. */
    public static Path modelConfig(String name) {
        return file("model-configs", name);
    }

    /** {@code ../shared/data/serving/<name>}, or the calling test is skipped if the file is not there. */
    public static Path serving(String name) {
        return file("serving", name);
    }

    /** {@code ../shared/data/comm-public/<name>}, or the calling test is skipped if the file is not there. */
    public static Path commPublic(String name) {
        return file("comm-public", name);
    }

    private static Path file(String folder, String name) {
        Path file = repositoryRoot().resolveSibling("shared").resolve("data").resolve(folder).resolve(name);
        Assumptions.assumeTrue(Files.isRegularFile(file),
                () -> "skipped: " + file + " is absent (the shared data folder belongs beside the repository)");
        return file;
    }

    /** The repository's {@code scripts/} folder. */
    public static Path scripts() {
        return repositoryRoot().resolve("scripts");
    }

    /** The nearest directory at or above the working directory that holds the parent pom and the analyzer module. */
    private static Path repositoryRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent())
            if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("analyzer")))
                return dir;
        throw new IllegalStateException("not inside the gemmcost repository: " + start);
    }
}
