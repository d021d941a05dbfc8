package gemmcost.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gemmcost.SharedData;
import gemmcost.deploy.MemoryFootprint;
import gemmcost.device.DeviceCatalog;
import gemmcost.model.hf.Architecture;
import gemmcost.model.hf.HfConfigReader;
import gemmcost.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictCommandTest {
    private static final String NL = System.lineSeparator();
    private static final String SMALL_LLAMA = "../examples/small-llama.config.json";

    /**
     * Seals the {@code predict --json} format and its numbers for the example dense config on the H100 roofline,
     * byte for byte; rerun with {@code -Dgemmcost.golden.update=true} after an intended change and read the diff.
     */
    @Test
    void theExampleConfigsJsonShouldBeTheGoldenOne() throws IOException {
        CliRun run = CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--concurrency", "16", "--isl",
                "512", "--osl", "128", "--json");

        assertThat(run.status()).as(run.err()).isZero();
        Path golden = Path.of("src/test/resources/golden/predict-small-llama.json");
        String output = run.out().replace("../examples/", "examples/");
        if (Boolean.getBoolean("gemmcost.golden.update"))
            Files.writeString(golden, output, StandardCharsets.UTF_8);
        assertThat(output).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.get("labels").toString()).isEqualTo("[\"modeled\"]");
        assertThat(json.get("tpot_ms").asDouble()).isPositive();
        // each step's numbers carry their labels, as the text output's do
        assertThat(json.at("/decode_step/labels").toString()).isEqualTo("[\"modeled\"]");
        assertThat(json.at("/prefill_step/critical_path_labels").toString()).isEqualTo("[\"modeled\"]");
    }

    /**
     * With pipeline stages the page's schedule starts both micro-batches on idle GPUs (fill and drain), longer than
     * the steady-state step the text predicts: the page heads each plan with the text's T_d and T_p and says what its
     * makespan adds, where it had called that makespan the TPOT.
     */
    @Test
    void theHtmlPageShouldShowTheStepsThePredictionUses(@TempDir Path dir) throws IOException {
        Path page = dir.resolve("p.html");
        CliRun run = CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--pp", "2", "--concurrency",
                "16", "--isl", "512", "--osl", "128", "--html", page.toString());

        assertThat(run.status()).as(run.err()).isZero();
        String decode = run.out().lines().filter(l -> l.startsWith("decode step (T_d): ")).findFirst().orElseThrow()
                .substring("decode step (T_d): ".length()).replace(" [modeled]", "").replace(" us", " µs")
                .replace("'", "&#39;");
        String html = Files.readString(page, StandardCharsets.UTF_8);
        assertThat(html).contains("<b>T_d " + decode + " [modeled]</b>: the step in steady state. The schedule below"
                + " starts every micro-batch&#39;s step on idle GPUs, so its makespan, ")
                .doesNotContain("TPOT (makespan of one decode step)");
        String stepMs = decode.substring(0, decode.indexOf(" µs"));
        assertThat(html).contains("<td>T_d</td><td>" + String.format(java.util.Locale.ROOT, "%.3f",
                Double.parseDouble(stepMs) / 1000) + "</td>");
        String tpotLine = run.out().lines().filter(l -> l.startsWith("TPOT ")).findFirst().orElseThrow();
        String tpotMs = tpotLine.replaceAll("^TPOT +([0-9.]+) ms.*", "$1");
        assertThat(html).contains("(the predicted TPOT, " + tpotMs + " ms [modeled], adds prefill stalls; TTFT ");
        // without stages the schedule's makespan is the step: nothing to add
        CliRun flat = CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--concurrency", "16", "--isl",
                "512", "--osl", "128", "--html", page.toString());
        assertThat(flat.status()).as(flat.err()).isZero();
        assertThat(Files.readString(page, StandardCharsets.UTF_8)).contains("</b>: the step, the schedule&#39;s"
                + " makespan below").doesNotContain("fill and drain");
        // one request at a time: no other prompt stalls its decode steps, so the TPOT is T_d itself
        CliRun alone = CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--concurrency", "1", "--isl",
                "512", "--osl", "128", "--html", page.toString());
        assertThat(alone.status()).as(alone.err()).isZero();
        assertThat(Files.readString(page, StandardCharsets.UTF_8)).contains(" ms [modeled]; TTFT ")
                .doesNotContain("adds prefill stalls");
    }

    @Test
    void theStepBudgetShouldSetThePromptsPrefilledTogether() throws IOException {
        JsonNode byDefault = predictJson("--gpu", "h100-sxm", "--concurrency", "16", "--isl", "512");
        JsonNode small = predictJson("--gpu", "h100-sxm", "--concurrency", "16", "--isl", "512", "--step-tokens",
                "1024");

        // 8,192 / 512 = 16 prompts a step (all 16 requests), 1,024 / 512 = 2
        assertThat(byDefault.get("prefill_batch").asInt()).isEqualTo(16);
        assertThat(small.get("prefill_batch").asInt()).isEqualTo(2);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--step-tokens", "0",
                "--concurrency", "1", "--isl", "8", "--osl", "8").err()).isEqualTo("gemmcost: --step-tokens 0: must be"
                + " >= 1" + NL);
    }

    @Test
    void anEngineShouldSetItsStepBudgetOnTheGpuAndTheKvCacheASequenceHolds() throws IOException {
        JsonNode sglang = predictJson("--gpu", "b200", "--engine", "sglang", "--concurrency", "64", "--isl", "512");
        JsonNode trtllm = predictJson("--gpu", "b200", "--engine", "trtllm", "--concurrency", "64", "--isl", "512");
        JsonNode given = predictJson("--gpu", "b200", "--engine", "sglang", "--step-tokens", "4096", "--concurrency",
                "64", "--isl", "512");

        // SGLang's chunk on a GPU of 160 GiB or more is 16,384 tokens: 32 prompts of 512 a step; TensorRT-LLM's 16
        assertThat(sglang.get("engine").asText()).isEqualTo("sglang");
        assertThat(sglang.get("step_tokens").asInt()).isEqualTo(16384);
        assertThat(sglang.get("prefill_batch").asInt()).isEqualTo(32);
        assertThat(trtllm.get("prefill_batch").asInt()).isEqualTo(16);
        assertThat(given.get("prefill_batch").asInt()).isEqualTo(8);
        // 64 sequences: TensorRT-LLM reserves 512 + 128 tokens each, SGLang holds 512 + 64 on average
        assertThat(trtllm.get("kv_bytes_per_gpu").asLong() * 576)
                .isEqualTo(sglang.get("kv_bytes_per_gpu").asLong() * 640);
        // in disagg the budget is the prefill workers': SGLang's 16,384 on a B200, over their 2 attention replicas
        assertThat(predictJson("--gpu", "b200", "--engine", "sglang", "--mode", "disagg", "--concurrency", "64",
                "--isl", "512", "--prefill-tp", "2", "--prefill-dp", "2").get("step_tokens").asInt()).isEqualTo(8192);
        // SGLang on H100 (80 GiB) keeps 8,192, and divides it among attention replicas: 4 of 2,048 each
        assertThat(predictJson("--gpu", "h100-sxm", "--engine", "sglang", "--concurrency", "64", "--isl", "512")
                .get("step_tokens").asInt()).isEqualTo(8192);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--engine", "sglang", "--tp", "4",
                "--dp", "4", "--concurrency", "64", "--isl", "512", "--osl", "128").out().lines().skip(1).findFirst())
                .contains("agg, concurrency 64, isl 512, osl 128, KV cache bf16, engine sglang, prefill steps of up to"
                        + " 2048 prompt tokens per attention replica");
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--concurrency", "64", "--isl",
                "512", "--osl", "128").out().lines().skip(1).findFirst())
                .contains("agg, concurrency 64, isl 512, osl 128, KV cache bf16, engine trtllm (default), prefill steps"
                        + " of up to 8192 prompt tokens per attention replica");
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "b200", "--engine", "tgi", "--concurrency",
                "1", "--isl", "8", "--osl", "8").err()).isEqualTo("gemmcost: Invalid value for option '--engine': tgi:"
                + " must be trtllm, vllm or sglang (usage: gemmcost predict --help)" + NL);
    }

    @Test
    void roundsShouldWeighTheBurstAndSglangShouldServeInWaves() throws IOException {
        JsonNode steady = predictJson("--gpu", "h100-sxm", "--concurrency", "64", "--isl", "2048", "--rounds", "0");
        JsonNode twenty = predictJson("--gpu", "h100-sxm", "--concurrency", "64", "--isl", "2048");
        JsonNode sglang = predictJson("--gpu", "h100-sxm", "--concurrency", "64", "--isl", "2048", "--engine",
                "sglang");

        // 8,192 / 2,048 = 4 prompts a step: 64 requests at once take 16 steps, a mean of 8.5
        double tpUs = steady.at("/prefill_step/step_us").asDouble();
        double steadyUs = steady.at("/start/steady_ttft_us").asDouble();
        assertThat(twenty.at("/start/burst_ttft_us").asDouble()).isCloseTo(8.5 * tpUs, within(1e-6));
        assertThat(twenty.at("/start/burst_steps").asInt()).isEqualTo(16);
        assertThat(steady.at("/start/weighs").asText()).isEqualTo("none");
        assertThat(twenty.at("/start/weighs").asText()).isEqualTo("first_round");
        assertThat(sglang.at("/start/weighs").asText()).isEqualTo("every_round");
        assertThat(steady.at("/start/rounds").asInt()).isZero();
        assertThat(twenty.at("/start/rounds").asInt()).isEqualTo(20);
        assertThat(twenty.at("/start/labels")).isEqualTo(twenty.get("labels"));
        // without --engine, TensorRT-LLM's defaults apply, and the JSON says whose
        assertThat(twenty.get("engine").asText()).isEqualTo("trtllm");
        assertThat(steady.get("ttft_ms").asDouble() * 1e3).isCloseTo(steadyUs, within(1e-6));
        assertThat(twenty.get("ttft_ms").asDouble() * 1e3).isCloseTo(steadyUs + (8.5 * tpUs - steadyUs) / 20,
                within(1e-6));
        assertThat(sglang.get("ttft_ms").asDouble() * 1e3).isCloseTo(8.5 * tpUs, within(1e-6));
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--rounds", "-1",
                "--concurrency", "1", "--isl", "8", "--osl", "8").err())
                .isEqualTo("gemmcost: --rounds -1: must be >= 0 (0: an endless run's steady state)" + NL);
    }

    @Test
    void vllmBefore014ShouldNotMakeANewRequestWaitForAStepScheduledAhead() throws IOException {
        String[] run = {"--gpu", "h100-sxm", "--concurrency", "64", "--isl", "2048", "--rounds", "0", "--engine",
            "vllm"};
        JsonNode current = predictJson(run);
        JsonNode before = predictJson(append(run, "--engine-version", "0.12.0"));
        JsonNode from = predictJson(append(run, "--engine-version", "v0.14.0"));

        // the steady arrival is (0.5 + ahead + mixed) T_d: one decode step less where no step is scheduled ahead
        double tdUs = current.at("/decode_step/step_us").asDouble();
        assertThat(current.get("arrival_us").asDouble() - before.get("arrival_us").asDouble())
                .isCloseTo(tdUs, within(1e-6));
        // the steady TTFT is T_p + the arrival + the queue
        double steadyUs = before.at("/prefill_step/step_us").asDouble() + before.get("arrival_us").asDouble()
                + before.get("queue_wait_us").asDouble();
        assertThat(before.at("/start/steady_ttft_us").asDouble()).isCloseTo(steadyUs, within(1e-6));
        assertThat(before.get("ttft_ms").asDouble()).isLessThan(current.get("ttft_ms").asDouble());
        assertThat(from.get("ttft_ms").asDouble()).isEqualTo(current.get("ttft_ms").asDouble());
        assertThat(before.get("tpot_ms").asDouble()).isEqualTo(current.get("tpot_ms").asDouble());
        assertThat(before.get("engine_version").asText()).isEqualTo("0.12.0");
        assertThat(current.get("engine_version").isNull()).isTrue();
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--engine", "vllm",
                "--engine-version", "0.12.0", "--concurrency", "1", "--isl", "8", "--osl", "8").out())
                .contains(", engine vllm 0.12.0, prefill steps of up to");
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--engine-version", "0.12.0",
                "--concurrency", "1", "--isl", "8", "--osl", "8").err())
                .isEqualTo("gemmcost: --engine-version 0.12.0: applies with --engine vllm only (the only engine whose"
                        + " modeled scheduling depends on its release)" + NL);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--engine", "vllm",
                "--engine-version", "0.1234567", "--concurrency", "1", "--isl", "8", "--osl", "8").err())
                .isEqualTo("gemmcost: --engine-version 0.1234567: not a release such as 0.12.0" + NL);
    }

    @Test
    void noOverlapSchedulerShouldTakeTheStepSetAheadOutOfANewRequestsWait() throws IOException {
        String[] run = {"--gpu", "h100-sxm", "--concurrency", "64", "--isl", "2048", "--rounds", "0"};
        JsonNode on = predictJson(run);
        JsonNode off = predictJson(append(run, "--no-overlap-scheduler"));

        // TensorRT-LLM's steady arrival: half the decode step it arrives in, the step set ahead, the mixed step's
        // decode work; without the overlap scheduler no step is set ahead
        double tdUs = on.at("/decode_step/step_us").asDouble();
        assertThat(on.get("arrival_us").asDouble()).isCloseTo(2.5 * tdUs, within(1e-6));
        assertThat(off.get("arrival_us").asDouble()).isCloseTo(1.5 * tdUs, within(1e-6));
        assertThat(off.get("tpot_ms").asDouble()).isEqualTo(on.get("tpot_ms").asDouble());
        assertThat(on.get("schedules_ahead").asBoolean()).isTrue();
        assertThat(off.get("schedules_ahead").asBoolean()).isFalse();
        // vLLM 0.12 schedules no step ahead, unless run with async scheduling: then as the current release
        JsonNode current = predictJson(append(run, "--engine", "vllm"));
        JsonNode old = predictJson(append(run, "--engine", "vllm", "--engine-version", "0.12.0"));
        JsonNode asyncOn = predictJson(append(run, "--engine", "vllm", "--engine-version", "0.12.0",
                "--overlap-scheduler"));
        double vllmTdUs = old.at("/decode_step/step_us").asDouble();
        assertThat(old.get("arrival_us").asDouble()).isCloseTo(1.5 * vllmTdUs, within(1e-6));
        assertThat(asyncOn.get("arrival_us").asDouble()).isCloseTo(2.5 * vllmTdUs, within(1e-6));
        assertThat(asyncOn.get("ttft_ms").asDouble()).isEqualTo(current.get("ttft_ms").asDouble());
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--no-overlap-scheduler",
                "--concurrency", "1", "--isl", "8", "--osl", "8").out())
                .contains(", engine trtllm (default), overlap scheduler off, prefill steps of up to");
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--mode", "disagg",
                "--no-overlap-scheduler", "--concurrency", "1", "--isl", "8", "--osl", "8").err())
                .isEqualTo("gemmcost: --no-overlap-scheduler: applies to --mode agg only (a disaggregated run's TTFT"
                        + " does not model the decode worker's steps)" + NL);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--engine", "sglang",
                "--no-overlap-scheduler", "--concurrency", "1", "--isl", "8", "--osl", "8").err())
                .isEqualTo("gemmcost: --no-overlap-scheduler: changes nothing with --engine sglang (its prefill waves"
                        + " start at idle workers and wait for no decode step)" + NL);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--pp", "2",
                "--overlap-scheduler", "--concurrency", "1", "--isl", "8", "--osl", "8").err())
                .isEqualTo("gemmcost: --overlap-scheduler: not with --pp 2 (the engines run pipeline stages without"
                        + " it)" + NL);
    }

    @Test
    void theTextShouldShowHowTheStartEntersTheTtft() {
        String[] plan = {"predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--concurrency", "64", "--isl",
                "2048", "--osl", "128"};
        String mixed = CliRun.of(plan).out();
        String endless = CliRun.of(append(plan, "--rounds", "0")).out();
        String waves = CliRun.of(append(plan, "--engine", "sglang")).out();

        assertThat(mixed).contains("steady TTFT = T_p + arrival + queue = ")
                .contains("TTFT = steady + (burst - steady) / rounds = ").contains("/ 20 ms: the first 64 requests"
                        + " arrive together [modeled]");
        assertThat(endless).contains("steady TTFT = T_p + arrival + queue = ").doesNotContain("(burst - steady)");
        assertThat(waves).contains("waves (prefills before decode steps): TTFT = T_p x the wave's mean step = ")
                .contains(" x 8.500 ms; TPOT = T_d + (G T_p - TTFT) / (osl - 1) = ").contains("/ 127 ms [modeled]")
                .doesNotContain("(burst - steady)");
        // through pipeline stages a prompt's first token comes L_p after its step starts, the steps T_p apart
        String pipelined = CliRun.of(append(plan, "--pp", "2")).out();
        String pipelinedWaves = CliRun.of(append(plan, "--pp", "2", "--engine", "sglang")).out();
        assertThat(pipelined).contains("  L_p = ").contains(" ms: a prompt's prefill through every stage (no engine"
                + " splits a prompt over micro-batches), the mean of a step's micro-batches; their steps follow T_p = ")
                .contains("steady TTFT = L_p + arrival + queue = ").doesNotContain("steady TTFT = T_p");
        assertThat(pipelinedWaves).contains("waves (prefills before decode steps): TTFT = L_p + T_p x (the wave's"
                + " mean step - 1) = ").contains(" x 7.500 ms; TPOT = T_d + (L_p + (G - 1) T_p - TTFT) / (osl - 1) = ");
        assertThat(mixed).doesNotContain("L_p");
    }

    /** Review: 8 workers at concurrency 4 are half idle, which output tokens/s/GPU counts; the line says so. */
    @Test
    void workersWithoutARequestShouldBeSaidSo() throws IOException {
        String[] plan = {"predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--concurrency", "4", "--isl", "64",
            "--osl", "8"};

        assertThat(CliRun.of(append(plan, "--decode-workers", "4")).out()).doesNotContain("idle:");
        assertThat(CliRun.of(append(plan, "--decode-workers", "8")).out()).contains(NL + "idle:      4 of the 8"
                + " workers hold no request at concurrency 4: output tokens/s/GPU counts their GPUs too" + NL);
        assertThat(CliRun.of(append(plan, "--mode", "disagg", "--decode-workers", "5", "--prefill-workers", "6")).out())
                .contains(NL + "idle:      1 of the 5 decode workers and 2 of the 6 prefill workers hold no request"
                        + " at concurrency 4: output tokens/s/GPU counts their GPUs too" + NL);
        assertThat(CliRun.of(append(plan, "--mode", "disagg", "--prefill-workers", "4")).out())
                .doesNotContain("idle:");
        assertThat(predictJson("--gpu", "h100-sxm", "--concurrency", "4", "--isl", "64", "--decode-workers", "8")
                .get("idle_workers").asInt()).isEqualTo(4);
        JsonNode disagg = predictJson("--gpu", "h100-sxm", "--concurrency", "4", "--isl", "64", "--mode", "disagg",
                "--decode-workers", "5", "--prefill-workers", "8");
        assertThat(disagg.get("idle_workers").asInt()).isEqualTo(1);
        assertThat(disagg.get("idle_prefill_workers").asInt()).isEqualTo(4);
    }

    /**
     * A disaggregated plan says what a prefill GPU holds beside what a decode GPU does: here the whole model on one
     * GPU, as {@code model} counts it, and the one prompt its step prefills, whole.
     */
    @Test
    void aDisaggregatedPlanShouldShowWhatItsPrefillGpusHold() throws IOException {
        JsonNode disagg = predictJson("--gpu", "h100-sxm", "--concurrency", "4", "--isl", "512", "--mode", "disagg",
                "--tp", "2", "--prefill-tp", "1");
        JsonNode model = new ObjectMapper().readTree(CliRun.of("model", SMALL_LLAMA, "--json").out());

        JsonNode kinds = disagg.get("bytes_by_gpu_kind");
        assertThat(kinds.findValuesAsText("gpu")).containsExactly("any", "prefill");
        assertThat(kinds.get(1).get("weight_bytes").asLong()).isEqualTo(model.get("weight_bytes").asLong());
        assertThat(kinds.get(1).get("kv_bytes").asLong())
                .isEqualTo(512 * model.get("kv_bytes_per_token_bf16").asLong());
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--osl", "128", "--gpu", "h100-sxm", "--concurrency",
                "4", "--isl", "512", "--mode", "disagg", "--tp", "2", "--prefill-tp", "1").out())
                .containsPattern("fits:      decode workers: [0-9.]+ GB of weights \\+ [0-9.]+ GB of KV cache per GPU;"
                        + " prefill workers \\(each prompt whole\\): 2\\.08 GB of weights \\+ 0\\.[0-9]+ GB of KV"
                        + " cache per GPU of the 77\\.31 GB an engine uses \\(modeled\\)");
        assertThat(predictJson("--gpu", "h100-sxm", "--concurrency", "4", "--isl", "512").get("bytes_by_gpu_kind")
                .findValuesAsText("gpu")).containsExactly("any");
    }

    /**
     * A model whose 2 layers slide a window of 64 tokens, disaggregated on 2 GPUs: a decode GPU holds each of its 4
     * sequences' window, but whole sequences with vLLM (its KV connector turns its hybrid KV-cache manager off), and
     * a prefill GPU its prompt whole with every engine.
     */
    @Test
    void aSlidingWindowsCacheShouldBeHeldAsEachEngineHoldsIt(@TempDir Path dir) throws IOException {
        Path mistral = Files.writeString(dir.resolve("windowed.config.json"), """
                {"architectures": ["MistralForCausalLM"], "hidden_size": 256, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 512, "vocab_size": 1000,
                 "sliding_window": 64}""");
        long perToken = new ObjectMapper().readTree(CliRun.of("model", mistral.toString(), "--json").out())
                .get("kv_bytes_per_token_bf16").asLong(); // both layers, 2 KV heads of 64, K and V
        assertThat(perToken).isEqualTo(2 * 2 * 2 * 64 * 2);
        List<String> plan = List.of("predict", "--model", mistral.toString(), "--gpu", "h100-sxm", "--concurrency",
                "4", "--isl", "512", "--osl", "128", "--mode", "disagg", "--json");

        for (String engine : List.of("trtllm", "sglang", "vllm")) {
            CliRun run = CliRun.of(append(plan.toArray(String[]::new), "--engine", engine));
            assertThat(run.status()).as(run.err()).isZero();
            JsonNode kinds = new ObjectMapper().readTree(run.out()).get("bytes_by_gpu_kind");
            // TensorRT-LLM reserves isl + osl a sequence, vLLM and SGLang hold isl + osl / 2 on average
            long held = engine.equals("vllm") ? 512 + 64 : 64;
            assertThat(kinds.get(0).get("kv_bytes").asLong()).as(engine).isEqualTo(4 * held * perToken);
            assertThat(kinds.get(1).get("kv_bytes").asLong()).as(engine).isEqualTo(512 * perToken);
        }
    }

    /** The example's max_position_embeddings is 8,192: 8,000 + 192 fits, 8,000 + 193 does not. */
    @Test
    void aRequestLongerThanTheModelsContextShouldBeSaidSo(@TempDir Path dir) throws IOException {
        String[] plan = {"predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--concurrency", "1", "--isl", "8000"};

        assertThat(CliRun.of(append(plan, "--osl", "192")).out()).doesNotContain("context:");
        assertThat(CliRun.of(append(plan, "--osl", "193")).out()).contains(NL + "context:   isl + osl = 8193 tokens,"
                + " beyond the model's 8192 (as vLLM derives max_model_len from the config): engines refuse such"
                + " requests unless the context is extended [modeled]" + NL);
        JsonNode beyond = predictJson("--gpu", "h100-sxm", "--concurrency", "1", "--isl", "8065");
        assertThat(beyond.get("context_tokens").asInt()).isEqualTo(8192);
        assertThat(beyond.get("beyond_context").asBoolean()).isTrue();
        Path bad = Files.writeString(dir.resolve("bad.config.json"), Files.readString(Path.of(SMALL_LLAMA))
                .replace("\"max_position_embeddings\": 8192", "\"max_position_embeddings\": \"8k\""));
        assertThat(CliRun.of("predict", "--model", bad.toString(), "--gpu", "h100-sxm", "--concurrency", "1", "--isl",
                "8", "--osl", "8").err()).isEqualTo("gemmcost: " + bad + ": max_position_embeddings: must be an"
                + " integer, was \"8k\"" + NL);
        assertThat(CliRun.of("model", bad.toString()).status()).isEqualTo(2); // every command reads it so
    }

    private static String[] append(String[] args, String... more) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static JsonNode predictJson(String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("predict", "--model", SMALL_LLAMA, "--osl", "128", "--json"));
        args.addAll(List.of(options));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.status()).as(run.err()).isZero();
        return new ObjectMapper().readTree(run.out());
    }

    @Test
    void requestsBeyondTheEnginesLimitShouldWaitForAPlaceNotBeCostedAsRunning() throws IOException {
        // vLLM runs at most 256 requests at once on an L40S (max_num_seqs under 70 GiB): the other 256 of 512 wait
        JsonNode all = predictJson("--gpu", "l40s", "--engine", "vllm", "--concurrency", "256", "--isl", "512");
        JsonNode half = predictJson("--gpu", "l40s", "--engine", "vllm", "--concurrency", "512", "--isl", "512");

        assertThat(all.get("running_per_worker").asInt()).isEqualTo(256);
        assertThat(half.get("running_per_worker").asInt()).isEqualTo(256);
        double tpot = all.get("tpot_ms").asDouble();
        assertThat(half.get("tpot_ms").asDouble()).isEqualTo(tpot); // the same 256 decode together
        // Little's law over the closed loop of 512: 512 / (TTFT + 127 TPOT) = 256 / (steady + 127 TPOT)
        double steadyMs = all.get("start").get("steady_ttft_us").asDouble() / 1e3;
        assertThat(half.get("ttft_ms").asDouble()).isCloseTo(2 * steadyMs + 127 * tpot, within(1e-6));
        CliRun text = CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "l40s", "--engine", "vllm",
                "--concurrency", "512", "--isl", "512", "--osl", "128");
        assertThat(text.out().lines()).contains("admitted:  256 of the 512 requests a worker has run at once (vLLM's"
                + " max_num_seqs on l40s, at most the 2048-token step: 256 per attention replica); the others wait for"
                + " a place, which TTFT holds (Little's law over the closed loop's steady state, for every one of the"
                + " --rounds) [modeled]");
        // the steady TTFT's sum names the wait apart from the prefill queue's
        assertThat(half.get("admission_wait_us").asDouble()).isCloseTo(half.get("ttft_ms").asDouble() * 1e3
                - half.get("prefill_latency_us").asDouble() - half.get("arrival_us").asDouble()
                - half.get("queue_wait_us").asDouble(), within(1e-6));
        assertThat(half.get("queue_wait_us").asDouble()).isEqualTo(all.get("queue_wait_us").asDouble());
        assertThat(all.get("admission_wait_us").asDouble()).isZero();
    }

    @Test
    void maxRunningShouldReplaceTheEnginesBatchLimitOnEachReplicaAndEachPipelineStage() throws IOException {
        // 64 run on an H100 with vLLM where 1,024 would: the 200 - 64 others wait, the 64 decode as at concurrency 64
        JsonNode capped = predictJson("--gpu", "h100-sxm", "--engine", "vllm", "--concurrency", "200", "--isl",
                "512", "--max-running", "64");
        JsonNode sixtyFour = predictJson("--gpu", "h100-sxm", "--engine", "vllm", "--concurrency", "64", "--isl",
                "512");
        assertThat(capped.get("running_per_worker").asInt()).isEqualTo(64);
        assertThat(capped.get("max_running").asInt()).isEqualTo(64);
        assertThat(sixtyFour.get("max_running").isNull()).isTrue();
        assertThat(capped.get("tpot_ms").asDouble()).isEqualTo(sixtyFour.get("tpot_ms").asDouble());
        // TensorRT-LLM runs a batch of --max-running per pipeline stage: 2 x 48 of the 200
        JsonNode staged = predictJson("--gpu", "h100-sxm", "--pp", "2", "--concurrency", "200", "--isl", "512",
                "--max-running", "48");
        assertThat(staged.get("running_per_worker").asInt()).isEqualTo(96);
        CliRun text = CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--engine", "sglang",
                "--concurrency", "200", "--isl", "512", "--osl", "128", "--max-running", "64");
        assertThat(text.out().lines()).contains("admitted:  64 of the 200 requests a worker has run at once (SGLang's"
                + " --max-running 64 (max_running_requests): 64 per attention replica); the others wait for a place,"
                + " which TTFT holds (Little's law over the closed loop's steady state, for every one of the --rounds)"
                + " [modeled]");
        assertThat(text.out()).contains(", engine sglang, --max-running 64,");
        // the burst of a benchmark's first round is not weighed where requests wait: the steady state is
        assertThat(capped.get("start").get("weighs").asText()).isEqualTo("none");
        // 64 admitted, 16 prompts of 512 tokens a 8,192-token step
        assertThat(capped.get("start").get("burst_steps").asInt()).isEqualTo(4);
        assertThat(capped.get("ttft_ms").asDouble()).isEqualTo(capped.get("start").get("steady_ttft_us").asDouble()
                / 1e3);
    }

    @Test
    void vllmsRefusalOfAStepBelowItsBatchLimitAndAPrefillBatchOverTheLimitShouldBeRefusedInOneLine() {
        String rule = "max_num_batched_tokens must be >= max_num_seqs, as every running sequence's decode token is"
                + " in the step";
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--engine", "vllm",
                "--concurrency", "8", "--isl", "512", "--osl", "128", "--step-tokens", "512"))
                .isEqualTo(new CliRun(2, "", "gemmcost: --step-tokens 512: vLLM refuses a step of 512 tokens with"
                        + " max_num_seqs 1024 (its default on h100-sxm): " + rule + "; give --max-running 512 or less"
                        + " too" + NL));
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "l40s", "--engine", "vllm",
                "--concurrency", "8", "--isl", "512", "--osl", "128", "--max-running", "4096"))
                .isEqualTo(new CliRun(2, "", "gemmcost: --max-running 4096: vLLM refuses max_num_seqs 4096 with its"
                        + " 2048-token step on l40s: " + rule + "; give --step-tokens 4096 or more too" + NL));
        // within its budget, or with another engine, the same options are taken
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--engine", "vllm",
                "--concurrency", "8", "--isl", "512", "--osl", "128", "--step-tokens", "512", "--max-running", "512")
                .status()).isZero();
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--concurrency", "8", "--isl",
                "512", "--osl", "128", "--step-tokens", "512").status()).isZero();
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--mode", "disagg",
                "--concurrency", "8", "--isl", "512", "--osl", "128", "--prefill-batch", "3000"))
                .isEqualTo(new CliRun(2, "", "gemmcost: --prefill-batch 3000: over the 2048 sequences an attention"
                        + " replica of the prefill workers runs at once (trtllm's max_batch_size on h100-sxm)" + NL));
        // a prefill step's prompts are spread over the micro-batches of TensorRT-LLM's pipeline stages: 2 x 2,048
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--mode", "disagg", "--pp", "2",
                "--concurrency", "8", "--isl", "512", "--osl", "128", "--prefill-batch", "3000").status()).isZero();
        // --max-running is the decode workers'; the prefill workers' batch is checked against the engine's default
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "l40s", "--mode", "disagg", "--engine",
                "vllm", "--concurrency", "8", "--isl", "512", "--osl", "128", "--prefill-batch", "300",
                "--max-running", "512").err()).isEqualTo("gemmcost: --prefill-batch 300: over the 256 sequences an"
                + " attention replica of the prefill workers runs at once (vllm's max_num_seqs on l40s)" + NL);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--mode", "disagg", "--engine",
                "vllm", "--concurrency", "8", "--isl", "512", "--osl", "128", "--max-running", "9000").err())
                .isEqualTo("gemmcost: --max-running 9000: vLLM refuses max_num_seqs 9000 with its 8192-token step on"
                        + " h100-sxm: " + rule + "; give --max-running 8192 or less" + NL);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--engine", "vllm",
                "--concurrency", "8", "--isl", "512", "--osl", "128", "--step-tokens", "512", "--max-running", "600")
                .err()).isEqualTo("gemmcost: --step-tokens 512: vLLM refuses a step of 512 tokens with max_num_seqs"
                        + " 600 (--max-running): " + rule + "; give --max-running 512 or less, or --step-tokens 600"
                        + " or more" + NL);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--concurrency", "8", "--isl",
                "512", "--osl", "128", "--max-running", "0").err())
                .isEqualTo("gemmcost: --max-running 0: must be >= 1" + NL);
    }

    @Test
    void aPlanThatDoesNotFitShouldBeRefusedWithItsNumbers() {
        CliRun run = CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "l40s", "--concurrency", "512", "--isl",
                "8192", "--osl", "8192");

        // 2.08 GB of weights + 512 × 16,384 tokens × 32,768 B = 274.88 GB of KV cache; the 43.49 GB less the weights
        // hold (43.49 - 2.08) / 0.537 = 77.1 sequences of 0.537 GB
        assertThat(run).isEqualTo(new CliRun(2, "", "gemmcost: " + SMALL_LLAMA + " on 1 x l40s (tp=1, pp=1, ep=1, dp=1)"
                + " does not fit: 2.08 GB of weights + 274.88 GB of KV cache per GPU (512 sequences of up to 16384"
                + " tokens, KV in bf16) is over the 43.49 GB an engine uses of 48.32 GB (0.90) [modeled]; its memory"
                + " holds 77 of the 512: --max-running 77 runs that many, the others wait for a place" + NL));
    }

    @Test
    void plansThatDoNotApplyShouldBeRefusedInOneLine() {
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--tp", "2", "--ep", "2",
                "--concurrency", "1", "--isl", "8", "--osl", "8").err()).isEqualTo("gemmcost: " + SMALL_LLAMA
                + " cannot be laid out as tp=2, pp=1, ep=2, dp=1: ep=2 spreads experts, and LlamaForCausalLM has none"
                + NL);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--afd", "2:2",
                "--concurrency", "1", "--isl", "8", "--osl", "8").err()).isEqualTo("gemmcost: " + SMALL_LLAMA
                + " cannot be laid out as AFD 2 attention GPUs (tp=1) : 2 FFN GPUs, 2 micro-batches: AFD separates"
                + " experts from attention, and LlamaForCausalLM has no experts" + NL);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--micro-batches", "3",
                "--concurrency", "1", "--isl", "8", "--osl", "8").err()).isEqualTo("gemmcost: --micro-batches 3:"
                + " applies to --afd plans only (a TP x PP plan runs --pp micro-batches)" + NL);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--afd", "12x4",
                "--concurrency", "1", "--isl", "8", "--osl", "8").status()).isEqualTo(2);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--concurrency", "1", "--isl",
                "8", "--osl", "1").err()).isEqualTo("gemmcost: --osl 1: must be >= 2 (TPOT is between output tokens)"
                + NL);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--concurrency", "1", "--isl",
                "2147483647", "--osl", "8").err()).isEqualTo("gemmcost: --isl 2147483647 --osl 8: each must be <="
                + " 16777216 tokens (beyond any model's context)" + NL);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--prefill-tp", "2",
                "--concurrency", "1", "--isl", "8", "--osl", "8").err()).isEqualTo("gemmcost: --prefill-*: apply to"
                + " --mode disagg only (in agg the decode GPUs prefill)" + NL);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--profile", "h100-sxm",
                "--concurrency", "1", "--isl", "8", "--osl", "8").err()).isEqualTo("gemmcost: --profile h100-sxm: no"
                + " such file (the device is --gpu h100-sxm; without --profile its datasheet roofline costs the GEMMs)"
                + NL);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--profile",
                "../profiles/nvidia-h200/bf16.json", "--concurrency", "1", "--isl", "8", "--osl", "8"))
                .isEqualTo(new CliRun(2, "", "gemmcost: ../profiles/nvidia-h200/bf16.json: $.device: a table of a h200"
                        + " GPU ('NVIDIA H200'), but --gpu is h100-sxm (give a table of the GPU served on)" + NL));
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--prefill-batch", "4",
                "--concurrency", "1", "--isl", "8", "--osl", "8").err()).isEqualTo("gemmcost: --prefill-*: apply to"
                + " --mode disagg only (in agg the decode GPUs prefill)" + NL);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--mode", "disagg", "--tp", "8",
                "--prefill-dp", "3", "--concurrency", "1", "--isl", "8", "--osl", "8").err()).isEqualTo("gemmcost: the"
                + " prefill workers' plan (--prefill-tp/pp/ep/dp, else --tp/pp/ep/dp): dp must divide tp (attention"
                + " replicas share the tp GPUs of a stage): tp=8, dp=3" + NL);
    }

    @Test
    void aDisaggPrefillBatchShouldBeThePromptsAPrefillStepHolds() throws IOException {
        JsonNode four = predictJson("--gpu", "h100-sxm", "--mode", "disagg", "--prefill-batch", "4", "--concurrency",
                "64", "--isl", "512");
        // the same step as agg's with a budget of 4 prompts of 512 tokens (2,048 tokens), on the same one GPU
        JsonNode agg = predictJson("--gpu", "h100-sxm", "--step-tokens", "2048", "--concurrency", "64", "--isl", "512");
        assertThat(four.get("prefill_batch").asInt()).isEqualTo(4);
        assertThat(agg.get("prefill_batch").asInt()).isEqualTo(4);
        assertThat(four.at("/prefill_step/step_us").asDouble()).isEqualTo(agg.at("/prefill_step/step_us").asDouble());
        assertThat(predictJson("--gpu", "h100-sxm", "--mode", "disagg", "--concurrency", "64", "--isl", "512")
                .get("prefill_batch").asInt()).isEqualTo(1);
        // TensorRT-LLM's 8,192-token step holds 2 prompts of 4,096: a batch of 4 prefills 2 a step, said so
        CliRun capped = CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--mode", "disagg",
                "--prefill-batch", "4", "--concurrency", "64", "--isl", "4096", "--osl", "64");
        assertThat(capped.out()).contains("budget:    --prefill-batch 4, but the prefill workers' 8192-token step on"
                + " an attention replica (trtllm's max_num_tokens; --step-tokens) holds 2 prompt(s) of 4096 tokens: a"
                + " step prefills 2 there [modeled]" + NL)
                .contains("prefill (T_p, 2 request(s) per attention replica)");
        // with one request the step holds it whatever the budget: no budget line
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--mode", "disagg",
                "--prefill-batch", "4", "--concurrency", "1", "--isl", "4096", "--osl", "64").out())
                .doesNotContain("budget:").contains("prefill (T_p, 1 request(s) per attention replica)");
        // TensorRT-LLM's budget is each pipeline stage's batch's: 4 stages x 2
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--mode", "disagg",
                "--prefill-pp", "4", "--prefill-batch", "16", "--concurrency", "64", "--isl", "4096", "--osl", "64")
                .out()).contains("holds 2 prompt(s) of 4096 tokens, one budget for each pipeline stage's batch: a step"
                + " prefills 8 there [modeled]");
        // a prompt longer than the step: said as in agg, and the batch it cuts
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--mode", "disagg",
                "--prefill-batch", "2", "--concurrency", "8", "--isl", "16384", "--osl", "64").out())
                .contains("budget:    --prefill-batch 2, but the prefill workers' 8192-token step on an attention"
                        + " replica (trtllm's max_num_tokens; --step-tokens) holds 1 prompt(s) of 16384 tokens (a"
                        + " longer one alone, in chunks): a step prefills 1 there [modeled]")
                .contains("chunked:   isl 16384 is over the 8192 tokens of a prefill worker's step: TensorRT-LLM"
                        + " refuses such a prompt unless enable_chunked_prefill is set (its default is off); each"
                        + " prompt costed whole [modeled]");
        JsonNode wider = predictJson("--gpu", "h100-sxm", "--mode", "disagg", "--prefill-batch", "4", "--step-tokens",
                "16384", "--concurrency", "64", "--isl", "4096");
        assertThat(wider.get("prefill_batch").asInt()).isEqualTo(4);
        assertThat(wider.get("step_tokens").asInt()).isEqualTo(16384);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--mode", "disagg", "--engine",
                "vllm", "--prefill-batch", "1000", "--step-tokens", "512", "--concurrency", "8", "--isl", "512",
                "--osl", "64").err()).isEqualTo("gemmcost: --step-tokens 512: vLLM refuses a step of 512 tokens with"
                + " max_num_seqs 1000 (--prefill-batch, the prefill workers'): max_num_batched_tokens must be >="
                + " max_num_seqs, as every running sequence's decode token is in the step; give --step-tokens 1000 or"
                + " more, or --prefill-batch 512 or less" + NL);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--mode", "disagg", "--engine",
                "vllm", "--prefill-batch", "4", "--step-tokens", "512", "--concurrency", "8", "--isl", "128", "--osl",
                "64").status()).isZero();
        for (String batch : List.of("0", "4097", "1073741824"))
            assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--mode", "disagg", "--tp", "2",
                    "--dp", "2", "--prefill-batch", batch, "--concurrency", "1", "--isl", "8", "--osl", "8"))
                    .isEqualTo(new CliRun(2, "", "gemmcost: --prefill-batch " + batch + ": must be 1 to 4096" + NL));
    }

    @Test
    void aDisaggPrefillWorkerShouldSendTheKvCachesOfThePromptsItHasNotOfItsWholeBatch() throws IOException {
        JsonNode one = predictJson("--gpu", "h100-sxm", "--mode", "disagg", "--concurrency", "1", "--isl", "512");
        JsonNode room = predictJson("--gpu", "h100-sxm", "--mode", "disagg", "--prefill-batch", "64",
                "--concurrency", "1", "--isl", "512");
        JsonNode two = predictJson("--gpu", "h100-sxm", "--mode", "disagg", "--prefill-batch", "64",
                "--concurrency", "2", "--isl", "512");

        // one request: a batch of 64 holds one prompt, whose cache alone is sent
        assertThat(room.get("prefill_batch").asInt()).isEqualTo(1);
        assertThat(room.get("prompts_per_step").asInt()).isEqualTo(1);
        assertThat(room.get("kv_transfer_us").asDouble()).isEqualTo(one.get("kv_transfer_us").asDouble());
        assertThat(two.get("prefill_batch").asInt()).isEqualTo(2);
        assertThat(two.get("kv_transfer_us").asDouble()).isGreaterThan(one.get("kv_transfer_us").asDouble());
    }

    @Test
    void optionsThatChangeNothingOrCannotBeShouldBeRefusedUnderTheirNames() {
        String[] disagg = {"predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--mode", "disagg",
                "--concurrency", "4", "--isl", "512", "--osl", "64"};
        assertThat(CliRun.of(append(disagg, "--engine", "vllm", "--engine-version", "0.12.0"))).isEqualTo(
                new CliRun(2, "", "gemmcost: --engine-version 0.12.0: applies to --mode agg only (the release changes"
                        + " how decode steps are scheduled, which a disaggregated run's TTFT does not model)" + NL));
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--tp", "2", "--dp", "0",
                "--concurrency", "4", "--isl", "512", "--osl", "64"))
                .isEqualTo(new CliRun(2, "", "gemmcost: --dp 0: must be >= 1" + NL));
    }

    @Test
    void aMemoryRefusalShouldSayWhichWorkersAndHowTheSequencesSpreadOverReplicas() {
        String err = CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "l40s", "--tp", "2", "--dp", "2",
                "--concurrency", "512", "--isl", "8192", "--osl", "8192").err();
        assertThat(err).contains("(512 sequences, at most 256 on each of 2 attention replicas, of up to 16384 tokens");
        // --max-running counts one replica's: half of what the worker's memory holds
        java.util.regex.Matcher holds = java.util.regex.Pattern.compile("its memory holds (\\d+) of the 512:"
                + " --max-running (\\d+) runs that many").matcher(err);
        assertThat(holds.find()).as(err).isTrue();
        assertThat(Integer.parseInt(holds.group(2))).isEqualTo(Integer.parseInt(holds.group(1)) / 2).isPositive();
        String prefill = CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--mode", "disagg",
                "--prefill-batch", "2048", "--step-tokens", "204800000", "--decode-workers", "64", "--concurrency",
                "64", "--isl", "100000", "--osl", "8").err();
        // a step of 3,200,000 tokens holds 32 of the 2,048 prompts of 100,000 tokens: the 32 overflow, said so
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--mode", "disagg",
                "--prefill-batch", "2048", "--step-tokens", "3200000", "--decode-workers", "64", "--concurrency",
                "64", "--isl", "100000", "--osl", "8").err()).startsWith("gemmcost: the prefill workers"
                + " (--prefill-tp/pp/ep/dp, else --tp/pp/ep/dp, with the 32 prompts of --prefill-batch 2048 their step"
                + " budget holds): ").contains("(32 sequences of up to 100000 tokens");
        // the prefill worker holds the prompts of its step: 64 (all the requests), not its batch of 2,048
        assertThat(prefill).startsWith("gemmcost: the prefill workers (--prefill-tp/pp/ep/dp, else --tp/pp/ep/dp, with"
                + " --prefill-batch 2048): " + SMALL_LLAMA + " on 1 x h100-sxm (tp=1, pp=1, ep=1, dp=1) does not fit: ")
                .contains("(64 sequences of up to 100000 tokens");
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--mode", "disagg",
                "--prefill-tp", "0", "--concurrency", "4", "--isl", "512", "--osl", "8").err())
                .isEqualTo("gemmcost: --prefill-tp 0: must be >= 1" + NL);
    }

    @Test
    void aPlanThatCommunicatesOverLinksTheModelLacksShouldBeRefused() {
        // L40S talks over PCIe and A100 over NVLink3, neither modeled: one GPU is costed, two are not
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "l40s", "--concurrency", "4", "--isl",
                "512", "--osl", "64").status()).isZero();
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "l40s", "--tp", "2", "--concurrency", "4",
                "--isl", "512", "--osl", "64")).isEqualTo(new CliRun(2, "", "gemmcost: --gpu l40s: its links are not"
                + " modeled (NVLink4 of h100-sxm and h200, NVLink5 of b200), so only an agg plan on one GPU is costed,"
                + " not tp=2, pp=1, ep=1, dp=1" + NL));
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "a100-sxm-80gb", "--mode", "disagg",
                "--concurrency", "4", "--isl", "512", "--osl", "64").status()).isEqualTo(2);
        assertThat(CliRun.of("check-claim", "--afd-model", SMALL_LLAMA, "--afd-gpu", "h100-pcie").err())
                .isEqualTo("gemmcost: --afd-gpu h100-pcie: its links are not modeled (NVLink4 of h100-sxm and h200,"
                        + " NVLink5 of b200), and both AFD and its baseline communicate" + NL);
    }

    /** Refused before the claim's screen is printed: nothing on stdout, one line on stderr. */
    @Test
    void anAfdSectionThatCannotBeAndAnOutputThatIsAFolderShouldBeRefusedBeforeAnythingIsPrinted(@TempDir Path dir) {
        assertThat(CliRun.of("check-claim", "--afd-model", SMALL_LLAMA)).isEqualTo(new CliRun(2, "", "gemmcost:"
                + " --afd-model " + SMALL_LLAMA + ": AFD separates experts from attention, and LlamaForCausalLM has no"
                + " experts" + NL));
        assertThat(CliRun.of("check-claim", "--afd-model", SMALL_LLAMA, "--afd-micro-batches", "0")).isEqualTo(
                new CliRun(2, "", "gemmcost: --afd-micro-batches 0: must be >= 1" + NL));
        assertThat(CliRun.of("check-claim", "--html", dir.toString())).isEqualTo(new CliRun(2, "", "gemmcost: --html "
                + dir + ": a directory, not a file" + NL));
    }

    /** 4 layers of 8 heads (4 KV heads of 32), 8 experts of 128, top-2: a Qwen3-MoE any small plan lays out. */
    private static Path tinyMoe(Path dir) throws IOException {
        return Files.writeString(dir.resolve("tiny-moe.config.json"), """
                {"architectures": ["Qwen3MoeForCausalLM"], "hidden_size": 256, "num_hidden_layers": 4,
                 "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 32, "vocab_size": 1000,
                 "num_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 128,
                 "tie_word_embeddings": false, "torch_dtype": "bfloat16"}""");
    }

    /** A model with experts that both plans lay out gets its sweep (a check that reads both plans' misfits). */
    @Test
    void anAfdSectionOfAModelWithExpertsShouldRunItsSweep(@TempDir Path dir) throws IOException {
        Path moe = tinyMoe(dir);

        CliRun run = CliRun.of("check-claim", "--afd-model", moe.toString(), "--afd-concurrency", "64");

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains(NL + "where attention-FFN disaggregation wins: " + moe
                + " (Qwen3MoeForCausalLM, bf16 weights) decoding on 16 x h200, isl 4096, osl 1024, KV cache fp8" + NL);
    }

    /** A checkpoint in a format gemmcost does not read is swept in the one its user states with --afd-weights. */
    @Test
    void anAfdModelInAnUnreadFormatShouldBeSweptInTheStatedOne(@TempDir Path dir) throws IOException {
        String config = Files.readString(tinyMoe(dir)).replace("\"torch_dtype\"",
                "\"quantization_config\": {\"quant_method\": \"mxfp4\"}, \"torch_dtype\"");
        Path mxfp4 = Files.writeString(dir.resolve("mxfp4.config.json"), config);

        assertThat(CliRun.of("check-claim", "--afd-model", mxfp4.toString())).isEqualTo(new CliRun(2, "", "gemmcost: "
                + mxfp4 + ": quantization_config.quant_method: \"mxfp4\" is not modelled (fp8 is); --afd-weights"
                + " bf16, fp8 or fp8_block costs its GEMMs in the format it is served in" + NL));
        CliRun run = CliRun.of("check-claim", "--afd-model", mxfp4.toString(), "--afd-weights", "fp8",
                "--afd-concurrency", "64");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains(" (Qwen3MoeForCausalLM, fp8 weights) decoding on 16 x h200");
    }

    /**
     * AFD's JSON: the per-GPU bytes are the fuller side's (the FFN GPU's experts here) and each side's are listed:
     * the attention GPUs hold 64 sequences x 2048 tokens x 4 layers x (K, V) x 4 heads x 32 x 2 B = 16.8 MB of KV.
     */
    @Test
    void afdJsonShouldListWhatEachKindOfGpuHolds(@TempDir Path dir) throws IOException {
        Path moe = tinyMoe(dir);

        CliRun run = CliRun.of("predict", "--model", moe.toString(), "--gpu", "h200", "--afd", "1:1", "--concurrency",
                "64", "--isl", "1024", "--osl", "1024", "--json");

        assertThat(run.status()).as(run.err()).isZero();
        JsonNode kinds = new ObjectMapper().readTree(run.out().lines().toList().getLast()).get("bytes_by_gpu_kind");
        assertThat(kinds).hasSize(2);
        JsonNode attention = kinds.get(0).get("gpu").asText().equals("attention") ? kinds.get(0) : kinds.get(1);
        assertThat(attention.get("kv_bytes").asLong()).isEqualTo(64L * 2048 * 4 * 2 * 4 * 32 * 2);
    }

    /** One cost model prices both of check-claim's plans, so an --ma config on another network is refused. */
    @Test
    void claimPlansOnDifferentNetworksShouldBeRefusedNotCostedOnTheBaselines(@TempDir Path dir) throws IOException {
        String seed = Files.readString(Path.of("../examples/seed-ma-separation.json"));
        Path ma = Files.writeString(dir.resolve("ma.json"), seed
                .replace("\"network\": {\"gpus_per_node\": 8}", "\"network\": {\"gpus_per_node\": 4}"));

        assertThat(CliRun.of("check-claim", "--ma", ma.toString())).isEqualTo(new CliRun(2, "", "gemmcost: --baseline"
                + " (the seed's) and --ma " + ma + ": their $.network differ, and both plans are costed on one network"
                + " (give both files the same $.network)" + NL));
    }

    /** Review: a baseline of batch 64 had been compared with the seed's MA plan of batch 1024, rows labelled m=1024. */
    @Test
    void claimPlansOfDifferentModelsShouldBeRefused(@TempDir Path dir) throws IOException {
        String seed = Files.readString(Path.of("../examples/seed-baseline-tp8pp2.json"));
        Path base = Files.writeString(dir.resolve("base.json"), seed.replace("\"batch\": 1024", "\"batch\": 64"));

        assertThat(CliRun.of("check-claim", "--baseline", base.toString())).isEqualTo(new CliRun(2, "", "gemmcost:"
                + " --baseline " + base + " and --ma (the seed's): $.model.batch is 64 and 1024; the claim compares two"
                + " plans of one model and workload (give both files the same $.model)" + NL));
    }

    /**
     * Review: a table of one shape answered the whole model 10^8 × slower, labelled extrapolated, not saying how far.
     * Its shape (1, 3, 2) and transpose span n ≤ 2; the LM head's n, the vocabulary of 32,000, is log2(32000 / 2) =
     * 13.97 octaves beyond, the farthest of the plan's GEMMs (the decode step's, m = 4, and the prefill's tie).
     */
    @Test
    void theFarthestExtrapolationShouldBeSaid(@TempDir Path dir) throws IOException {
        Path tiny = Files.writeString(dir.resolve("tiny.csv"), "source,gpu,dtype,m,n,k,time_us,notes\n"
                + "x,H100_SXM,bf16,1,2,3,5,\n");
        String[] plan = {"predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--concurrency", "4", "--isl", "512",
                "--osl", "64"};
        String far = "(m=4, k=2048, n=32000): 14.0 octaves beyond the measured n range";

        assertThat(CliRun.of(append(plan, "--gemm-csv", tiny.toString())).out()).contains(NL
                + "           farthest beyond the table: " + far + " [extrapolated]" + NL);
        JsonNode json = new ObjectMapper().readTree(CliRun.of(append(plan, "--gemm-csv", tiny.toString(), "--json"))
                .out().lines().toList().getLast());
        assertThat(json.get("gemm_farthest_extrapolation").asText()).isEqualTo(far);
        // the datasheet roofline extrapolates nothing
        assertThat(CliRun.of(plan).out()).doesNotContain("farthest beyond");
    }

    /**
     * fp8_block's scales come in 128 × 128 blocks, and no engine loads a tensor-parallel slice that cuts one: tp 2
     * splits each expert of 128 into 64 a GPU (expert-parallel, each expert stays whole), and 4 KV heads of 32 into
     * 64 a GPU (a tp of 1 keeps them whole); in bf16 both load.
     */
    @Test
    void aSplitThatCutsFp8BlockScalesShouldBeRefused(@TempDir Path dir) throws IOException {
        String moe = tinyMoe(dir).toString();
        String[] plan = {"predict", "--model", moe, "--gpu", "h200", "--concurrency", "4", "--isl", "256", "--osl",
                "16", "--tp", "2"};
        String cut = " not whole 128-wide blocks of its fp8_block scales, which the engines refuse to load" + NL;

        assertThat(CliRun.of(append(plan, "--weights", "fp8_block")).err()).isEqualTo("gemmcost: " + moe
                + " cannot be laid out as tp=2, pp=1, ep=1, dp=1: 2 GPUs split the KV heads' width 128 into 64 a GPU,"
                + cut);
        assertThat(CliRun.of(append(plan, "--weights", "fp8_block", "--dp", "2")).err()).isEqualTo("gemmcost: " + moe
                + " cannot be laid out as tp=2, pp=1, ep=1, dp=2: 2 GPUs split the expert width 128 into 64 a GPU,"
                + cut);
        assertThat(CliRun.of(append(plan, "--weights", "fp8_block", "--dp", "2", "--ep", "2")).status()).isZero();
        assertThat(CliRun.of(plan).status()).isZero();
    }

    @Test
    void widthsAKvCacheOrADtypeThatCannotBeShouldBeRefusedInOneLine(@TempDir Path dir) throws IOException {
        Path narrow = Files.writeString(dir.resolve("narrow.config.json"), Files.readString(Path.of(SMALL_LLAMA))
                .replace("\"intermediate_size\": 8192", "\"intermediate_size\": 100"));
        assertThat(CliRun.of("predict", "--model", narrow.toString(), "--gpu", "h100-sxm", "--tp", "8", "--concurrency",
                "1", "--isl", "8", "--osl", "8").err()).isEqualTo("gemmcost: " + narrow + " cannot be laid out as tp=8,"
                + " pp=1, ep=1, dp=1: 8 GPUs per attention replica do not divide the dense MLP's width 100" + NL);
        // SGLang runs what its KV pool holds: no batch limit keeps these sequences from overflowing
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--engine", "sglang",
                "--concurrency", "2147483647", "--isl", "16777216", "--osl", "16777216").err())
                .isEqualTo("gemmcost: " + SMALL_LLAMA + " on 1 x h100-sxm"
                + " (tp=1, pp=1, ep=1, dp=1) does not fit: the KV cache of 2147483647 sequences of 25165824 tokens is"
                + " beyond 2^63 bytes" + NL);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--kv-dtype", "fp32",
                "--concurrency", "1", "--isl", "8", "--osl", "8").err()).isEqualTo("gemmcost: Invalid value for option"
                + " '--kv-dtype': fp32: a KV cache is bf16, fp16 or fp8 (usage: gemmcost predict --help)" + NL);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--kv-dtype", "fp8_block",
                "--concurrency", "1", "--isl", "8", "--osl", "8").err()).isEqualTo("gemmcost: Invalid value for option"
                + " '--kv-dtype': fp8_block: a KV cache is bf16, fp16 or fp8 (usage: gemmcost predict --help)" + NL);
        assertThat(CliRun.of("model", SMALL_LLAMA, "--gpu", "h100-sxm", "--kv-dtype", "int8",
                "--concurrency", "1", "--isl", "8", "--osl", "8").err()).isEqualTo("gemmcost: Invalid value for option"
                + " '--kv-dtype': int8: a KV cache is bf16, fp16 or fp8 (usage: gemmcost model --help)" + NL);
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--tp", "65536", "--pp", "2",
                "--concurrency", "1", "--isl", "8", "--osl", "8").err()).isEqualTo("gemmcost: tp x pp must be at most"
                + " 65536 GPUs: tp=65536, pp=2" + NL);
    }

    /** Every config of the shared folder: predicted on 8 H200s, or refused by the reader in one line. */
    @Test
    void everySharedConfigShouldBePredictedOrRefusedInOneLine() throws IOException {
        Path folder = SharedData.modelConfig("meta-llama--Llama-3.1-8B-Instruct.config.json").getParent();
        List<Path> configs;
        try (Stream<Path> files = Files.list(folder)) {
            configs = files.filter(f -> f.getFileName().toString().endsWith(".config.json")).sorted().toList();
        }
        int predicted = 0;
        for (Path config : configs) {
            Architecture model;
            try {
                model = HfConfigReader.read(config, null); // as predict reads it: no --weights
            } catch (BadInputException e) {
                assertThat(CliRun.of("predict", "--model", config.toString(), "--gpu", "h200", "--concurrency", "32",
                        "--isl", "1024", "--osl", "256")).as(config.toString())
                        .isEqualTo(new CliRun(2, "", "gemmcost: " + e.getMessage() + NL));
                continue;
            }
            // a checkpoint whose bf16 weights are more than 8 × H200 hold (GLM-5's 1.5 TB) is served in fp8 blocks
            boolean fp8 = model.weightBytes() / 8 > MemoryFootprint.usableBytes(DeviceCatalog.require("h200"));
            List<String> args = new ArrayList<>(List.of("predict", "--model", config.toString(), "--gpu",
                    "h200", "--tp", "8", "--ep", model.experts() != null ? "8" : "1", "--concurrency", "32", "--isl",
                    "1024", "--osl", "256", "--json"));
            if (fp8)
                args.addAll(List.of("--weights", "fp8_block"));
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertThat(run.status()).as(config + ": " + run.err()).isZero();
            JsonNode json = new ObjectMapper().readTree(run.out());
            assertThat(json.get("tpot_ms").asDouble()).as(config.toString()).isPositive();
            assertThat(json.get("ttft_ms").asDouble()).as(config.toString()).isGreaterThan(0);
            predicted++;
        }
        assertThat(predicted).isGreaterThanOrEqualTo(10);
    }
}
