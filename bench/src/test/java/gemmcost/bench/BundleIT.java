package gemmcost.bench;

import static org.assertj.core.api.Assertions.assertThat;

import gemmcost.ToolVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/bundle.sh} on the jar this build just packaged: a tarball of at most 60 MB whose launcher runs
 * {@code --version} with the bundle's own jlink'd runtime (the test's PATH and JAVA_HOME point nowhere).
 */
class BundleIT {
    @TempDir
    Path dir;

    private static Path repositoryRoot() {
        return Path.of("").toAbsolutePath().getParent();
    }

    private static Result run(List<String> command, Path workDir, boolean withoutJava) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        if (withoutJava) {
            builder.environment().put("PATH", "/usr/bin:/bin");
            builder.environment().remove("JAVA_HOME");
        }
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Result(p.exitValue(), output);
    }

    private record Result(int status, String output) {
    }

    @Test
    void theBundleShouldRunVersionWithItsOwnRuntimeAndStayUnder60Mb() throws Exception {
        Path root = repositoryRoot();
        Result built = run(List.of("bash", root.resolve("scripts/bundle.sh").toString(), dir.toString()), root, false);
        assertThat(built.status()).as(built.output()).isZero();
        Path tarball = dir.resolve("gemmcost-bundle-linux-" + arch() + ".tar.gz");
        assertThat(Files.size(tarball)).isLessThanOrEqualTo(60L * 1024 * 1024);

        Path unpacked = Files.createDirectory(dir.resolve("node"));
        assertThat(run(List.of("tar", "xzf", tarball.toString()), unpacked, false).status()).isZero();
        Result version = run(List.of(unpacked.resolve("gemmcost/bin/gemmcost").toString(), "--version"), unpacked, true);

        assertThat(version.status()).as(version.output()).isZero();
        assertThat(version.output()).startsWith("gemmcost " + ToolVersion.current().version());
        assertThat(Files.isExecutable(unpacked.resolve("gemmcost/runtime/bin/java"))).isTrue();
    }

    private static String arch() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("uname", "-m").start();
        String arch = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return arch;
    }
}
