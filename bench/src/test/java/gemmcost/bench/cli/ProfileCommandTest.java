package gemmcost.bench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import gemmcost.cli.Gemmcost;
import gemmcost.cuda.CudaProbe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code profile} refuses before it looks for a GPU: one line, exit 2. */
class ProfileCommandTest {
    private static String refusal(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Gemmcost.run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        assertThat(status).isEqualTo(2);
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aWarmupOfNoLaunchesShouldBeRefused() {
        assertThat(refusal("profile", "--warmup", "0")).isEqualTo("gemmcost: --warmup 0 --warmup-ms 200.0: must be"
                + " >= 1 launch and > 0 ms: minLaunches=0, minWallMs=200.0" + System.lineSeparator());
        assertThat(refusal("profile", "--warmup-ms", "0")).startsWith("gemmcost: --warmup 3 --warmup-ms 0.0: must be");
    }

    @Test
    void aStoppingRuleOptionShouldBeRefusedUnderItsOwnName() {
        String nl = System.lineSeparator();
        assertThat(refusal("profile", "--timeout-s", "-1")).isEqualTo("gemmcost: --timeout-s: must be > 0, got -1.0"
                + nl);
        assertThat(refusal("profile", "--max-noise-pct", "0")).isEqualTo("gemmcost: --max-noise-pct: must be > 0,"
                + " got 0.0" + nl);
        assertThat(refusal("profile", "--min-time-s", "-1")).isEqualTo("gemmcost: --min-time-s: must be >= 0, got"
                + " -1.0" + nl);
        assertThat(refusal("profile", "--min-samples", "1")).isEqualTo("gemmcost: --min-samples: must be >= 2, got 1"
                + nl);
        // a value so small that it vanishes in the rule's units is refused too, not an internal error
        assertThat(refusal("profile", "--max-noise-pct", "1e-323")).isEqualTo("gemmcost: --max-noise-pct: must be > 0,"
                + " got " + Double.parseDouble("1e-323") + nl);
    }

    @Test
    void anOutThatIsAFileShouldBeRefusedBeforeAnyGpuIsTouched(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("afile"), "x");

        assertThat(refusal("profile", "--out", file.toString())).isEqualTo("gemmcost: --out " + file + ": a file, not"
                + " a folder" + System.lineSeparator());
    }

    @Test
    void fp8ShouldBeRefusedBeforeAnyGpuIsTouched() {
        assertThat(refusal("profile", "--dtype", "bf16,fp8")).isEqualTo("gemmcost: --dtype fp8: not a profile dtype"
                + " yet (bf16, fp16, tf32, fp32)" + System.lineSeparator());
    }

    /** Without a GPU the bus id cannot be asked for: the probe's one line, as from every GPU command. */
    @Test
    void withoutAGpuShouldExitTwoWithTheProbesLine() {
        CudaProbe.Result probe = CudaProbe.run((java.nio.file.Path) null);
        Assumptions.assumeTrue(probe.cudart().isPresent() && probe.driverVersion() == 0,
                "skipped: needs a CUDA runtime without a driver, as on this project's machines");

        String err = refusal("profile", "--shapes", "seed");

        assertThat(err.lines().reduce((a, b) -> b).orElseThrow())
                .isEqualTo("gemmcost: " + probe.problem().orElseThrow());
    }
}
