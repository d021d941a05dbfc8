package gemmcost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Seals the outputs that carry the project's argument, as JMH seals its text output: the modeled {@code check-claim}
 * screen and the example DAG's critical path, byte for byte against golden files. After an intended change, rerun
 * with {@code -Dgemmcost.golden.update=true} and read the diff of the golden file before committing it.
 */
class GoldenOutputTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden");

    private static void matchesGolden(String output, String name) throws IOException {
        Path file = GOLDEN.resolve(name);
        if (Boolean.getBoolean("gemmcost.golden.update"))
            Files.writeString(file, output, StandardCharsets.UTF_8);
        assertThat(output).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    }

    @Test
    void theModeledCheckClaimScreenShouldBeTheGoldenOne() throws IOException {
        CliRun run = CliRun.of("check-claim");

        assertThat(run.status()).as(run.err()).isZero();
        matchesGolden(run.out(), "check-claim-modeled.txt");
    }

    /**
     * The same screen on the first measured table (an H200, profiles/README.md); the README's excerpt of it is checked
     * with every other example of the docs (the bench module's ExamplesTest).
     */
    @Test
    void theCheckClaimScreenOnTheMeasuredH200TableShouldBeTheGoldenOne() throws IOException {
        CliRun run = CliRun.of("check-claim", "--profile", "../profiles/nvidia-h200/bf16.json");

        assertThat(run.status()).as(run.err()).isZero();
        matchesGolden(run.out().replace("../profiles/", "profiles/"), "check-claim-measured-h200.txt");
    }

    /**
     * a (10 µs given) → b (4096³ bf16 on the H100 roofline: 2·4096³ / 989.4e12 s = 138.911 µs) → x (all_reduce of
     * 32 MiB over 2 GPUs on NVLink: 4.3 µs + 2 steps × 0.8 µs + 33,554,432 B / 370 GB/s = 96.587 µs) → d (5 µs):
     * 250.498 µs; c (64 MiB at 3,350 GB/s, 20.03 µs) is off the path.
     */
    @Test
    void theExampleDagsCriticalPathShouldBeTheOneDerivedByHandAndTheGoldenOutput() throws IOException {
        CliRun run = CliRun.of("critical-path", "--dag", "../examples/diamond.json");

        double b = 2.0 * 4096 * 4096 * 4096 / 989.4e12 * 1e6;
        double x = 4.3 + 2 * 0.8 + 33554432 / 370e9 * 1e6;
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains(String.format(java.util.Locale.ROOT,
                "critical path (unlimited resources):   %.1f us", 10 + b + x + 5));
        matchesGolden(run.out().replace("../examples/", "examples/"), "diamond-critical-path.txt");
    }

    @Test
    void theManualShouldQuoteTheExampleDagAsItIs() throws IOException {
        assertThat(Files.readString(Path.of("../docs/dags.md"))).contains("```json\n"
                + Files.readString(Path.of("../examples/diamond.json")).stripTrailing() + "\n```");
    }
}
