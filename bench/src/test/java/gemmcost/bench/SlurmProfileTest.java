package gemmcost.bench;

import static org.assertj.core.api.Assertions.assertThat;

import gemmcost.table.Profile;
import gemmcost.table.ProfileJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/slurm/profile.sbatch} run by a real slurmctld and slurmd ({@code scripts/slurm/local-cluster.sh}, one
 * node with a 2-GPU {@code gpu} GRES), on the CUDA stand-in with two devices: the job's log, the node's tables, the
 * merge. Every time here is simulated. Skipped with a message where Slurm is not installed or does not start.
 */
class SlurmProfileTest {
    private static final String SLUG = "gemmcost-cuda-stand-in-simulated-not-a-gpu";

    @TempDir
    Path dir;

    @Test
    void theProfileScriptShouldRunOnALocalSlurmClusterAndAFailedNodeShouldFailTheJob() throws Exception {
        Path libs = CudaStandin.libraries();
        for (String tool : List.of("munged", "slurmctld", "slurmd", "sbatch", "scontrol")) {
            Assumptions.assumeTrue(onPath(tool), "skipped: " + tool + " not found (scripts/test installs the Debian"
                    + " packages slurmctld, slurmd, slurm-client and munge)");
        }
        Path cluster = dir.resolve("cluster");
        Run started = run(List.of(script("local-cluster.sh"), "start", cluster.toString(), "2"), Map.of());
        try {
            Assumptions.assumeTrue(started.status == 0, "skipped: the local Slurm cluster did not start: " + started);
            Map<String, String> env = Map.of("SLURM_CONF", cluster.resolve("etc/slurm.conf").toString(),
                    "CUDA_STANDIN_DEVICES", "2", "GEMMCOST", launcher().toString(),
                    "GEMMCOST_OUT", dir.resolve("profiles").toString());
            Files.writeString(dir.resolve("shapes.csv"), "m,k,n\n1024,1024,1024\n2048,1024,512\n");

            Run job = run(sbatch(libs, "bf16"), env);

            assertThat(job.status).as(job + jobLogs()).isZero();
            String host = Files.readString(cluster.resolve("etc/gres.conf")).split("[ =]")[1];
            Path nodeLog = dir.resolve("profiles/per-node/" + host + "/profile.log");
            assertThat(jobLogs()).contains("node " + host + ": done; its log: " + nodeLog)
                    .contains("merged tables: " + SLUG + "/bf16.json");
            Path node = dir.resolve("profiles/per-node").resolve(host);
            // Slurm gave the node's step both GPUs of the GRES and said so in CUDA_VISIBLE_DEVICES
            assertThat(Files.readString(node.resolve("profile.log")))
                    .startsWith("node " + host + ": GPUs allocated: 2, CUDA_VISIBLE_DEVICES=0,1");
            for (String gpu : List.of("gpu0", "gpu1")) {
                assertThat(node.resolve("per-gpu").resolve(gpu).resolve(SLUG).resolve("bf16.json")).isRegularFile();
            }
            Profile merged = ProfileJson.read(dir.resolve("profiles").resolve(SLUG).resolve("bf16.json"));
            assertThat(merged.provenance().kind()).isEqualTo(Profile.Kind.SIMULATED);
            assertThat(merged.entries()).hasSize(2)
                    .allSatisfy(e -> assertThat(e.flagTexts()).contains("merged_gpus=2"));

            // a table an earlier run left (a GPU this node no longer has) is not this job's: not merged
            Path leftover = node.resolve("per-gpu/gpu7").resolve(SLUG);
            Files.createDirectories(leftover);
            Files.copy(node.resolve("per-gpu/gpu0").resolve(SLUG).resolve("bf16.json"), leftover.resolve("bf16.json"));
            Run again = run(sbatch(libs, "bf16"), env);
            assertThat(again.status).as(again + jobLogs()).isZero();
            assertThat(ProfileJson.read(dir.resolve("profiles").resolve(SLUG).resolve("bf16.json")).entries())
                    .allSatisfy(e -> assertThat(e.flagTexts()).contains("merged_gpus=2"));

            Run failed = run(sbatch(libs, "fp9"), env);

            assertThat(failed.status).as(failed.toString()).isNotZero();
            assertThat(jobLogs()).contains("node " + host + ": profile failed; its log: "
                    + node.resolve("profile.log")).contains("gemmcost: --dtype fp9: unknown dtype");

            // stop ends exactly the three daemons start started, found by their pid files
            assertThat(run(List.of(script("local-cluster.sh"), "stop", cluster.toString()), Map.of()).output)
                    .isEqualTo("local cluster stopped (3 daemons)\n");
            assertThat(run(List.of(script("local-cluster.sh"), "status", cluster.toString()), Map.of()))
                    .isEqualTo(new Run(1, "munged: not running\nslurmctld: not running\nslurmd: not running\n"));
        } finally {
            run(List.of(script("local-cluster.sh"), "stop", cluster.toString()), Map.of());
        }
    }

    private List<String> sbatch(Path libs, String dtype) {
        return List.of("sbatch", "--wait", "--nodes=1", "--gpus-per-node=2", script("profile.sbatch"), "--backend",
                "ffm", "--cuda-lib-dir", libs.toString(), "--shapes", dir.resolve("shapes.csv").toString(), "--dtype",
                dtype, "--lock-dir", dir.toString(), "--device-warmup-s", "0", "--warmup-ms", "1e-6",
                "--min-samples", "3", "--min-time-s", "0", "--timeout-s", "5");
    }

    /** Every job's log (the script's {@code --output}, in the directory sbatch ran in). */
    private String jobLogs() throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path log : files.filter(f -> f.getFileName().toString().startsWith("gemmcost-profile-")).sorted()
                    .toList()) {
                all.append(Files.readString(log));
            }
        }
        return all.toString();
    }

    /** gemmcost as this test's JVM runs it, for the job's steps. */
    private Path launcher() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path launcher = dir.resolve("gemmcost");
        Files.writeString(launcher, "#!/bin/sh\nexec '" + java + "' --enable-native-access=ALL-UNNAMED -cp '"
                + System.getProperty("java.class.path") + "' gemmcost.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        return launcher;
    }

    private static String script(String name) {
        return CudaStandin.repositoryRoot().resolve("scripts/slurm").resolve(name).toString();
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool));
    }

    private record Run(int status, String output) {
        @Override
        public String toString() {
            return "exit " + status + ": " + output;
        }
    }

    private Run run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile())
                .redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("CUDA_") || k.startsWith("SLURM_"));
        builder.environment().putAll(env);
        String path = builder.environment().getOrDefault("PATH", "/usr/bin:/bin");
        builder.environment().put("PATH", path + ":/usr/sbin:/sbin");
        Path log = Files.createTempFile("slurm-run", ".log"); // a file, not a pipe: waitFor's limit can then fire
        builder.redirectOutput(log.toFile());
        Process p = builder.start();
        boolean ended = p.waitFor(120, TimeUnit.SECONDS);
        if (!ended)
            p.destroyForcibly().waitFor();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        if (!ended)
            throw new AssertionError(command + " ran over 120 s: " + output);
        return new Run(p.exitValue(), output);
    }
}
