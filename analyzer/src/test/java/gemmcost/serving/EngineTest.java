package gemmcost.serving;

import static org.assertj.core.api.Assertions.assertThat;

import gemmcost.deploy.Parallelism;
import gemmcost.device.Device;
import gemmcost.device.DeviceCatalog;
import java.time.LocalDate;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class EngineTest {

    @Test
    void sglangShouldSizeItsChunkByGpuMemoryAndTensorRtLlmPrefill8192Tokens() {
        assertThat(Engine.SGLANG.stepTokens(DeviceCatalog.require("b200"), 1)).isEqualTo(16384);
        assertThat(Engine.SGLANG.stepTokens(DeviceCatalog.require("h200"), 1)).isEqualTo(8192);
        assertThat(Engine.SGLANG.stepTokens(DeviceCatalog.require("h100-sxm"), 1)).isEqualTo(8192);
        assertThat(Engine.SGLANG.stepTokens(DeviceCatalog.require("l40s"), 1)).isEqualTo(4096); // 45 GiB
        assertThat(Engine.SGLANG.stepTokens(withMemory(160 * Device.GIB - 1), 1)).isEqualTo(8192);
        assertThat(Engine.SGLANG.stepTokens(withMemory(160 * Device.GIB), 1)).isEqualTo(16384);
        assertThat(Engine.SGLANG.stepTokens(withMemory(35 * Device.GIB - 1), 1)).isEqualTo(2048);
        assertThat(Engine.TRTLLM.stepTokens(DeviceCatalog.require("b200"), 8)).isEqualTo(8192);
    }

    @Test
    void vllmShouldPrefill8192TokensAStepOnLargeGpusBut2048OnSmallOnesAndA100s() {
        assertThat(Engine.VLLM.stepTokens(DeviceCatalog.require("h100-sxm"), 1)).isEqualTo(8192);
        assertThat(Engine.VLLM.stepTokens(DeviceCatalog.require("b200"), 4)).isEqualTo(8192); // per rank
        assertThat(Engine.VLLM.stepTokens(withMemory(70 * Device.GIB), 1)).isEqualTo(8192);
        assertThat(Engine.VLLM.stepTokens(withMemory(70 * Device.GIB - 1), 1)).isEqualTo(2048);
        assertThat(Engine.VLLM.stepTokens(DeviceCatalog.require("l40s"), 1)).isEqualTo(2048); // 45 GiB
        assertThat(Engine.VLLM.stepTokens(DeviceCatalog.require("a100-sxm-80gb"), 1)).isEqualTo(2048); // 80 GiB
    }

    @Test
    void aDisaggregatedPrefillBatchShouldBeWhatTheStepBudgetHoldsPerPipelineStageWithTensorRtLlm() {
        Parallelism one = new Parallelism(1, 1, 1, 1);
        Parallelism fourStages = new Parallelism(1, 4, 1, 1);
        // 8,192 tokens hold 2 prompts of 4,096, and 2 of 3,000 (8,192 // 3,000)
        assertThat(Engine.TRTLLM.prefillBatch(one, 8, 8192, 4096)).isEqualTo(2);
        assertThat(Engine.VLLM.prefillBatch(one, 8, 8192, 3000)).isEqualTo(2);
        assertThat(Engine.SGLANG.prefillBatch(one, 1, 8192, 512)).isEqualTo(1); // the batch, where it is smaller
        // a prompt longer than the step still runs, alone
        assertThat(Engine.VLLM.prefillBatch(one, 8, 2048, 4096)).isEqualTo(1);
        // TensorRT-LLM's budget is each in-flight batch's: 4 stages x 2 prompts
        assertThat(Engine.TRTLLM.prefillBatch(fourStages, 16, 8192, 4096)).isEqualTo(8);
        assertThat(Engine.VLLM.prefillBatch(fourStages, 16, 8192, 4096)).isEqualTo(2);
    }

    @Test
    void theEnginesShouldRunAtMostTheirDefaultBatchPerAttentionReplica() {
        Device h200 = DeviceCatalog.require("h200");
        OptionalInt none = OptionalInt.empty();
        assertThat(Engine.TRTLLM.maxRunning(h200, new Parallelism(1, 1, 1, 1), 8192)).isEqualTo(2048);
        assertThat(Engine.TRTLLM.maxRunning(h200, new Parallelism(8, 1, 8, 8), 8192)).isEqualTo(8 * 2048);
        // one batch in flight per pipeline stage: pp_size × max_batch_size
        assertThat(Engine.TRTLLM.maxRunning(h200, new Parallelism(1, 2, 1, 1), 8192)).isEqualTo(2 * 2048);
        // every running sequence's decode token counts against the step budget
        assertThat(Engine.TRTLLM.maxRunning(h200, new Parallelism(1, 1, 1, 1), 1000)).isEqualTo(1000);
        assertThat(Engine.VLLM.maxRunning(DeviceCatalog.require("h100-sxm"), new Parallelism(2, 1, 1, 2), 8192))
                .isEqualTo(2 * 1024);
        assertThat(Engine.VLLM.maxRunning(DeviceCatalog.require("l40s"), new Parallelism(1, 1, 1, 1), 2048))
                .isEqualTo(256);
        assertThat(Engine.VLLM.maxRunning(DeviceCatalog.require("a100-sxm-80gb"), new Parallelism(1, 1, 1, 1), 2048))
                .isEqualTo(256);
        assertThat(Engine.SGLANG.maxRunning(DeviceCatalog.require("b200"), new Parallelism(8, 1, 8, 8), 2048))
                .isEqualTo(Integer.MAX_VALUE);
        assertThat(Engine.TRTLLM.runningLimit(h200, new Parallelism(1, 8, 1, 1), 8192, none))
                .isEqualTo("TensorRT-LLM's"
                + " batch of at most max_batch_size 2048 and the 8192-token step, one in flight per pipeline stage:"
                + " 16384 per attention replica");
        assertThat(Engine.TRTLLM.runningLimit(h200, new Parallelism(1, 1, 1, 1), 1000, none))
                .isEqualTo("TensorRT-LLM's"
                + " batch of at most max_batch_size 2048 and the 1000-token step: 1000 per attention replica");
    }

    @Test
    void aGivenBatchLimitShouldReplaceTheDefaultOnEachReplicaWithinTheStepBudgetWhereTheStepHoldsDecodes() {
        Parallelism fourReplicasTwoStages = new Parallelism(4, 2, 1, 4);
        // TensorRT-LLM: 64 a batch, one batch in flight per stage, on each of 4 replicas
        assertThat(Engine.TRTLLM.maxRunning(fourReplicasTwoStages, 8192, 64)).isEqualTo(64 * 2 * 4);
        assertThat(Engine.TRTLLM.maxRunning(new Parallelism(1, 1, 1, 1), 48, 64)).isEqualTo(48);
        assertThat(Engine.VLLM.maxRunning(new Parallelism(2, 1, 1, 2), 8192, 300)).isEqualTo(600);
        // SGLang's prefill steps hold no decode token: a 2,048-token chunk does not bound its 3,000 running
        assertThat(Engine.SGLANG.maxRunning(new Parallelism(1, 1, 1, 1), 2048, 3000)).isEqualTo(3000);
        assertThat(Engine.SGLANG.batchLimit(DeviceCatalog.require("h200"))).isEqualTo(Integer.MAX_VALUE);
        Device h100 = DeviceCatalog.require("h100-sxm");
        assertThat(Engine.VLLM.runningLimit(h100, new Parallelism(1, 1, 1, 1), 8192, OptionalInt.of(300)))
                .isEqualTo("vLLM's --max-running 300 (max_num_seqs), at most the 8192-token step: 300 per attention"
                        + " replica");
        assertThat(Engine.VLLM.runningLimit(h100, new Parallelism(1, 1, 1, 1), 8192, OptionalInt.empty()))
                .isEqualTo("vLLM's max_num_seqs on h100-sxm, at most the 8192-token step: 1024 per attention"
                        + " replica");
        assertThat(Engine.SGLANG.runningLimit(h100, new Parallelism(2, 1, 1, 2), 8192, OptionalInt.of(50)))
                .isEqualTo("SGLang's --max-running 50 (max_running_requests): 50 per attention replica");
        assertThat(Engine.SGLANG.runningLimit(h100, new Parallelism(2, 1, 1, 2), 8192, OptionalInt.empty()))
                .isEqualTo("its KV cache");
    }

    @Test
    void sglangShouldDivideItsChunkAmongAttentionReplicas() {
        assertThat(Engine.SGLANG.stepTokens(DeviceCatalog.require("b200"), 8)).isEqualTo(2048);
        assertThat(Engine.SGLANG.stepTokens(DeviceCatalog.require("h200"), 3)).isEqualTo(2730);
    }

    @Test
    void tensorRtLlmShouldReserveTheWholeOutputAndThePagedEnginesHoldHalfOfIt() {
        assertThat(Engine.TRTLLM.kvTokensHeld(1024, 1024)).isEqualTo(2048);
        assertThat(Engine.VLLM.kvTokensHeld(1024, 1023)).isEqualTo(1024 + 511);
        assertThat(Engine.SGLANG.kvTokensHeld(1000, 100)).isEqualTo(1050);
    }

    @Test
    void vllmShouldScheduleAheadFrom014AndTheOthersAlwaysButNoneWithPipelineStages() {
        Parallelism flat = new Parallelism(8, 1, 1, 1);
        Optional<LocalDate> noDay = Optional.empty();
        assertThat(Engine.VLLM.schedulesAhead(flat, Optional.of("0.12.0"), noDay)).isFalse();
        assertThat(Engine.VLLM.schedulesAhead(flat, Optional.of("0.13.9"), noDay)).isFalse();
        assertThat(Engine.VLLM.schedulesAhead(flat, Optional.of("0.14.0"), noDay)).isTrue();
        assertThat(Engine.VLLM.schedulesAhead(flat, Optional.of("v0.14.0"), noDay)).isTrue();
        assertThat(Engine.VLLM.schedulesAhead(flat, Optional.of("0.18.0"), noDay)).isTrue();
        assertThat(Engine.VLLM.schedulesAhead(flat, Optional.of("1.0.0"), noDay)).isTrue();
        assertThat(Engine.VLLM.schedulesAhead(flat, Optional.empty(), noDay)).isTrue(); // the current release
        assertThat(Engine.TRTLLM.schedulesAhead(flat, Optional.of("0.8.1.post1"), noDay)).isTrue();
        assertThat(Engine.SGLANG.schedulesAhead(flat, Optional.of("0.5.6.post2"), noDay)).isTrue();
        for (Engine e : Engine.values())
            assertThat(e.workers(new Parallelism(4, 2, 1, 1), 1, 1, 1, 8192, Optional.empty(), noDay)
                    .schedulesAhead()).as(e.id()).isFalse();
    }

    @Test
    void aVllmRunWithoutAVersionShouldBeTakenAsTheReleaseOfItsDay() {
        Parallelism flat = new Parallelism(8, 1, 1, 1);
        assertThat(Engine.VLLM.schedulesAhead(flat, Optional.empty(), Optional.of(LocalDate.of(2025, 12, 1))))
                .isFalse();
        assertThat(Engine.VLLM.schedulesAhead(flat, Optional.empty(), Optional.of(LocalDate.of(2026, 1, 21))))
                .isTrue();
        // a version that names no release falls back to the day
        assertThat(Engine.VLLM.schedulesAhead(flat, Optional.of("nightly"), Optional.of(LocalDate.of(2025, 11, 2))))
                .isFalse();
        assertThat(Engine.VLLM.schedulesAhead(flat, Optional.of("nightly"), Optional.empty())).isTrue();
    }

    @Test
    void anEngineShouldBeParsedFromItsId() {
        assertThat(Engine.parse("vllm")).contains(Engine.VLLM);
        assertThat(Engine.parse("VLLM")).isEmpty();
    }

    private static Device withMemory(long bytes) {
        Device h200 = DeviceCatalog.require("h200");
        return new Device("test", "a GPU of " + bytes + " B", h200.smCount(), bytes, h200.bandwidthBytesPerSec(),
                h200.peakFlopsPerSec(), "a test device");
    }
}
