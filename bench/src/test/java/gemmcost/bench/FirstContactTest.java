package gemmcost.bench;

import static org.assertj.core.api.Assertions.assertThat;

import gemmcost.table.Profile;
import gemmcost.table.ProfileJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/gpu/first-contact.sh} dry-run end to end on the CUDA stand-in (seed shapes, sampling shrunk): every
 * stage runs or says why not, the summary comes last, and every table it makes says {@code simulated}.
 */
class FirstContactTest {
    @TempDir
    Path dir;

    @Test
    void theGpuRunShouldDryRunOnTheStandInStageByStage() throws Exception {
        Path libs = CudaStandin.libraries();
        Path gemmcost = dir.resolve("gemmcost");
        Files.writeString(gemmcost, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' --enable-native-access=ALL-UNNAMED -cp '" + System.getProperty("java.class.path")
                + "' gemmcost.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(gemmcost, PosixFilePermissions.fromString("rwx------"));
        Path out = dir.resolve("out");
        ProcessBuilder builder = new ProcessBuilder("bash",
                CudaStandin.repositoryRoot().resolve("scripts/gpu/first-contact.sh").toString(), "--budget-s", "400")
                .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).directory(dir.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("CUDA_"));
        builder.environment().putAll(java.util.Map.of("OUT", out.toString(), "GEMMCOST", gemmcost.toString(),
                "GEMMCOST_CUDA_LIB_DIR", libs.toString(), "GEMMCOST_FIRST_CONTACT_SHAPES", "seed",
                "GEMMCOST_PROFILE_OPTS", "--device-warmup-s 0 --warmup-ms 1e-6 --min-samples 3 --min-time-s 0"
                        + " --timeout-s 2"));
        Process p = builder.start();
        boolean ended = p.waitFor(420, TimeUnit.SECONDS);
        if (!ended)
            p.destroyForcibly();
        String output = Files.readString(dir.resolve("log"));
        assertThat(ended).as("the dry run ends within 420 s\n" + output).isTrue();

        assertThat(p.exitValue()).as(output).isZero();
        List<String> summary = Files.readAllLines(out.resolve("summary"));
        assertThat(summary.getFirst()).startsWith("stage");
        for (String stage : List.of("probe", "check", "sweep", "torch", "offgrid", "validate", "claim", "moe")) {
            assertThat(summary).as(output).anySatisfy(line -> assertThat(line).startsWith(stage).contains(" ok "));
        }
        assertThat(output).endsWith(String.join("\n", summary) + "\n");
        assertThat(summary).contains("results:")
                .anySatisfy(line -> assertThat(line).startsWith("  memory bandwidth: 3350 GB/s simulated"))
                .anySatisfy(line -> assertThat(line).startsWith("  absolute error: median "))
                .anySatisfy(line -> assertThat(line).contains("DAG decode TPOT (m=1024), dense baseline"));
        assertThat(Files.readString(out.resolve("probe.log"))).contains("SIMULATED: gemmcost CUDA stand-in");
        assertThat(Files.readString(out.resolve("check.log"))).contains("bf16: relative Frobenius error")
                .contains("fp16: relative").contains("tf32: relative").contains("fp32: relative");
        assertThat(Files.readString(out.resolve("torch.log"))).startsWith("torch_compare: skipped: ");
        assertThat(Files.readString(out.resolve("moe.log"))).startsWith("moe_prefill: skipped: ");
        assertThat(summary).anySatisfy(line -> assertThat(line).startsWith("  moe_prefill: skipped: "));
        Path table = Files.list(out.resolve("profiles")).map(d -> d.resolve("bf16.json")).filter(Files::exists)
                .findFirst().orElseThrow();
        assertThat(ProfileJson.read(table).provenance().kind()).isEqualTo(Profile.Kind.SIMULATED);
        assertThat(ProfileJson.read(table).entries()).hasSize(15);
        // the stand-in is in no device catalog: check-claim costs memory-bound ops with the table's own bandwidth
        assertThat(Files.readString(out.resolve("claim.log"))).contains("GEMM times simulated")
                .contains("memory-bound times simulated");
    }

    /** Review: a budget of 1e3 or 540.0 had run no stage, every time box failing its integer arithmetic, and exit 0. */
    @Test
    void aBudgetThatIsNoWholeNumberOfSecondsShouldBeRefusedBeforeAnyStage() throws Exception {
        for (String budget : List.of("1e3", "540.0", "0", "abc")) {
            Process p = new ProcessBuilder("bash", CudaStandin.repositoryRoot().resolve("scripts/gpu/first-contact.sh")
                    .toString(), "--budget-s", budget).redirectErrorStream(true).directory(dir.toFile()).start();
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes());

            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(2);
            assertThat(output).isEqualTo("first-contact: --budget-s " + budget + ": must be a whole number of seconds"
                    + " >= 1\n");
        }
        assertThat(dir.resolve("first-contact")).doesNotExist();
    }
}
