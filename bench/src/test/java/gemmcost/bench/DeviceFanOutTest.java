package gemmcost.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import gemmcost.cli.CliRun;
import gemmcost.cuda.CudaProbe;
import gemmcost.table.GemmShape;
import gemmcost.table.Profile;
import gemmcost.table.ProfileEntry;
import gemmcost.table.ProfileJson;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceFanOutTest {
    @TempDir
    Path dir;

    @Test
    void shouldParseOrdinalsListsAndAll() {
        assertThat(DeviceFanOut.parse("all", 4)).containsExactly(0, 1, 2, 3);
        assertThat(DeviceFanOut.parse("0,2", 4)).containsExactly(0, 2);
        assertThatThrownBy(() -> DeviceFanOut.parse("0,x", 4))
                .hasMessage("--devices: expected N, N,M,... or all, got '0,x'");
        assertThatThrownBy(() -> DeviceFanOut.parse("4", 4)).hasMessage("--devices: no device 4 (4 visible)");
        assertThatThrownBy(() -> DeviceFanOut.parse("0,1,0", 4)).hasMessage("--devices: device 0 named twice in"
                + " '0,1,0'");
    }

    @Test
    void shouldReplaceAnOptionInBothSpellings() {
        assertThat(DeviceFanOut.withOption(List.of("profile", "--devices", "all", "--out=p", "--dtype", "bf16"), "--out",
                "p/per-gpu/gpu1")).containsExactly("profile", "--devices", "all", "--dtype", "bf16", "--out",
                "p/per-gpu/gpu1");
    }

    @Test
    void shouldRunOneRealChildProcessPerEntryInParallelWithItsOwnLogAndExitCode() throws Exception {
        StringWriter err = new StringWriter();
        List<Path> logs = List.of(dir.resolve("gpu0/profile.log"), dir.resolve("gpu1/profile.log"));

        List<Integer> codes = DeviceFanOut.runChildren(List.of(
                new DeviceFanOut.Child(List.of("shapes", "--set", "seed"), logs.get(0), null),
                new DeviceFanOut.Child(List.of("shapes", "--set", dir.resolve("missing.csv").toString()), logs.get(1),
                        "GPU-5a7d1e00-0000-4000-8000-000000000001")), new PrintWriter(err));

        assertThat(codes).containsExactly(0, 2);
        assertThat(Files.readString(logs.get(0))).startsWith("m,k,n");
        assertThat(Files.readString(logs.get(1))).contains("missing.csv: neither a shape set");
        assertThat(err.toString()).contains("started: gemmcost shapes --set seed (log: " + logs.get(0) + ")")
                .contains("started: CUDA_VISIBLE_DEVICES=GPU-5a7d1e00-0000-4000-8000-000000000001 gemmcost shapes");
    }

    @Test
    void shouldMergeTheTablesOfEachGpuModelAndDtype() {
        Path perGpu = dir.resolve("per-gpu");
        table(perGpu.resolve("gpu0/h100/bf16.json"), 10);
        table(perGpu.resolve("gpu1/h100/bf16.json"), 14);
        table(perGpu.resolve("gpu1/h100/fp16.json"), 9);
        // an earlier run's: a GPU this run did not profile, and a dtype it did not ask for
        table(perGpu.resolve("gpu2/h100/bf16.json"), 1000);
        table(perGpu.resolve("gpu0/h100/tf32.json"), 1000);

        List<Path> written = DeviceFanOut.mergePerModel(List.of(perGpu.resolve("gpu0"), perGpu.resolve("gpu1")),
                Set.of("bf16", "fp16"), dir);

        assertThat(written).containsExactly(dir.resolve("h100/bf16.json"), dir.resolve("h100/fp16.json"));
        assertThat(ProfileJson.read(dir.resolve("h100/bf16.json")).entries().getFirst().timeUs()).isEqualTo(12.0);
        assertThat(ProfileJson.read(dir.resolve("h100/fp16.json")).entries().getFirst().timeUs()).isEqualTo(9.0);
    }

    @Test
    void devicesAllWithoutAGpuShouldExit2WithTheProbesLine() {
        CudaProbe.Result probe = CudaProbe.run((Path) null);
        assumeThat(probe.available()).as("skipped: this machine has a usable GPU").isFalse();

        CliRun run = CliRun.of("profile", "--devices", "all", "--out", dir.toString());

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).endsWith("gemmcost: " + probe.problem().orElseThrow() + System.lineSeparator());
    }

    private static void table(Path file, double timeUs) {
        ProfileJson.write(file, new Profile(Profile.Device.named("NVIDIA H100 80GB HBM3", "h100-sxm"),
                Profile.Host.UNKNOWN, Profile.Timing.UNKNOWN, file.getFileName().toString().replace(".json", ""),
                "fp32", new Profile.Provenance(Profile.Kind.MEASURED, null, "0.1.0", null,
                Instant.parse("2026-11-24T00:00:00Z")), List.of(new ProfileEntry(new GemmShape(8, 8, 8), timeUs, 5))));
    }
}
