package gemmcost.bench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import gemmcost.cli.CliRun;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProbeCommandTest {
    @Test
    void shouldRefuseACudaLibDirThatIsNoFolder(@TempDir Path dir) {
        Path missing = dir.resolve("nonexistent");

        CliRun run = CliRun.of("probe", "--cuda-lib-dir", missing.toString());

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("gemmcost: --cuda-lib-dir: no such folder: " + missing
                + System.lineSeparator());
        assertThat(run.out()).isEmpty();
    }
}
