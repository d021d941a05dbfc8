package gemmcost.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibraryLocatorTest {
    @TempDir
    Path dir;

    private Path touch(String relative) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.createFile(file);
    }

    @Test
    void shouldPreferExplicitDirThenCudaHomeThenLoaderCacheThenPipWheels() throws IOException {
        Path explicit = touch("explicit/libcublas.so.13");
        Path cudaHome = touch("cuda/lib64/libcublas.so.13");
        Path cached = touch("cache/libcublas.so.13");
        Path wheel = touch("site/nvidia/cublas/lib/libcublas.so.13");
        String ldconfig = "123 libs found in cache `/etc/ld.so.cache'\n"
                + "\tlibcublas.so.13 (libc6,x86-64) => " + cached + "\n"
                + "\tlibcublasLt.so.13 (libc6,x86-64) => /nowhere/libcublasLt.so.13\n";
        LibraryLocator locator = new LibraryLocator(explicit.getParent(), Map.of("CUDA_HOME", dir.resolve("cuda").toString()),
                () -> ldconfig, List.of(dir.resolve("site")));

        assertThat(locator.find("libcublas.so.13")).containsExactly(explicit, cudaHome, cached, wheel);
    }

    @Test
    void shouldLookInLdLibraryPathFoldersBeforeCudaHome() throws IOException {
        Path driver = touch("nvidia/lib64/libnvidia-ml.so.1");
        Path cudaHome = touch("cuda/lib64/libnvidia-ml.so.1");
        LibraryLocator locator = new LibraryLocator(null, Map.of("LD_LIBRARY_PATH", "::" + dir.resolve("empty") + ":"
                + driver.getParent(), "CUDA_HOME", dir.resolve("cuda").toString()), () -> "", List.of());

        assertThat(locator.find("libnvidia-ml.so.1")).containsExactly(driver, cudaHome);
    }

    @Test
    void shouldSearchTheEnvironmentOfTheFirstPythonOnThePath() throws IOException {
        Path python = touch("venv/bin/python3");
        assertThat(python.toFile().setExecutable(true)).isTrue();
        Path wheel = touch("venv/lib/python3.12/site-packages/nvidia/cu13/lib/libcublas.so.13");
        List<Path> sites = LibraryLocator.defaultSitePackages(Map.of("PATH", dir.resolve("nopython") + ":"
                + python.getParent()));

        assertThat(sites).contains(dir.resolve("venv/lib/python3.12/site-packages"));
        assertThat(new LibraryLocator(null, Map.of(), () -> "", sites).find("libcublas.so.13")).containsExactly(wheel);
    }

    @Test
    void shouldFindNothingWhereNothingIs() {
        LibraryLocator locator = new LibraryLocator(null, Map.of(), () -> "", List.of(dir));
        assertThat(locator.find("libcudart.so.13")).isEmpty();
    }

    @Test
    void shouldAskTheLoaderCacheOnceForManyLibraries() {
        int[] calls = {0};
        LibraryLocator locator = new LibraryLocator(null, Map.of(), () -> {
            calls[0]++;
            return "";
        }, List.of());
        locator.find("libcudart.so.13");
        locator.find("libcublas.so.13");
        assertThat(calls[0]).isEqualTo(1);
    }
}
