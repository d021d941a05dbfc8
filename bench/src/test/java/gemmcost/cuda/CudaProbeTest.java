package gemmcost.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemmcost.BadInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real FFM binding against this machine's libcudart: loads, reads its version, and reports no GPU. */
class CudaProbeTest {
    @Test
    void shouldExplainWhatIsMissingWhenNoRuntimeIsFound() {
        CudaProbe.Result result = CudaProbe.run(new LibraryLocator(null, Map.of(), () -> "", List.of()), null);

        assertThat(result.available()).isFalse();
        assertThat(result.problem()).contains("no CUDA runtime: libcudart.so.13 or libcudart.so.12 not found"
                + " (searched --cuda-lib-dir, CUDA_HOME/CUDA_PATH, ldconfig -p, pip's nvidia/*/lib)");
    }

    @Test
    void shouldLoadTheRealRuntimeAndReportTheMissingDriver() {
        CudaProbe.Result result = CudaProbe.run((Path) null);
        Assumptions.assumeTrue(result.cudart().isPresent(), "skipped: no libcudart.so.13/.12 on this machine");
        Assumptions.assumeTrue(result.driverVersion() == 0, "skipped: this machine has a CUDA driver");

        assertThat(result.runtimeVersion()).isGreaterThanOrEqualTo(12000);
        assertThat(result.available()).isFalse();
        assertThat(result.problem()).contains("no GPU: cudaGetDeviceCount returned cudaErrorInsufficientDriver (35):"
                + " CUDA driver version is insufficient for CUDA runtime version");
    }

    @Test
    void shouldReportTheRuntimeThatLoadedNotABrokenOneFoundFirst(@TempDir Path dir) throws IOException {
        CudaProbe.Result real = CudaProbe.run((Path) null);
        Assumptions.assumeTrue(real.loaded(), "skipped: no loadable libcudart.so.13/.12 on this machine");
        Assumptions.assumeTrue(real.driverVersion() == 0, "skipped: this machine has a CUDA driver");
        Path broken = Files.createFile(dir.resolve("libcudart.so.13"));
        Path realLibDir = real.cudart().orElseThrow().getParent();
        LibraryLocator locator = new LibraryLocator(dir, Map.of("LD_LIBRARY_PATH", realLibDir.toString()),
                () -> "", List.of());

        CudaProbe.Result result = CudaProbe.run(locator, dir);

        assertThat(result.cudart()).isEqualTo(real.cudart());
        assertThat(result.problem()).isEqualTo(real.problem());
        assertThat(result.skipped()).singleElement().asString().startsWith(broken + ": cannot load " + broken);
        assertThat(result.describe().getFirst()).isEqualTo("cuda runtime: " + real.cudart().orElseThrow() + " ("
                + FfmCudaRuntime.versionText(real.runtimeVersion()) + ")");
    }

    @Test
    void shouldSayABrokenRuntimeDidNotLoadWhenNoneLoads(@TempDir Path dir) throws IOException {
        Path broken = Files.createFile(dir.resolve("libcudart.so.13"));

        CudaProbe.Result result = CudaProbe.run(new LibraryLocator(dir, Map.of(), () -> "", List.of()), dir);

        assertThat(result.problem().orElseThrow()).startsWith("cannot load " + broken);
        assertThat(result.loaded()).isFalse();
        assertThat(result.describe().getFirst()).isEqualTo("cuda runtime: " + broken + " (did not load)");
    }

    @Test
    void shouldRefuseToOpenTheFfmBackendWithoutAGpu() {
        CudaProbe.Result result = CudaProbe.run((Path) null);
        Assumptions.assumeFalse(result.available(), "skipped: this machine has a usable GPU");

        assertThatThrownBy(() -> Backends.open(Backends.Choice.FFM, result, 0)).isInstanceOf(BadInputException.class)
                .hasMessage(result.problem().orElseThrow());
    }
}
