package gemmcost.silicon;

import static org.assertj.core.api.Assertions.assertThat;

import gemmcost.deploy.MemoryFootprint;
import gemmcost.deploy.Parallelism;
import gemmcost.model.hf.Architecture;
import gemmcost.model.hf.Attention;
import gemmcost.model.hf.Experts;
import gemmcost.model.hf.HfConfigReader;
import gemmcost.model.hf.WeightFormat;
import gemmcost.serving.Mode;
import gemmcost.serving.Request;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

class RowSetupTest {
    /** 4 layers, 64 heads (8 KV), 64 experts top-8: a Qwen3-MoE-like model any plan here can split. */
    private static final Architecture MOE = new Architecture("Qwen3MoeForCausalLM", 4, 4096, 1000, false,
            new Attention.Gqa(64, 8, 128), 0, 0, new Experts(64, 8, 1536, 0), WeightFormat.BF16);

    private static SiliconRow row(String... pairs) {
        Map<String, String> columns = new HashMap<>();
        for (String column : SiliconCsv.HEADER.split(","))
            columns.put(column, "");
        columns.putAll(Map.of("id", "run", "backend", "trtllm", "model_path", "org/moe", "system", "h200_sxm",
                "mode", "agg", "isl", "1024", "osl", "128", "silicon_ttft_ms", "100", "silicon_tpot_ms", "10"));
        for (int i = 0; i < pairs.length; i += 2)
            columns.put(pairs[i], pairs[i + 1]);
        return new SiliconRow("rows.csv:2", columns);
    }

    private static RowSetup setup(SiliconRow row) {
        return setup(row, MOE);
    }

    private static RowSetup setup(SiliconRow row, Architecture model) {
        return RowSetup.of(row, Path.of("configs"), config -> {
            assertThat(config).isEqualTo(Path.of("configs/org--moe.config.json"));
            return model;
        });
    }

    @Test
    void anAggregatedRowShouldBeItsPlanColumnsWithAttentionReplicasAndExpertGroups() {
        // tp_size is one replica's GPUs: 2 replicas of 4 = 8 GPUs, experts over ep 8 (moe_tp 1 x moe_ep 8 = 8)
        RowSetup.Setup s = (RowSetup.Setup) setup(row("batch_size", "64", "tp_size", "4", "pp_size", "1",
                "attention_dp_size", "2", "moe_tp_size", "1", "moe_ep_size", "8", "gemm_quant_mode", "fp8",
                "moe_quant_mode", "fp8_block"));

        assertThat(s.decode().layout()).isEqualTo(new Parallelism(8, 1, 8, 2));
        assertThat(s.mode()).isEqualTo(Mode.AGG);
        // without the source column's concurrency, batch_size is one replica's: 64 on each of 2
        assertThat(s.request()).isEqualTo(new Request(128, 1024, 128, Request.AICONFIGURATOR_ROUNDS));
        // an MoE model's GEMMs are costed in its experts' format; TensorRT-LLM keeps an fp8 checkpoint's KV in fp8
        assertThat(s.gemmDtype()).isEqualTo("fp8_block");
        assertThat(s.model().weights()).isEqualTo(WeightFormat.FP8_BLOCK);
        assertThat(s.kvBytes()).isEqualTo(1);
    }

    /** vLLM's data-parallel runs record one replica's tp and the experts' TP over all GPUs, attention_dp empty. */
    @Test
    void moeColumnsWiderThanTpWithoutAttentionDpShouldBeAttentionReplicas() {
        RowSetup.Setup s = (RowSetup.Setup) setup(row("backend", "vllm", "batch_size", "5", "tp_size", "1",
                "moe_tp_size", "2"));
        RowSetup.Setup four = (RowSetup.Setup) setup(row("backend", "vllm", "batch_size", "8", "tp_size", "2",
                "moe_tp_size", "4"));

        assertThat(s.decode().layout()).isEqualTo(new Parallelism(2, 1, 1, 2));
        assertThat(four.decode().layout()).isEqualTo(new Parallelism(4, 1, 1, 2));
        // a row that says one replica means it, and other engines' rows record their replicas
        RowSetup.Refused refused = new RowSetup.Refused("plan not expressible",
                "rows.csv:2: plan: moe_tp 2 x moe_ep 1 is not tp 1 x attention_dp 1 GPUs");
        assertThat(setup(row("backend", "vllm", "batch_size", "5", "tp_size", "1", "attention_dp_size", "1",
                "moe_tp_size", "2"))).isEqualTo(refused);
        assertThat(setup(row("backend", "sglang", "batch_size", "5", "tp_size", "1", "moe_tp_size", "2")))
                .isEqualTo(refused);
    }

    @Test
    void noMoeColumnsShouldMeanExpertsTensorParallelOverEveryGpu() {
        RowSetup.Setup s = (RowSetup.Setup) setup(row("mode", "disagg", "backend", "vllm", "prefill_tp_size", "1",
                "prefill_attention_dp_size", "4", "prefill_moe_tp_size", "0", "prefill_moe_ep_size", "0",
                "prefill_num_workers", "1", "decode_tp_size", "4", "decode_num_workers", "1", "decode_batch_size",
                "8"));

        assertThat(s.prefill().layout()).isEqualTo(new Parallelism(4, 1, 1, 4));
        assertThat(s.decode().layout()).isEqualTo(new Parallelism(4, 1, 1, 1));
    }

    /** DeepSeek-R1's and Qwen3-235B-A22B-FP8's checkpoints hold 128×128 block scales; their rows say fp8. */
    @Test
    void fp8OnABlockScaledCheckpointShouldBeCostedAsFp8Block() {
        Architecture blockScaled = MOE.withWeights(WeightFormat.FP8_BLOCK);
        SiliconRow fp8 = row("batch_size", "8", "tp_size", "8", "moe_ep_size", "8", "gemm_quant_mode", "fp8",
                "moe_quant_mode", "fp8");

        RowSetup.Setup s = (RowSetup.Setup) RowSetup.of(fp8, Path.of("configs"), config -> blockScaled);

        assertThat(s.gemmDtype()).isEqualTo("fp8_block");
        assertThat(s.model().weights()).isEqualTo(WeightFormat.FP8_BLOCK);
        // a bf16 checkpoint served in fp8 is quantised per tensor
        RowSetup.Setup bf16 = (RowSetup.Setup) setup(fp8);
        assertThat(bf16.gemmDtype()).isEqualTo("fp8");
        assertThat(bf16.model().weights()).isEqualTo(WeightFormat.FP8);
    }

    @Test
    void aDisaggregatedRowShouldTakeTheRecordedConcurrencyAndItsWorkerCounts() {
        RowSetup.Setup s = (RowSetup.Setup) setup(row("mode", "disagg", "backend", "sglang",
                "silicon_data_source", "model=x; silicon_concurrency=96; measured=2026-02-01", "prefill_tp_size", "8",
                "prefill_moe_ep_size", "8", "prefill_num_workers", "3", "decode_tp_size", "8", "decode_moe_ep_size",
                "8", "decode_num_workers", "2"));

        assertThat(s.request().concurrency()).isEqualTo(96);
        assertThat(s.decode().count()).isEqualTo(2);
        assertThat(s.prefill().count()).isEqualTo(3);
        assertThat(s.prefill().layout()).isEqualTo(new Parallelism(8, 1, 8, 1));
        assertThat(s.kvBytes()).isEqualTo(2); // SGLang's auto: bf16
        // their step: SGLang's chunked_prefill_size on an H200 (8,192) whole on their one attention replica
        assertThat(s.prefill().stepTokens()).isEqualTo(8192);
        assertThat(s.prefill().prefillBatch()).isEqualTo(1);
    }

    @Test
    void aDisaggregatedPrefillBatchShouldBeWhatThePrefillWorkersStepHolds() {
        // 8 prompts of 4,096 tokens recorded; TensorRT-LLM's 8,192-token step on each of 2 attention replicas holds 2
        RowSetup.Setup s = (RowSetup.Setup) setup(row("mode", "disagg", "isl", "4096", "silicon_data_source",
                "silicon_concurrency=64", "prefill_tp_size", "2", "prefill_attention_dp_size", "2",
                "prefill_batch_size", "8", "prefill_num_workers", "1", "decode_tp_size", "8", "decode_num_workers",
                "1"));

        assertThat(s.prefill().stepTokens()).isEqualTo(8192);
        assertThat(s.prefill().prefillBatch()).isEqualTo(2);
    }

    /**
     * Without worker counts, where more than one request runs at a time (or the concurrency is not recorded), the
     * decode workers' batch, and with it TPOT, is not determined: no guess is made.
     */
    @Test
    void aDisaggregatedRowWithoutWorkerCountsShouldBeRefused() {
        String refusal = "rows.csv:2: prefill_num_workers or decode_num_workers is empty and %s: the decode workers'"
                + " batch, which sets TPOT, is not determined";

        assertThat(setup(row("mode", "disagg", "silicon_data_source", "silicon_concurrency=96", "prefill_tp_size", "8",
                "decode_tp_size", "8", "decode_num_workers", "2")))
                .isEqualTo(new RowSetup.Refused("disagg run without worker counts",
                        refusal.formatted("96 requests run at a time")));
        // two requests may share one decode worker or have one each
        assertThat(setup(row("mode", "disagg", "silicon_data_source", "silicon_concurrency=2", "prefill_tp_size", "8",
                "decode_tp_size", "8")))
                .isEqualTo(new RowSetup.Refused("disagg run without worker counts",
                        refusal.formatted("2 requests run at a time")));
        assertThat(setup(row("mode", "disagg", "prefill_tp_size", "8", "decode_tp_size", "8", "decode_batch_size",
                "1"))).isEqualTo(new RowSetup.Refused("disagg run without worker counts",
                refusal.formatted("the concurrency is not recorded")));
    }

    /** One request at a time meets one prefill and one decode worker, however many the run had. */
    @Test
    void aDisaggregatedRowOfOneRequestAtATimeShouldNeedNoWorkerCounts() {
        RowSetup.Setup s = (RowSetup.Setup) setup(row("mode", "disagg", "silicon_data_source",
                "model=x; silicon_concurrency=1; measured=2026-02-01", "prefill_tp_size", "8", "prefill_moe_ep_size",
                "8", "decode_tp_size", "8", "decode_moe_ep_size", "8"));

        assertThat(s.request().concurrency()).isEqualTo(1);
        assertThat(s.prefill().count()).isEqualTo(1);
        assertThat(s.decode().count()).isEqualTo(1);
        assertThat(s.decode().layout()).isEqualTo(new Parallelism(8, 1, 8, 1));
    }

    @Test
    void aTpSizeThatIsTpTimesEpShouldBeReadAsTheIdSays() {
        RowSetup.Setup s = (RowSetup.Setup) setup(row("id", "deepseek_agg_c4_tp8_ep8_951", "batch_size", "4",
                "tp_size", "64", "moe_tp_size", "8", "moe_ep_size", "8"));
        // the attention-DP form of the same slip: 64 replicas written for 8
        RowSetup.Setup dp = (RowSetup.Setup) setup(row("id", "deepseek_agg_c256_tp8_ep8_1999", "batch_size", "32",
                "silicon_data_source", "silicon_concurrency=256", "tp_size", "1", "attention_dp_size", "64",
                "moe_tp_size", "8", "moe_ep_size", "8"));

        assertThat(s.decode().layout()).isEqualTo(new Parallelism(8, 1, 8, 1));
        assertThat(dp.decode().layout()).isEqualTo(new Parallelism(8, 1, 8, 8));
        // the recorded concurrency, not batch_size (TensorRT-LLM's per-replica figure under attention DP)
        assertThat(dp.request().concurrency()).isEqualTo(256);
    }

    /**
     * The same slip without a plan in the id: 16 GPUs would split a shared expert of 1,024 into 64 a GPU, half a block
     * of fp8_block's scales, which no engine loads, so the row's 4 × 4 are its 4 GPUs; in bf16 16 GPUs can be.
     */
    @Test
    void aTpSizeThatIsTpTimesEpShouldBeReadAsNGpusWhereTheRecordedPlanCannotBeLoaded() {
        Architecture shared = new Architecture("Qwen3MoeForCausalLM", 4, 4096, 1000, false,
                new Attention.Gqa(64, 8, 128), 0, 0, new Experts(64, 8, 1536, 1024), WeightFormat.BF16);
        String[] plan = {"id", "qwen_agg_c16_cfg615", "batch_size", "16", "tp_size", "16", "moe_tp_size", "4",
                "moe_ep_size", "4"};

        RowSetup.Setup fp8Block = (RowSetup.Setup) setup(row(with(plan, "moe_quant_mode", "fp8_block")), shared);
        RowSetup.Setup bf16 = (RowSetup.Setup) setup(row(with(plan, "moe_quant_mode", "")), shared);

        assertThat(fp8Block.decode().layout()).isEqualTo(new Parallelism(4, 1, 4, 1));
        assertThat(bf16.decode().layout()).isEqualTo(new Parallelism(16, 1, 4, 1));
        // without the slip's signature such a plan is refused, naming the cut
        assertThat(setup(row("batch_size", "16", "tp_size", "16", "moe_quant_mode", "fp8_block"), shared))
                .isEqualTo(new RowSetup.Refused("plan not expressible", "rows.csv:2: plan: 16 GPUs split the shared"
                        + " expert's width 1024 into 64 a GPU, not whole 128-wide blocks of its fp8_block scales, which"
                        + " the engines refuse to load"));
    }

    @Test
    void aVllmRunShouldScheduleAheadByItsVersionElseByTheDayItWasMeasured() {
        String[] plan = {"backend", "vllm", "batch_size", "4", "tp_size", "8"};

        assertThat(aheadWith(plan, "backend_version", "0.12.0")).isFalse();
        assertThat(aheadWith(plan, "backend_version", "0.15.1")).isTrue();
        assertThat(aheadWith(plan, "silicon_data_source", "silicon_concurrency=4; measured=2025-11-02")).isFalse();
        assertThat(aheadWith(plan, "silicon_data_source", "silicon_concurrency=4; measured=2026-03-23T13:00:07Z"))
                .isTrue();
        assertThat(aheadWith(plan, "silicon_data_source", "silicon_concurrency=4")).isTrue(); // no day: current
    }

    /** A source column's concurrency or day that is not one refuses the row, naming it; it is not passed over. */
    @Test
    void aMalformedConcurrencyOrDayInTheSourceColumnShouldRefuseTheRow() {
        String[] plan = {"backend", "vllm", "batch_size", "4", "tp_size", "8", "silicon_data_source"};
        String where = "rows.csv:2: column silicon_data_source: ";

        assertThat(setup(row(with(plan, "silicon_concurrency=abc; measured=2026-01-01")))).isEqualTo(new RowSetup
                .Refused("bad row", where + "silicon_concurrency must be an integer from 1 to 999999999: 'abc'"));
        assertThat(setup(row(with(plan, "silicon_concurrency=-3")))).isEqualTo(new RowSetup.Refused("bad row",
                where + "silicon_concurrency must be an integer from 1 to 999999999: '-3'"));
        assertThat(setup(row(with(plan, "silicon_concurrency=0")))).isEqualTo(new RowSetup.Refused("bad row",
                where + "silicon_concurrency must be an integer from 1 to 999999999: '0'"));
        assertThat(setup(row(with(plan, "measured=yesterday")))).isEqualTo(new RowSetup.Refused("bad row",
                where + "measured must be a day YYYY-MM-DD, a time after it or not: 'yesterday'"));
        assertThat(setup(row(with(plan, "measured=2025-13-40")))).isEqualTo(new RowSetup.Refused("bad row",
                where + "measured must be a day YYYY-MM-DD, a time after it or not: '2025-13-40'"));
        // a key is whole: "image_measured=" is not "measured="
        RowSetup.Setup padded = (RowSetup.Setup) setup(row(with(plan, "image_measured=x; silicon_concurrency=007")));
        assertThat(padded.request().concurrency()).isEqualTo(7);
    }

    private static String[] with(String[] pairs, String... more) {
        String[] all = Arrays.copyOf(pairs, pairs.length + more.length);
        System.arraycopy(more, 0, all, pairs.length, more.length);
        return all;
    }

    private static boolean aheadWith(String[] plan, String column, String value) {
        return ((RowSetup.Setup) setup(row(with(plan, column, value)))).decode().schedulesAhead();
    }

    @Test
    void moeAndAttentionDpColumnsOfZeroShouldMeanNoSplit() {
        RowSetup.Setup s = (RowSetup.Setup) setup(row("batch_size", "4", "tp_size", "8", "moe_tp_size", "0",
                "moe_ep_size", "8", "attention_dp_size", "0.0"));

        assertThat(s.decode().layout()).isEqualTo(new Parallelism(8, 1, 8, 1));
        assertThat(s.request().concurrency()).isEqualTo(4);
    }

    @Test
    void aConcurrencyBeyondNineDigitsShouldBeABadRowNamingItsColumns() {
        RowSetup.Refused r = (RowSetup.Refused) setup(row("batch_size", "2000000000", "tp_size", "4",
                "attention_dp_size", "2", "moe_tp_size", "1", "moe_ep_size", "8"));

        assertThat(r.reason()).isEqualTo(RowSetup.BAD_ROW);
        assertThat(r.detail()).isEqualTo("rows.csv:2: columns batch_size x attention_dp_size: 2000000000 x 2 is more"
                + " than 999999999 requests");
    }

    @Test
    void theSourceColumnsConcurrencyShouldBeTakenAsItIs() {
        RowSetup.Setup s = (RowSetup.Setup) setup(row("silicon_data_source", "silicon_concurrency=96", "batch_size",
                "64", "tp_size", "4", "attention_dp_size", "2", "moe_tp_size", "1", "moe_ep_size", "8"));

        assertThat(s.request().concurrency()).isEqualTo(96);
    }

    @Test
    void whatCannotBeModeledShouldBeRefusedWithACountableReason() {
        assertThat(setup(row("system", "gb200", "batch_size", "4", "tp_size", "8")))
                .isEqualTo(new RowSetup.Refused("system not in the device catalog", "gb200"));
        assertThat(setup(row("moe_quant_mode", "nvfp4", "batch_size", "4", "tp_size", "8")))
                .isEqualTo(new RowSetup.Refused("quantization not modeled", "nvfp4"));
        assertThat(setup(row("batch_size", "4", "tp_size", "8", "moe_tp_size", "4", "moe_ep_size", "1")))
                .isEqualTo(new RowSetup.Refused("plan not expressible",
                        "rows.csv:2: plan: moe_tp 4 x moe_ep 1 is not tp 8 x attention_dp 1 GPUs"));
    }

    /** The reader's own refusals, sorted by what it says it does not model, not by their wording. */
    @Test
    void theConfigReadersRefusalsShouldBeCountedByKind(@TempDir Path dir) throws IOException {
        String llama = Files.readString(Path.of("../examples/small-llama.config.json"));
        Files.writeString(dir.resolve("org--moe.config.json"), llama.replace("LlamaForCausalLM", "Llama4ForCausalLM"));
        Path configs = dir;
        assertThat(RowSetup.of(row("batch_size", "4", "tp_size", "8"), configs, HfConfigReader::read).toString())
                .startsWith("Refused[reason=" + RowSetup.ARCHITECTURE + ", detail=" + configs
                        + "/org--moe.config.json: architectures: Llama4ForCausalLM is not supported");
        Files.writeString(dir.resolve("org--moe.config.json"), llama.replace("\"torch_dtype\": \"bfloat16\"",
                "\"torch_dtype\": \"bfloat16\", \"quantization_config\": {\"quant_method\": \"nvfp4\"}"));
        assertThat(((RowSetup.Refused) RowSetup.of(row("batch_size", "4", "tp_size", "8"), configs,
                HfConfigReader::read)).reason()).isEqualTo(RowSetup.QUANTIZATION);
        Files.writeString(dir.resolve("org--moe.config.json"), llama.replace("\"silu\"", "\"gelu\""));
        assertThat(((RowSetup.Refused) RowSetup.of(row("batch_size", "4", "tp_size", "8"), configs,
                HfConfigReader::read)).reason()).isEqualTo(RowSetup.ARCHITECTURE);
        Files.delete(dir.resolve("org--moe.config.json"));
        assertThat(((RowSetup.Refused) RowSetup.of(row("batch_size", "4", "tp_size", "8"), configs,
                HfConfigReader::read)).reason()).isEqualTo(RowSetup.CONFIG_UNREADABLE);
        // both formats unmodeled: refused for them, whatever the missing config would have said
        assertThat(RowSetup.of(row("batch_size", "4", "tp_size", "8", "gemm_quant_mode", "nvfp4", "moe_quant_mode",
                "nvfp4"), configs, HfConfigReader::read)).isEqualTo(new RowSetup.Refused(RowSetup.QUANTIZATION,
                "gemm_quant_mode nvfp4, moe_quant_mode nvfp4"));
    }

    @Test
    void aModelTooLargeForTheGpuShouldBeRefusedForItsMemory() {
        Architecture big = new Architecture("big", 64, 4096, 1000, false, new Attention.Gqa(64, 8, 128), 0, 0,
                new Experts(128, 8, 1536, 0), WeightFormat.BF16); // 309 GB of experts alone
        assertThat(((RowSetup.Refused) RowSetup.of(row("batch_size", "4", "tp_size", "1"), Path.of("configs"),
                config -> big)).reason()).isEqualTo("weights and KV cache do not fit the GPU memory");
    }

    @Test
    void moreSequencesThanTheKvCacheHoldsShouldRunAsManyAsFit() {
        // 4 layers × 2 × 8 KV heads × 128 × 2 B (bf16) × (1,024 + 2,048 / 2) tokens = 33.6 MB a sequence, beside
        // ~9.7 GB of weights; SGLang has no batch limit of its own (its KV pool is it)
        RowSetup.Setup s = (RowSetup.Setup) setup(row("batch_size", "100000", "isl", "1024", "osl", "2048",
                "tp_size", "1", "gemm_quant_mode", "fp8", "moe_quant_mode", "fp8", "backend", "sglang"));

        assertThat(s.decode().maxRunning()).isLessThan(100_000).isGreaterThan(1500);
        assertRoomIsAllThatFits(s, 2048, 2);
    }

    @Test
    void moreSequencesThanTheEngineRunsAtOnceShouldWaitThoughTheKvCacheHoldsThem() {
        // TensorRT-LLM's max_batch_size and vLLM's max_num_seqs on an H100 (80 GB) cap what runs, not its memory
        String[] columns = {"batch_size", "5000", "isl", "128", "osl", "128", "tp_size", "1", "gemm_quant_mode",
                "fp8", "moe_quant_mode", "fp8"};
        assertThat(((RowSetup.Setup) setup(row(columns))).decode().maxRunning()).isEqualTo(2048);
        String[] vllm = Arrays.copyOf(columns, columns.length + 2);
        vllm[columns.length] = "backend";
        vllm[columns.length + 1] = "vllm";
        assertThat(((RowSetup.Setup) setup(row(vllm))).decode().maxRunning()).isEqualTo(1024);
    }

    /** The worker runs as many sequences of {@code tokens} as its memory holds, and not one more. */
    private static void assertRoomIsAllThatFits(RowSetup.Setup s, long tokens, int kvBytes) {
        int room = s.decode().maxRunning();
        assertThat(MemoryFootprint.of(s.model(), s.decode().layout(), room, tokens, kvBytes).fits(s.device()))
                .isTrue();
        assertThat(MemoryFootprint.of(s.model(), s.decode().layout(), room + 1, tokens, kvBytes).fits(s.device()))
                .isFalse();
    }

    @Test
    void vllmAndSglangShouldHoldTheMeanKvLengthWhereTensorRtLlmReservesTheWholeOutput() {
        String[] columns = {"batch_size", "100000", "isl", "8192", "osl", "8192", "tp_size", "1",
                "gemm_quant_mode", "fp8", "moe_quant_mode", "fp8"};
        for (String backend : new String[] {"vllm", "sglang"}) {
            String[] engine = Arrays.copyOf(columns, columns.length + 2);
            engine[columns.length] = "backend";
            engine[columns.length + 1] = backend;
            // bf16 KV (the engines' auto) at 8,192 + 4,096 tokens: fewer than vLLM's 1,024 fit
            assertRoomIsAllThatFits((RowSetup.Setup) setup(row(engine)), 12288, 2);
        }
    }

    @Test
    void theRowsEngineShouldSetItsStepBudgetAndAnUnknownOneBeRefused() {
        RowSetup.Setup s = (RowSetup.Setup) setup(row("batch_size", "4", "tp_size", "8", "system", "b200_sxm",
                "backend", "sglang"));
        assertThat(s.decode().stepTokens()).isEqualTo(16384);
        RowSetup.Refused r = (RowSetup.Refused) setup(row("batch_size", "4", "tp_size", "8", "backend", "tgi"));
        assertThat(r.reason()).isEqualTo(RowSetup.BAD_ROW);
        assertThat(r.detail()).isEqualTo("rows.csv:2: column backend: must be one of trtllm, vllm, sglang: 'tgi'");
        // a run out of scope for its format is so whatever its engine column holds (review: scope had hung on order)
        assertThat(setup(row("batch_size", "4", "tp_size", "8", "backend", "tgi", "gemm_quant_mode", "nvfp4",
                "moe_quant_mode", "nvfp4"))).isEqualTo(new RowSetup.Refused(RowSetup.QUANTIZATION,
                "gemm_quant_mode nvfp4, moe_quant_mode nvfp4"));
        // an output of one token has no TPOT to judge: out of scope, not a bad row
        RowSetup.Refused oneToken = (RowSetup.Refused) setup(row("batch_size", "4", "tp_size", "8", "osl", "1"));
        assertThat(oneToken).isEqualTo(new RowSetup.Refused(RowSetup.NOT_MEASURED, "rows.csv:2: osl 1 has no TPOT"));
        assertThat(ServingCheck.outOfScope(oneToken.reason())).isTrue();
        // any other osl that is no output length is a bad row, in scope (review: it had gone out of scope)
        for (String osl : new String[] {"abc", "0", ""})
            assertThat(((RowSetup.Refused) setup(row("batch_size", "4", "tp_size", "8", "osl", osl))).reason())
                    .as(osl).isEqualTo(RowSetup.BAD_ROW);
    }

    @Test
    void aRowWithoutAUsableMeasurementShouldBeRefusedForItAndOutOfScope() {
        RowSetup.Refused empty = (RowSetup.Refused) setup(row("batch_size", "4", "tp_size", "8",
                "silicon_ttft_ms", ""));
        RowSetup.Refused negative = (RowSetup.Refused) setup(row("batch_size", "4", "system", "gb200",
                "silicon_tpot_ms", "-1"));

        assertThat(empty.reason()).isEqualTo(RowSetup.NOT_MEASURED);
        assertThat(empty.detail())
                .isEqualTo("rows.csv:2: column silicon_ttft_ms: must be a finite decimal number > 0: ''");
        // refused for it before anything else: a GPU outside the catalog is not what keeps this run out
        assertThat(negative.reason()).isEqualTo(RowSetup.NOT_MEASURED);
        assertThat(negative.detail())
                .isEqualTo("rows.csv:2: column silicon_tpot_ms: must be a finite decimal number > 0: '-1'");
        assertThat(ServingCheck.outOfScope(RowSetup.NOT_MEASURED)).isTrue();
    }

    /**
     * 1e-320 is above zero but its reciprocal is not finite: the % error had been Infinity, and "Infinity" in JSON.
     * Review: 1e308 had been predicted, its % error weighing in the group's statistics.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "silicon_ttft_ms|1e-320|must be at least a nanosecond (1e-6 ms): no serving time is shorter",
            "silicon_tpot_ms|1e308|over a day (86400000 ms): not a measurement (a unit mistake?)"})
    void aMeasuredTimeOutsideANanosecondToADayShouldBeRefused(String column, String value, String problem) {
        RowSetup.Refused r = (RowSetup.Refused) setup(row("batch_size", "4", "tp_size", "8", column, value));

        assertThat(r.reason()).isEqualTo(RowSetup.NOT_MEASURED);
        assertThat(r.detail()).isEqualTo("rows.csv:2: column " + column + ": " + problem + ": '" + value + "'");
    }

    @Test
    void aMeasuredTimeShouldBeAPlainDecimalNotAJavaLiteral() {
        for (String garbled : List.of("12d", "0x1p3", " 12", "NaN", "Infinity")) {
            RowSetup.Refused r = (RowSetup.Refused) setup(row("batch_size", "4", "tp_size", "8",
                    "silicon_tpot_ms", garbled));

            assertThat(r.reason()).as(garbled).isEqualTo(RowSetup.NOT_MEASURED);
            assertThat(r.detail()).isEqualTo("rows.csv:2: column silicon_tpot_ms: must be a finite decimal number > 0:"
                    + " '" + garbled + "'");
        }
    }

    @Test
    void anAggregatedRowWithoutAConcurrencyShouldBeRefusedForItsBatchSize() {
        RowSetup.Refused r = (RowSetup.Refused) setup(row("tp_size", "8"));

        assertThat(r.reason()).isEqualTo(RowSetup.BAD_ROW);
        assertThat(r.detail()).isEqualTo("rows.csv:2: column batch_size: must be an integer >= 1: ''");
    }

    /** Review: columns the row's reading does not use had let any text through. */
    @Test
    void aBadValueInAColumnNotUsedShouldStillMakeABadRow() {
        Architecture dense = new Architecture("LlamaForCausalLM", 4, 4096, 1000, false, new Attention.Gqa(64, 8, 128),
                4, 14336, null, WeightFormat.BF16);
        RowSetup.Refused batch = (RowSetup.Refused) setup(row("silicon_data_source", "silicon_concurrency=8",
                "batch_size", "abc", "tp_size", "8"));
        RowSetup.Refused moe = (RowSetup.Refused) setup(row("batch_size", "8", "tp_size", "8", "moe_ep_size", "-1"),
                dense);

        assertThat(batch.reason()).isEqualTo(RowSetup.BAD_ROW);
        assertThat(batch.detail()).isEqualTo("rows.csv:2: column batch_size: must be an integer >= 1: 'abc'");
        assertThat(moe.reason()).isEqualTo(RowSetup.BAD_ROW);
        assertThat(moe.detail()).isEqualTo("rows.csv:2: column moe_ep_size: must be an integer >= 1: '-1'");
    }

    /** A data frame writes an integer column with gaps as floats: 8.0 is 8; 8.5 is no size. */
    @Test
    void aSizeWrittenAsAFloatShouldBeTheIntegerItEquals() {
        RowSetup.Setup floats = (RowSetup.Setup) setup(row("batch_size", "64.0", "tp_size", "8.0", "moe_ep_size",
                "8.00", "moe_tp_size", "0.0"));
        RowSetup.Setup ints = (RowSetup.Setup) setup(row("batch_size", "64", "tp_size", "8", "moe_ep_size", "8"));
        assertThat(floats.decode()).isEqualTo(ints.decode());
        assertThat(floats.request()).isEqualTo(ints.request());
        for (String notAnInteger : List.of("8.5", "1e1", "+8", "0x8", "-0", "2147483648", "1" + "0".repeat(100_000)))
            assertThat(((RowSetup.Refused) setup(row("batch_size", "64", "tp_size", notAnInteger))).detail())
                    .isEqualTo("rows.csv:2: column tp_size: must be an integer >= 1: '" + notAnInteger + "'");
    }
}
