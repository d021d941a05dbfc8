package gemmcost.bench.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import gemmcost.cli.CliRun;
import gemmcost.cuda.CudaProbe;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class JmhCommandTest {
    @Test
    void shouldListTheGemmBenchmarkAndItsBaselineFromTheGeneratedBenchmarkList() {
        PrintStream original = System.out;
        ByteArrayOutputStream listed = new ByteArrayOutputStream();
        CliRun run;
        try {
            System.setOut(new PrintStream(listed, true, StandardCharsets.UTF_8)); // JMH's Runner prints to System.out
            run = CliRun.of("jmh", "-l");
        } finally {
            System.setOut(original);
        }

        assertThat(run.status()).isZero();
        assertThat(listed.toString(StandardCharsets.UTF_8)).contains("gemmcost.bench.jmh.GemmBenchmark.gemm",
                "gemmcost.bench.jmh.GemmBenchmark.launchSyncBaseline", "gemmcost.perf.GetTimeBenchmark.lookup");
    }

    @Test
    void shouldRefuseGemmBenchmarkWithoutAGpuWithTheProbesLineAndExit2() {
        CudaProbe.Result probe = CudaProbe.run((Path) null);
        assumeThat(probe.driverVersion()).as("skipped: this machine has a CUDA driver").isZero();

        CliRun run = CliRun.of("jmh", "GemmBenchmark", "-p", "shape=64x64x64");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("gemmcost: " + probe.problem().orElseThrow() + System.lineSeparator());
    }

    @Test
    void badGemmBenchmarkParamsShouldBeRefusedInOneLineBeforeJmhForks() {
        String nl = System.lineSeparator();
        assertThat(CliRun.of("jmh", "GemmBenchmark", "-p", "dtype=bf16,fp8")).isEqualTo(new CliRun(2, "",
                "gemmcost: jmh -p dtype fp8: not a profile dtype yet (bf16, fp16, tf32, fp32)" + nl));
        assertThat(CliRun.of("jmh", "GemmBenchmark", "-p", "dtype=int3").err()).startsWith(
                "gemmcost: jmh -p dtype int3: unknown dtype (");
        assertThat(CliRun.of("jmh", "GemmBenchmark", "-p", "shape=64x64")).isEqualTo(new CliRun(2, "",
                "gemmcost: shape: expected m x k x n as in 8192x8192x8192, got '64x64'" + nl));
        assertThat(CliRun.of("jmh", "GemmBenchmark", "-p", "backend=cuda").status()).isEqualTo(2);
    }

    @Test
    void helpShouldBeThisCommandsUsageAsEveryCommandsIs() {
        CliRun run = CliRun.of("jmh", "--help");

        assertThat(run.status()).isZero();
        assertThat(run.out()).startsWith("Run JMH on this jar's benchmarks (GEMMs on a GPU, the analyzer's speed).")
                .contains("Every JMH option passes through (-h lists them)", "scripts/gemmcost jmh -l");
    }

    @Test
    void shouldNameABadJmhOption() {
        CliRun run = CliRun.of("jmh", "-zzz");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("gemmcost: jmh: z is not a recognized option" + System.lineSeparator());
    }

    @Test
    void shouldSelectBenchmarksAsJmhDoesWithIncludesAndExcludes() {
        String gemm = "gemmcost.bench.jmh.GemmBenchmark.gemm";
        String baseline = "gemmcost.bench.jmh.GemmBenchmark.launchSyncBaseline";
        String lookup = "gemmcost.perf.GetTimeBenchmark.lookup";

        assertThat(JmhCommand.selected(List.of(), List.of())).contains(gemm, baseline, lookup);
        assertThat(JmhCommand.selected(List.of("launchSync"), List.of())).containsExactly(baseline);
        assertThat(JmhCommand.selected(List.of(), List.of("Gemm"))).contains(lookup).doesNotContain(gemm, baseline);
        assertThat(JmhCommand.selected(List.of("NoSuchBench"), List.of())).isEmpty();
        assertThat(CliRun.of("jmh", "Gemm(")).isEqualTo(new CliRun(2, "", "gemmcost: jmh: 'Gemm(' is not a regular"
                + " expression: Unclosed group" + System.lineSeparator()));
    }

    @Test
    void shouldRefuseASelectionThatMatchesNoBenchmarkBeforeRunningJmh() {
        CliRun run = CliRun.of("jmh", "NoSuchBench", "-f", "1");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("gemmcost: jmh: no benchmark matched [NoSuchBench] (scripts/gemmcost jmh -l"
                + " lists them)" + System.lineSeparator());
    }
}
