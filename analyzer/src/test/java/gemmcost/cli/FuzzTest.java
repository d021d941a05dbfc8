package gemmcost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutates the shipped example files (deployment configs, a JSON DAG, a DOT DAG, a profile), a HuggingFace config
 * (read by {@code model} and {@code predict}), measured serving runs and nccl-tests rows with a fixed seed ({@code -Dgemmcost.fuzz.seed=N -Dgemmcost.fuzz.mutants=M} for a longer
 * campaign) and runs the commands that read them: every run must end within {@value #LIMIT_S} s with exit 0 and no NaN or
 * Infinity in its output, or exit 2 with exactly one line; never an internal error, a stack trace or a hang. The
 * counts are printed, so a run says how much it tried.
 */
class FuzzTest {
    private static final long SEED = Long.getLong("gemmcost.fuzz.seed", 20261130L);
    private static final int MUTANTS_PER_FILE = Integer.getInteger("gemmcost.fuzz.mutants", 100);
    private static final int LIMIT_S = 20;
    private static final ExecutorService RUNNER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fuzz");
        t.setDaemon(true);
        return t;
    });
    private static final String[] NASTY = {"0", "-1", "1e308", "-1e308", "2147483648", "9223372036854775808",
        "99999999999999999999", "NaN", "\"x\"", "null", "[]", "{}", "1.5", "\"\"", "true", "4611686018427387904"};

    @TempDir
    Path dir;

    @AfterAll
    static void stop() {
        RUNNER.shutdownNow();
    }

    private static final String DOT = """
            digraph g {
              a [label="q_proj\\nInput: [batch=8, seq=1, hidden=4096]\\nOutput: [batch=8, seq=1, out=4096]\\nGPU: 0-3"];
              b [label="all_reduce\\nInput: [batch=8, seq=1, hidden=4096]\\nGPU: 0-3"];
              c [label="kv_read\\nData: [batch=8, seq=2048, kv=1024]\\nGPU: 4"];
              a -> b; b -> c;
            }
            """;

    /** A small DeepSeek-V3-shaped HuggingFace config: MLA, a dense first layer, routed and shared experts, fp8 blocks. */
    private static final String HF_CONFIG = """
            {"architectures": ["DeepseekV3ForCausalLM"], "hidden_size": 256, "num_hidden_layers": 3,
             "num_attention_heads": 8, "num_key_value_heads": 8, "q_lora_rank": 64, "kv_lora_rank": 32,
             "qk_nope_head_dim": 16, "qk_rope_head_dim": 8, "v_head_dim": 16, "intermediate_size": 512,
             "moe_intermediate_size": 64, "n_routed_experts": 16, "n_shared_experts": 1, "num_experts_per_tok": 4,
             "first_k_dense_replace": 1, "moe_layer_freq": 1, "vocab_size": 1000, "hidden_act": "silu",
             "tie_word_embeddings": false, "torch_dtype": "bfloat16",
             "quantization_config": {"quant_method": "fp8", "weight_block_size": [128, 128]}}
            """;

    /** Two measured serving runs of the example config (one aggregated, one disaggregated) in silicon.csv columns. */
    private static final String SILICON = gemmcost.silicon.SiliconCsv.HEADER + "\n"
            + "a,silicon_concurrency=8,trtllm,1,org/small,h200_sxm,,agg,512,64,,,8,1,1,1,1,1,,,,,,,,,,,,,,,50.5,2.25\n"
            + "b,x,vllm,1,org/small,h200_sxm,,disagg,1024,128,,,,,,,,,1,2,1,1,1,1,1,16,1,2,1,1,1,1,80.5,3.5\n";

    /** A few bf16 GEMMs of an H200, in the neutral CSV. */
    private static final String GEMM = """
            source,gpu,dtype,m,n,k,time_us,notes
            t,H200_SXM,bf16,1,4096,4096,20,
            t,H200_SXM,bf16,64,4096,4096,22,
            t,H200_SXM,bf16,4096,4096,4096,160,
            """;

    /** nccl-tests rows in the CSV check-comm reads. */
    private static final String NCCL = """
            gpu,nccl_version,collective,dtype,num_gpus,message_elements,time_us
            H100_SXM,2.29.2,all_reduce,half,8,1048576,25.4
            H100_SXM,2.29.2,all_gather,int8,4,512,7.07
            H100_SXM,2.29.2,alltoall,half,2,268435456,958.87
            H100_SXM,2.29.2,reduce_scatter,half,8,33554432,200.75
            """;

    @Test
    void mutatedInputsShouldEndInAnAnswerOrOneLine() throws Exception {
        SplittableRandom random = new SplittableRandom(SEED);
        int[] counts = new int[3]; // runs, exit 0, exit 2
        fuzz(random, counts, Files.readString(Path.of("../examples/seed-ma-separation.json")), "ma.json",
                f -> List.of("analyze", "--config", f.toString()));
        fuzz(random, counts, Files.readString(Path.of("../examples/seed-baseline-tp8pp2.json")), "tp.json",
                f -> List.of("check-claim", "--baseline", f.toString()));
        fuzz(random, counts, Files.readString(Path.of("../examples/diamond.json")), "dag.json",
                f -> List.of("critical-path", "--dag", f.toString(), "--json"));
        fuzz(random, counts, Files.readString(Path.of("src/test/resources/golden/profile-v1.json")), "profile.json",
                f -> List.of("get-time", "--profile", f.toString(), "1000", "4000", "3000"));
        fuzz(random, counts, HF_CONFIG, "config.json", f -> List.of("model", "--json", f.toString()));
        fuzz(random, counts, HF_CONFIG, "predict.json", f -> List.of("predict", "--model", f.toString(), "--gpu", "h200",
                "--tp", "8", "--ep", "8", "--dp", "8", "--concurrency", "64", "--isl", "512", "--osl", "64", "--json"));
        fuzz(random, counts, NCCL, "nccl.csv", f -> List.of("check-comm", "--nccl", f.toString()));
        Path configs = Files.createDirectories(dir.resolve("configs"));
        Files.copy(Path.of("../examples/small-llama.config.json"), configs.resolve("org--small.config.json"));
        Path gemm = Files.writeString(dir.resolve("gemm.csv"), GEMM);
        fuzz(random, counts, SILICON, "silicon.csv", f -> List.of("validate-serving", "--against", f.toString(),
                "--model-dir", configs.toString(), "--gemm-csv", gemm.toString(), "--json"));
        if (graphvizPresent())
            fuzz(random, counts, DOT, "g.dot", f -> List.of("critical-path", "--dag", f.toString()));
        System.out.printf("fuzz: %d runs, %d answered (exit 0), %d refused with one line (exit 2)%n", counts[0],
                counts[1], counts[2]);
        assertThat(counts[1]).as("some mutants still answered").isPositive();
        assertThat(counts[2]).as("some mutants were refused").isPositive();
    }

    private void fuzz(SplittableRandom random, int[] counts, String original, String name,
                      Function<Path, List<String>> command) throws Exception {
        CliRun unmutated = runWithin(command.apply(Files.writeString(dir.resolve(name), original, StandardCharsets.UTF_8)));
        assertThat(unmutated.status()).as("the unmutated " + name + " answers: " + unmutated).isZero();
        for (int i = 0; i < MUTANTS_PER_FILE; i++) {
            String mutant = mutate(random, original);
            Path file = Files.writeString(dir.resolve(name), mutant, StandardCharsets.UTF_8);
            List<String> args = command.apply(file);
            CliRun run = runWithin(args);
            String what = String.join(" ", args) + " on mutant " + i + ":\n" + mutant + "\n--> " + run;
            assertThat(run.status()).as(what).isIn(0, 2);
            if (run.status() == 0) {
                for (String word : List.of("NaN", "Infinity"))
                    if (!mutant.contains(word)) // else it may be the input's own text echoed (a name)
                        assertThat(run.out()).as(what).doesNotContain(word);
            } else {
                assertThat(run.err().lines().count()).as(what).isEqualTo(1);
                assertThat(run.err()).as(what).startsWith("gemmcost: ").doesNotContain("Exception");
            }
            counts[0]++;
            counts[run.status() == 0 ? 1 : 2]++;
        }
    }

    private static CliRun runWithin(List<String> args) throws InterruptedException, ExecutionException {
        Future<CliRun> run = RUNNER.submit(() -> CliRun.of(args.toArray(String[]::new)));
        try {
            return run.get(LIMIT_S, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            run.cancel(true);
            throw new AssertionError("ran over " + Duration.ofSeconds(LIMIT_S) + ": " + String.join(" ", args));
        }
    }

    /** One to three edits: a nasty value for a number, a deleted or duplicated span, a flipped character, a cut. */
    static String mutate(SplittableRandom random, String text) {
        String s = text;
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && !s.isEmpty(); e++) {
            int at = random.nextInt(s.length());
            switch (random.nextInt(8)) {
                case 0, 5, 6, 7 -> s = replaceNumberNear(s, at, NASTY[random.nextInt(NASTY.length)]);
                case 1 -> s = s.substring(0, at) + s.substring(Math.min(s.length(), at + 1 + random.nextInt(20)));
                case 2 -> {
                    int end = Math.min(s.length(), at + 1 + random.nextInt(40));
                    s = s.substring(0, end) + s.substring(at, end) + s.substring(end);
                }
                case 3 -> s = s.substring(0, at) + (char) (32 + random.nextInt(95)) + s.substring(at + 1);
                default -> s = s.substring(0, at);
            }
        }
        return s;
    }

    private static String replaceNumberNear(String s, int at, String value) {
        int start = at;
        while (start < s.length() && !Character.isDigit(s.charAt(start)))
            start++;
        if (start == s.length())
            return s;
        int end = start;
        while (end < s.length() && (Character.isDigit(s.charAt(end)) || s.charAt(end) == '.'))
            end++;
        return s.substring(0, start) + value + s.substring(end);
    }

    private static boolean graphvizPresent() {
        List<String> found = new ArrayList<>();
        for (String dir : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"))
            if (Files.exists(Path.of(dir, "libcgraph.so.6")))
                found.add(dir);
        return !found.isEmpty();
    }
}
