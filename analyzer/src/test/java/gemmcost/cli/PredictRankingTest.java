package gemmcost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict --gpus N}: every agg (or disaggregated) plan on N GPUs, predicted as {@code predict} predicts each,
 * and ranked.
 */
class PredictRankingTest {
    private static final String NL = System.lineSeparator();
    private static final String SMALL_LLAMA = "../examples/small-llama.config.json";
    private static final List<String> REQUEST = List.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm",
            "--concurrency", "16", "--isl", "512", "--osl", "128");
    /** 8 heads, 4 layers, 8 experts of which 2 a token. */
    private static final String TINY_MOE = """
            {"architectures": ["Qwen3MoeForCausalLM"], "hidden_size": 256, "num_hidden_layers": 4,
             "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 32, "vocab_size": 1000,
             "num_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 128,
             "tie_word_embeddings": false, "torch_dtype": "bfloat16"}""";

    @Test
    void eachRankedPlanShouldBeWhatPredictPredictsForItMostTokensPerGpuFirst() throws IOException {
        JsonNode ranking = json("--gpus", "4", "--top", "100");

        // 1 worker of tp 4, tp 2 x pp 2 or pp 4; 2 workers of tp 2 or pp 2; 4 workers of one GPU: all split 32 heads
        assertThat(ranking.get("plans").asInt()).isEqualTo(6);
        assertThat(ranking.get("predicted").asInt()).isEqualTo(6);
        assertThat(ranking.get("refused").toString()).isEqualTo("{\"cannot_split\":0,"
                + "\"prefill_batch_over_engine_limit\":0,\"does_not_fit\":0,"
                + "\"links_not_modeled\":0,\"workers_span_nodes_unlike_the_first\":0}");
        JsonNode ranked = ranking.get("ranked");
        assertThat(ranked).hasSize(6);
        assertThat(ranked.findValuesAsText("options")).contains("--tp 2 --pp 1 --ep 1 --dp 1 --decode-workers 2",
                "--tp 1 --pp 4 --ep 1 --dp 1 --decode-workers 1");
        assertMostTokensFirst(ranked);
        for (JsonNode plan : ranked) {
            assertPredictedAlike(plan, alone(withJson(REQUEST), plan), plan.get("plan").asText());
        }
    }

    /** A model with experts: every ranked plan, its --ep and --dp included, is what a single predict gives. */
    @Test
    void eachRankedPlanOfAModelWithExpertsShouldBeWhatPredictPredictsForItsEpAndDp(@TempDir Path dir)
            throws IOException {
        Path moe = Files.writeString(dir.resolve("tiny-moe.config.json"), TINY_MOE);
        List<String> request = List.of("predict", "--model", moe.toString(), "--gpu", "h100-sxm", "--concurrency",
                "16", "--isl", "512", "--osl", "128", "--json");

        JsonNode ranking = json(request, "--gpus", "4", "--top", "100");

        assertThat(ranking.get("ranked")).hasSize(ranking.get("predicted").asInt());
        assertThat(ranking.get("ranked")).anyMatch(plan -> plan.get("ep").asInt() > 1 && plan.get("dp").asInt() > 1);
        for (JsonNode plan : ranking.get("ranked")) {
            assertPredictedAlike(plan, alone(request, plan), plan.get("plan").asText());
        }
    }

    /**
     * Disaggregated: 4 GPUs split 1 + 3, 2 + 2 and 3 + 1, each side any of the plans of its GPUs (1, 3 and 3 of them:
     * 15 pairs); tp 3 does not divide the 32 heads, on either side (2 pairs). Every ranked pair is what a single
     * disaggregated predict of its two plans gives.
     */
    @Test
    void eachRankedDisaggregatedPlanShouldBeWhatPredictPredictsForIt() throws IOException {
        List<String> request = new ArrayList<>(REQUEST);
        request.addAll(List.of("--mode", "disagg", "--prefill-batch", "2", "--json"));

        JsonNode ranking = json(request, "--gpus", "4", "--top", "100");

        assertThat(ranking.get("plans").asInt()).isEqualTo(15);
        assertThat(ranking.get("predicted").asInt()).isEqualTo(13);
        assertThat(ranking.get("refused").get("cannot_split").asInt()).isEqualTo(2);
        assertThat(ranking.get("prefill_batch_given").asInt()).isEqualTo(2);
        assertThat(ranking.get("ranked")).hasSize(13);
        assertThat(ranking.at("/ranked/0/options").asText()).matches("--prefill-tp \\d+ --prefill-pp \\d+"
                + " --prefill-ep 1 --prefill-dp 1 --prefill-workers \\d+ --tp \\d+ --pp \\d+ --ep 1 --dp 1"
                + " --decode-workers \\d+");
        assertThat(ranking.get("ranked").findValuesAsText("plan")).contains(
                "prefill tp=1, pp=1, ep=1, dp=1 + decode 3 x (tp=1, pp=1, ep=1, dp=1)",
                "prefill 2 x (tp=1, pp=1, ep=1, dp=1) + decode tp=1, pp=2, ep=1, dp=1");
        assertMostTokensFirst(ranking.get("ranked"));
        for (JsonNode plan : ranking.get("ranked")) {
            assertPredictedAlike(plan, alone(request, plan), plan.get("plan").asText());
        }
    }

    /**
     * A model with experts on each engine, with a step budget and a batch limit given: each ranked pair, its --ep and
     * --dp on both sides included, is what a single disaggregated predict gives (every pair with TensorRT-LLM, the
     * first 8 with vLLM and SGLang).
     */
    @Test
    void eachRankedDisaggregatedPlanOfAModelWithExpertsShouldBeWhatPredictPredictsOnEveryEngine(@TempDir Path dir)
            throws IOException {
        Path moe = Files.writeString(dir.resolve("tiny-moe.config.json"), TINY_MOE);
        for (String engine : List.of("trtllm", "vllm", "sglang")) {
            List<String> request = List.of("predict", "--model", moe.toString(), "--gpu", "h100-sxm", "--engine",
                    engine, "--mode", "disagg", "--concurrency", "40", "--isl", "1000", "--osl", "64",
                    "--prefill-batch", "3", "--step-tokens", "2500", "--max-running", "8", "--json");

            JsonNode ranking = json(request, "--gpus", "4", "--top", engine.equals("trtllm") ? "100" : "8");

            JsonNode ranked = ranking.get("ranked");
            assertThat(ranked).as(engine).hasSize(engine.equals("trtllm") ? 40 : 8);
            if (engine.equals("trtllm")) // 48 pairs, 8 of them with tp 3 on a side, which the 8 heads refuse
                assertThat(ranked).anyMatch(plan -> plan.at("/prefill/ep").asInt() > 1
                        && plan.at("/decode/dp").asInt() > 1);
            assertMostTokensFirst(ranked);
            for (JsonNode plan : ranked) {
                JsonNode alone = alone(request, plan);
                String pair = engine + ": " + plan.get("plan").asText();
                assertPredictedAlike(plan, alone, pair);
                // the prefill batch each plan's budget holds (2 prompts of 1,000 tokens in 2,500 tokens a stage),
                // which may be fewer than the 3 given
                for (String field : List.of("running_per_worker", "prefill_batch", "prompts_per_step",
                        "prefill_utilisation"))
                    assertThat(plan.get(field)).as(pair + ": " + field).isEqualTo(alone.get(field));
            }
        }
    }

    /**
     * 12 GPUs of 8-GPU nodes: a prefill worker of 4 GPUs first would put a decode worker of 8 on GPUs 4-11, across
     * nodes, so the decode worker goes first; 8 then 4 places the prefill worker first.
     */
    @Test
    void theJsonShouldSayWhichSideOfADisaggregatedPlanIsOnTheFirstGpus() throws IOException {
        JsonNode ranking = json("--gpus", "12", "--mode", "disagg", "--top", "1000");

        Map<String, String> first = new TreeMap<>();
        ranking.get("ranked").forEach(r -> first.put(r.get("plan").asText(), r.get("first_gpus").asText()));
        assertThat(first).containsEntry("prefill tp=4, pp=1, ep=1, dp=1 + decode tp=8, pp=1, ep=1, dp=1", "decode")
                .containsEntry("prefill tp=8, pp=1, ep=1, dp=1 + decode tp=4, pp=1, ep=1, dp=1", "prefill");
        assertThat(ranking.get("prefill_batch_given").asInt()).isEqualTo(1);
    }

    /** The text names the mode and the prefill batch, and widens the plan column to the pairs it lists. */
    @Test
    void theDisaggregatedTextShouldNameItsPlansAndRefuseAPrefillBatchTheEngineDoesNotRun() throws IOException {
        CliRun run = run("--gpus", "4", "--mode", "disagg", "--top", "1");
        JsonNode best = json("--gpus", "4", "--mode", "disagg").get("ranked").get(0);
        String plan = best.get("plan").asText();

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains("prefill workers' steps of the engine's default size, --prefill-batch 1 (as far"
                        + " as each plan's prefill step budget holds it)" + NL)
                .contains(NL + "plans:     15 disagg plans on 4 GPUs: 13 predicted, 2 not splitting the model (its"
                        + " heads, widths, experts or layers)" + NL + NL + "rank  tokens/s/GPU     TTFT ms    TPOT ms"
                        + "  plan" + " ".repeat(plan.length() - 2) + "labels" + NL)
                .endsWith(NL + String.format(Locale.ROOT, "   1  %12.1f  %10.2f  %9.3f  %s  [modeled]",
                        best.get("tokens_per_s_per_gpu").asDouble(), best.get("ttft_ms").asDouble(),
                        best.get("tpot_ms").asDouble(), plan) + NL);
        assertThat(plan.length()).isGreaterThan(36);
        // 512-token prompts over a prefill step budget of 256: every pair marked, as a single predict's chunked: line
        CliRun chunked = run("--gpus", "4", "--mode", "disagg", "--step-tokens", "256", "--top", "2");
        assertThat(chunked.out()).contains(" ^  ").endsWith(NL + "^: a prompt does not fit whole in a prefill worker's"
                + " step (predict's chunked: line): TensorRT-LLM refuses such a prompt unless enable_chunked_prefill is"
                + " set (its default is off); each prompt costed whole [modeled]" + NL);
        assertThat(json("--gpus", "4", "--mode", "disagg", "--step-tokens", "256").get("ranked").findValues(
                "prompt_over_step_budget")).hasSize(10).allMatch(JsonNode::asBoolean);
        assertThat(best.get("prompt_over_step_budget").asBoolean()).isFalse();
        // agg, as a single predict's chunked: line: vLLM splits the prompt
        assertThat(run("--gpus", "2", "--engine", "vllm", "--step-tokens", "256", "--max-running", "256").out())
                .endsWith(NL + "^: a prompt does not fit whole in a step (predict's chunked: line): the engine splits"
                        + " it over steps; each prompt costed whole [modeled]" + NL);
        // vLLM's budget of 520 holds a 512-token prompt alone, not beside the other 15 running sequences' decode
        // tokens (505 left): one worker of 16 is marked, two workers of 8 (513 left) are not
        Map<String, Boolean> split = new TreeMap<>();
        json("--gpus", "2", "--engine", "vllm", "--step-tokens", "520", "--max-running", "256").get("ranked")
                .forEach(r -> split.put(r.get("plan").asText(), r.get("prompt_over_step_budget").asBoolean()));
        assertThat(split).containsEntry("tp=2, pp=1, ep=1, dp=1", true)
                .containsEntry("2 x (tp=1, pp=1, ep=1, dp=1)", false);
        assertThat(json("--gpus", "2").get("ranked").findValues("prompt_over_step_budget"))
                .noneMatch(JsonNode::asBoolean);
        // a disaggregated plan's TPOT is its decode step's: pairs of one decode side tie, the most tokens/s/GPU named
        // (with 4,096-token prompts a prefill worker of 2 stages, not the first enumerated, of tp 2)
        List<String> longPrompts = List.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--concurrency",
                "16", "--isl", "4096", "--osl", "64", "--gpus", "4", "--mode", "disagg");
        JsonNode all = json(withJson(longPrompts), "--top", "100").get("ranked");
        double tpot = all.findValues("tpot_ms").stream().mapToDouble(JsonNode::asDouble).min().orElseThrow();
        List<JsonNode> tied = new ArrayList<>();
        all.forEach(r -> {
            if (r.get("tpot_ms").asDouble() == tpot)
                tied.add(r);
        });
        assertThat(tied).hasSizeGreaterThan(1);
        assertThat(tied.get(0).get("plan").asText()).isEqualTo("prefill tp=1, pp=2, ep=1, dp=1 + decode tp=2, pp=1,"
                + " ep=1, dp=1");
        List<String> limited = new ArrayList<>(longPrompts);
        limited.addAll(List.of("--max-ttft-ms", "0.001"));
        assertThat(CliRun.of(limited.toArray(String[]::new)).out()).contains(String.format(Locale.ROOT,
                ", the shortest TPOT %.3f ms (%s) [modeled]", tpot, tied.get(0).get("plan").asText()));
        // TensorRT-LLM runs at most 2,048 sequences on an attention replica, a batch per pipeline stage: on 3 GPUs a
        // prefill worker of 2 stages runs 3,000 (beside a decode worker of 1 GPU), the 5 other pairs' do not
        assertThat(run("--gpus", "3", "--mode", "disagg", "--prefill-batch", "3000").out()).contains(NL + "plans:     6"
                + " disagg plans on 3 GPUs: 1 predicted, 5 with --prefill-batch over what an attention replica of the"
                + " prefill workers runs at once" + NL);
        // where no plan has enough stages, refused before any is made, as a single predict refuses it
        assertThat(run("--gpus", "2", "--mode", "disagg", "--prefill-batch", "4096").err()).isEqualTo("gemmcost:"
                + " --prefill-batch 4096: over the 2048 sequences an attention replica of the prefill workers runs at"
                + " once (trtllm's max_batch_size on h100-sxm)" + NL);
    }

    @Test
    void limitsShouldKeepOnlyThePlansWithinThem() throws IOException {
        JsonNode all = json("--gpus", "4", "--top", "100");
        List<Double> tpots = new ArrayList<>();
        all.get("ranked").forEach(plan -> tpots.add(plan.get("tpot_ms").asDouble()));
        double limit = tpots.stream().sorted().toList().get(2); // the three shortest TPOTs are within it

        JsonNode limited = json("--gpus", "4", "--top", "100", "--max-tpot-ms", Double.toString(limit));

        assertThat(limited.get("within_limits").asInt()).isEqualTo(3);
        assertThat(limited.get("ranked")).hasSize(3).allMatch(plan -> plan.get("tpot_ms").asDouble() <= limit);
        assertThat(json("--gpus", "4", "--top", "2").get("ranked")).hasSize(2);
    }

    @Test
    void theTextShouldCountThePlansThatCannotRunAndNameTheBestWhereNoneIsWithinTheLimits() throws IOException {
        // 3 GPUs: tp 3 does not divide the 32 heads; pp 3 and 3 workers of one GPU are predicted
        CliRun run = run("--gpus", "3");
        JsonNode json = json("--gpus", "3");

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains(NL + "plans:     3 agg plans on 3 GPUs: 2 predicted, 1 not splitting the model"
                + " (its heads, widths, experts or layers)" + NL + NL + "rank  tokens/s/GPU     TTFT ms    TPOT ms"
                + "  plan" + " ".repeat(34) + "labels" + NL);
        JsonNode best = json.get("ranked").get(0);
        assertThat(run.out()).contains(NL + String.format(Locale.ROOT, "   1  %12.1f  %10.2f  %9.3f  %-36s  [modeled]",
                best.get("tokens_per_s_per_gpu").asDouble(), best.get("ttft_ms").asDouble(),
                best.get("tpot_ms").asDouble(), best.get("plan").asText()) + NL);
        double tpot = Math.min(json.get("ranked").get(0).get("tpot_ms").asDouble(),
                json.get("ranked").get(1).get("tpot_ms").asDouble());
        assertThat(run("--gpus", "3", "--max-tpot-ms", "0.001").out()).contains("limits:    TPOT <= 0.001 ms: 0 of the"
                + " 2 predicted within them" + NL + NL + "none within the limits: the shortest TTFT is ").contains(
                String.format(Locale.ROOT, ", the shortest TPOT %.3f ms (", tpot));
    }

    @Test
    void maxRunningShouldCapEveryPlansWorkersAndTheTextShouldMarkThePlansWhoseRequestsWait() throws IOException {
        JsonNode json = json("--gpus", "2", "--max-running", "4");
        assertThat(json.get("max_running").asInt()).isEqualTo(4);
        Map<String, Integer> running = new TreeMap<>();
        json.get("ranked").forEach(r -> running.put(r.get("plan").asText(), r.get("running_per_worker").asInt()));
        // 16 requests: tp 2 runs 4 of them; TensorRT-LLM's 2 stages a batch of 4 each; 2 workers 4 of their 8 each
        assertThat(running).isEqualTo(Map.of("tp=2, pp=1, ep=1, dp=1", 4, "tp=1, pp=2, ep=1, dp=1", 8,
                "2 x (tp=1, pp=1, ep=1, dp=1)", 4));
        CliRun run = run("--gpus", "2", "--max-running", "4");
        assertThat(run.out()).contains(", --max-running 4,").contains(" *  ").endsWith(NL + "*: the engine runs fewer"
                + " requests a worker at once than it has (its batch limit, or the step budget that holds each one's"
                + " decode token); the others wait for a place, which TTFT holds" + NL);
    }

    /** Where the weights alone are more than the GPUs hold, the refusal says so and no more. */
    @Test
    void weightsBeyondTheGpusShouldBeSaidAlone(@TempDir Path dir) throws IOException {
        // Llama-3.1-405B's sizes: 126 layers of 16,384 wide, 53,248 in the MLP, 128,256 tokens, untied: 405.9 B
        // parameters of 2 bytes; 77.31 GB an H100 engine uses, 11 GPUs on each side
        Path large = Files.writeString(dir.resolve("large-llama.config.json"), """
                {"architectures": ["LlamaForCausalLM"], "hidden_size": 16384, "num_hidden_layers": 126,
                 "num_attention_heads": 128, "num_key_value_heads": 8, "intermediate_size": 53248,
                 "vocab_size": 128256, "tie_word_embeddings": false, "max_position_embeddings": 131072,
                 "torch_dtype": "bfloat16"}""");

        CliRun run = CliRun.of("predict", "--model", large.toString(), "--gpu", "h100-sxm", "--gpus", "4", "--mode",
                "disagg", "--concurrency", "1", "--isl", "512", "--osl", "128");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).endsWith("; the weights alone take 811.71 GB, at least 22 GPUs of the 77.31 GB an engine"
                + " uses (11 on each side) [modeled]" + NL);
    }

    /**
     * {@code --mode both}: the 6 agg plans and the 15 disaggregated pairs of 4 GPUs in one ranking, each ranked as its
     * mode's own ranking and a single predict of it give it.
     */
    @Test
    void bothModesShouldRankEveryAggAndDisaggregatedPlanTogetherAsEachModePredictsIt() throws IOException {
        List<String> request = new ArrayList<>(REQUEST);
        request.addAll(List.of("--prefill-batch", "2", "--json"));

        JsonNode both = json(request, "--mode", "both", "--gpus", "4", "--top", "100");

        assertThat(both.get("mode").asText()).isEqualTo("both");
        assertThat(both.get("plans").asInt()).isEqualTo(6 + 15);
        assertThat(both.get("predicted").asInt()).isEqualTo(6 + 13);
        assertThat(both.get("refused").get("cannot_split").asInt()).isEqualTo(2);
        JsonNode ranked = both.get("ranked");
        assertThat(ranked.findValuesAsText("mode")).containsOnly("agg", "disagg").contains("agg", "disagg")
                .hasSize(19);
        assertMostTokensFirst(ranked);
        // each plan's options begin with its mode, which replaces --mode both
        for (JsonNode plan : ranked) {
            assertThat(plan.get("options").asText()).startsWith("--mode " + plan.get("mode").asText() + " --");
            List<String> alone = new ArrayList<>(request);
            if (plan.get("mode").asText().equals("agg"))
                alone.removeAll(List.of("--prefill-batch", "2"));
            assertPredictedAlike(plan, alone(alone, plan), plan.get("plan").asText());
        }
        // on one GPU there is no disaggregated plan: the agg plans are ranked
        JsonNode one = json(request, "--mode", "both", "--gpus", "1");
        assertThat(one.get("ranked").findValuesAsText("mode")).containsExactly("agg");
        assertThat(one.at("/ranked/0/options").asText()).startsWith("--mode agg --tp 1 ");
        // where none is within the limits, the JSON says the shortest TTFT and TPOT, as the text does
        JsonNode none = json(request, "--mode", "both", "--gpus", "4", "--max-ttft-ms", "0.001");
        assertThat(none.get("ranked")).isEmpty();
        double shortest = Double.MAX_VALUE;
        for (JsonNode plan : ranked)
            shortest = Math.min(shortest, plan.get("ttft_ms").asDouble());
        assertThat(none.at("/shortest_ttft/ms").asDouble()).isEqualTo(shortest);
        String fastest = none.at("/shortest_ttft/plan").asText();
        assertThat(ranked).anyMatch(plan -> plan.get("plan").asText().equals(fastest)
                && plan.get("ttft_ms").asDouble() == none.at("/shortest_ttft/ms").asDouble());
        assertThat(none.at("/shortest_tpot/labels")).isNotEmpty();
        // --prefill-* other than the batch: the plan's, which --gpus replaces
        assertThat(run("--gpus", "4", "--mode", "both", "--prefill-tp", "2").err()).isEqualTo("gemmcost: --gpus 4"
                + " and --prefill-tp: --gpus ranks every plan, give one or the other" + NL);
        // vLLM's step budget is checked for the disaggregated plans too, as --mode disagg checks it
        List<String> vllm = List.of("--engine", "vllm", "--gpus", "4", "--max-running", "2", "--step-tokens", "4",
                "--prefill-batch", "8");
        String refusal = run(append(vllm, "--mode", "disagg")).err();
        assertThat(refusal).startsWith("gemmcost: --step-tokens 4: vLLM refuses a step of 4 tokens with"
                + " max_num_seqs 8");
        assertThat(run(append(vllm, "--mode", "both")).err()).isEqualTo(refusal);
        // without --gpus there is no ranking to hold both
        assertThat(run("--mode", "both").err()).isEqualTo("gemmcost: --mode both: ranks the plans of both modes, so"
                + " applies with --gpus only" + NL);
        assertThat(run("--mode", "all").err()).isEqualTo("gemmcost: Invalid value for option '--mode': all: must be"
                + " agg, disagg or both (usage: gemmcost predict --help)" + NL);
        assertThat(run("--gpus", "4", "--mode", "both", "--overlap-scheduler").err()).isEqualTo("gemmcost:"
                + " --overlap-scheduler: applies to --mode agg only (a disaggregated run's TTFT does not model the"
                + " decode worker's steps)" + NL);
    }

    @Test
    void noPlanToPredictAndOptionsThatDoNotApplyShouldBeRefusedInOneLine() {
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "l40s", "--gpus", "1", "--concurrency", "512",
                "--isl", "8192", "--osl", "8192")).isEqualTo(new CliRun(2, "", "gemmcost: --gpus 1: no plan to predict:"
                + " 1 too small to hold the weights and the sequences the engine runs at once; the weights alone take"
                + " 2.08 GB, at least 1 GPU of the 43.49 GB an engine uses, so it is the KV cache of the sequences the"
                + " engine runs at once that does not fit (fewer --concurrency, a --max-running or --kv-dtype fp8 may)"
                + " [modeled]" + NL));
        // 1.04 B parameters of 2 bytes, against 90 % of a GPU's memory (80 GiB on an H100); disaggregated, each side
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "h100-sxm", "--gpus", "2", "--mode", "disagg",
                "--concurrency", "4096", "--isl", "8192", "--osl", "8192").err()).endsWith("; the weights alone take"
                + " 2.08 GB, at least 2 GPUs of the 77.31 GB an engine uses (1 on each side), so it is the KV cache of"
                + " the sequences the engine runs at once that does not fit (fewer --concurrency, a --max-running or"
                + " --kv-dtype fp8 may) [modeled]" + NL);
        assertThat(run("--gpus", "4", "--tp", "2")).isEqualTo(new CliRun(2, "", "gemmcost: --gpus 4 and --tp: --gpus"
                + " ranks every plan, give one or the other" + NL));
        assertThat(run("--gpus", "4", "--mode", "disagg", "--prefill-workers", "2").err()).isEqualTo("gemmcost:"
                + " --gpus 4 and --prefill-workers: --gpus ranks every plan, give one or the other" + NL);
        assertThat(run("--gpus", "1", "--mode", "disagg").err()).isEqualTo("gemmcost: --gpus 1: must be 2 to 65536"
                + " for disaggregated plans (prefill and decode workers on GPUs of their own)" + NL);
        assertThat(run("--top", "3").err()).isEqualTo("gemmcost: --top: applies with --gpus only (ranking the plans on"
                + " N GPUs)" + NL);
        assertThat(run("--gpus", "4", "--max-ttft-ms", "0").err()).isEqualTo("gemmcost: --max-ttft-ms 0.0: must be a"
                + " positive number of ms" + NL);
        assertThat(run("--gpus", "4", "--top", "0").err()).isEqualTo("gemmcost: --top 0: must be >= 1" + NL);
        assertThat(run("--gpus", "0").err()).isEqualTo("gemmcost: --gpus 0: must be 1 to 65536" + NL);
    }

    /**
     * On L40S (PCIe, not modeled) only plans on one GPU are costed; on 12 GPUs of 8-GPU nodes, workers of 6 or 3 GPUs
     * would straddle nodes: counted, not ranked (each worker is costed on the first GPUs of a node).
     */
    @Test
    void plansOverLinksTheModelLacksOrWorkersStraddlingNodesShouldBeCountedNotRanked() throws IOException {
        JsonNode l40s = json(List.of("predict", "--model", SMALL_LLAMA, "--gpu", "l40s", "--concurrency", "16",
                "--isl", "512", "--osl", "128", "--json"), "--gpus", "2");
        // tp 2 and pp 2 communicate; two workers of one GPU do not
        assertThat(l40s.get("refused").toString()).isEqualTo("{\"cannot_split\":0,"
                + "\"prefill_batch_over_engine_limit\":0,\"does_not_fit\":0,"
                + "\"links_not_modeled\":2,\"workers_span_nodes_unlike_the_first\":0}");
        assertThat(l40s.at("/ranked/0/plan").asText()).isEqualTo("2 x (tp=1, pp=1, ep=1, dp=1)");
        // disaggregated, the KV caches cross the links: no plan on L40S
        assertThat(CliRun.of("predict", "--model", SMALL_LLAMA, "--gpu", "l40s", "--concurrency", "16", "--isl", "512",
                "--osl", "128", "--gpus", "2", "--mode", "disagg").err()).isEqualTo("gemmcost: --gpus 2: no plan to"
                + " predict: 1 communicating over links the model lacks [modeled]" + NL);
        // 12 GPUs: tp 12, 6 and 3 do not divide the 32 heads (3 + 2 + 1 plans); 2 workers of 6 GPUs (tp 2 x pp 3,
        // pp 6) span 6 then 2 + 4, and 4 workers of 3 (pp 3) 3, 3, 2 + 1, 3; the other 9 are predicted
        JsonNode twelve = json("--gpus", "12", "--top", "100");
        assertThat(twelve.get("refused").toString()).isEqualTo("{\"cannot_split\":6,"
                + "\"prefill_batch_over_engine_limit\":0,\"does_not_fit\":0,"
                + "\"links_not_modeled\":0,\"workers_span_nodes_unlike_the_first\":3}");
        assertThat(twelve.get("predicted").asInt()).isEqualTo(9);
        // 6 GPUs of one node: tp 6 and 3 do not divide the heads (3 plans); 2 workers of pp 3 sit as the first does
        JsonNode six = json("--gpus", "6", "--top", "100");
        assertThat(six.get("refused").get("cannot_split").asInt()).isEqualTo(3);
        assertThat(six.get("refused").get("does_not_fit").asInt()).isZero();
        assertThat(six.get("ranked").findValuesAsText("plan")).contains("2 x (tp=1, pp=3, ep=1, dp=1)").hasSize(6);
    }

    /** The single predict of a ranked plan: the options its JSON gives for it. */
    private static JsonNode alone(List<String> request, JsonNode plan) throws IOException {
        return json(request, plan.get("options").asText().split(" "));
    }

    private static void assertMostTokensFirst(JsonNode ranked) {
        List<Double> rates = new ArrayList<>();
        ranked.forEach(plan -> rates.add(plan.get("tokens_per_s_per_gpu").asDouble()));
        assertThat(rates).isSortedAccordingTo(Comparator.reverseOrder());
    }

    /** A ranked plan's figures and labels are those of its predict alone. */
    private static void assertPredictedAlike(JsonNode ranked, JsonNode alone, String what) {
        for (String field : List.of("tokens_per_s_per_gpu", "ttft_ms", "tpot_ms", "labels", "tpot_labels"))
            assertThat(ranked.get(field)).as(what + ": " + field).isEqualTo(alone.get(field));
    }

    private static String[] append(List<String> options, String... more) {
        List<String> all = new ArrayList<>(options);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static CliRun run(String... options) {
        List<String> args = new ArrayList<>(REQUEST);
        args.addAll(List.of(options));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static JsonNode json(String... options) throws IOException {
        return json(withJson(REQUEST), options);
    }

    private static List<String> withJson(List<String> request) {
        List<String> json = new ArrayList<>(request);
        json.add("--json");
        return json;
    }

    private static JsonNode json(List<String> request, String... options) throws IOException {
        List<String> args = new ArrayList<>(request);
        args.addAll(List.of(options));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.status()).as(run.err()).isZero();
        return new ObjectMapper().readTree(run.out());
    }
}
