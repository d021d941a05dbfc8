package gemmcost.serving;

import static org.assertj.core.api.Assertions.assertThat;

import gemmcost.device.DeviceCatalog;
import org.junit.jupiter.api.Test;

class EngineTest {
    @Test
    void sglangOnAGpuOf160GibOrMoreShouldPrefill16384TokensAStepAndTheOthers8192() {
        assertThat(Engine.SGLANG.stepTokens(DeviceCatalog.require("b200"))).isEqualTo(16384);
        assertThat(Engine.SGLANG.stepTokens(DeviceCatalog.require("h200"))).isEqualTo(8192);
        assertThat(Engine.TRTLLM.stepTokens(DeviceCatalog.require("b200"))).isEqualTo(8192);
        assertThat(Engine.VLLM.stepTokens(DeviceCatalog.require("b200"))).isEqualTo(8192);
    }

    @Test
    void tensorRtLlmShouldReserveTheWholeOutputAndThePagedEnginesHoldHalfOfIt() {
        assertThat(Engine.TRTLLM.kvTokensHeld(1024, 1024)).isEqualTo(2048);
        assertThat(Engine.VLLM.kvTokensHeld(1024, 1023)).isEqualTo(1024 + 511);
        assertThat(Engine.SGLANG.kvTokensHeld(1000, 100)).isEqualTo(1050);
    }

    @Test
    void anEngineShouldBeParsedFromItsId() {
        assertThat(Engine.parse("vllm")).contains(Engine.VLLM);
        assertThat(Engine.parse("VLLM")).isEmpty();
    }
}
