package gemmcost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
     * The same screen on the first measured table (an H200, profiles/README.md), and the README's excerpt of it: its
     * result lines as they are, and each get-time line it shows, run again (8192³ is an exact hit on the table's
     * 1640.064 µs).
     */
    @Test
    void theCheckClaimScreenOnTheMeasuredH200TableShouldBeTheGoldenOneAndTheReadmesExcerpt() throws IOException {
        CliRun run = CliRun.of("check-claim", "--profile", "../profiles/nvidia-h200/bf16.json");

        assertThat(run.status()).as(run.err()).isZero();
        String screen = run.out().replace("../profiles/", "profiles/");
        matchesGolden(screen, "check-claim-measured-h200.txt");
        String readme = Files.readString(Path.of("../README.md"));
        for (String line : screen.lines().filter(l -> l.startsWith("  seed formula \"Total\"")
                || l.startsWith("  DAG decode TPOT") || l.startsWith("  claimed by")).toList())
            assertThat(readme).contains(line);
        List<String> lines = readme.lines().toList();
        int quoted = 0;
        for (int i = 0; i + 1 < lines.size(); i++) {
            String command = lines.get(i);
            if (!command.startsWith("$ scripts/gemmcost get-time --profile profiles/"))
                continue;
            String[] args = command.substring("$ scripts/gemmcost ".length()).replace("profiles/", "../profiles/")
                    .split(" ");
            CliRun getTime = CliRun.of(args);
            assertThat(getTime.status()).as(command + ": " + getTime.err()).isZero();
            assertThat(lines.get(i + 1)).as(command).isEqualTo(getTime.out().lines().findFirst().orElseThrow());
            quoted++;
        }
        assertThat(quoted).isGreaterThanOrEqualTo(2); // 8192³ (an exact hit) and 1 × 7168 × 2048
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
