package gemmcost.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import gemmcost.dag.Dag;
import gemmcost.dag.WorkKind;
import gemmcost.deploy.Parallelism;
import gemmcost.model.Phase;
import gemmcost.model.hf.Architecture;
import gemmcost.model.hf.Attention;
import gemmcost.model.hf.WeightFormat;
import gemmcost.plan.Step;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepCostTest {
    /** One layer, hidden 1024, 8 query heads and 2 KV heads of 128, a SwiGLU MLP of 2048, vocabulary 1000. */
    private static final Architecture SMALL_GQA = new Architecture("small", 1, 1024, 1000, false,
            new Attention.Gqa(8, 2, 128), 1, 2048, null, WeightFormat.BF16);

    @Test
    void aDecodeStepOfASmallGqaModelShouldBeEveryOpDerivedByHand() {
        // 4 sequences, each reading a 100-token KV cache, on one GPU; GEMMs at 1e12 FLOP/s, memory at 1e9 B/s
        StepCost step = StepCost.of("test", SMALL_GQA, new Parallelism(1, 1, 1, 1), new Step(Phase.DECODE, 4, 100, 2),
                TestCosts.teraFlopGigaByte());

        Map<String, Double> expectedUs = new LinkedHashMap<>();
        expectedUs.put("mb0.embedding", 4 * 1024 * 2 * 2 / 1e3);                // read + write 4 rows of bf16
        expectedUs.put("mb0.L0.norm1", 4 * 1024 * 2 * 2 / 1e3);
        expectedUs.put("mb0.L0.qkv", 2.0 * 4 * 1024 * (8 + 2 + 2) * 128 / 1e6);  // Q, K, V fused: n = 1536
        // Q and K, 4 × (8 + 2) heads × 128, read and written rotated; the new K and V, 4 × 2 × 2 × 128, cached
        expectedUs.put("mb0.L0.rope", (4.0 * 10 * 128 * 2 * 2 + 4 * 512 * 2) / 1e3);
        // KV read 4 × 100 × (2 × 2 × 128) elements × 2 B, plus Q in and output out, 4 × 8 × 256 × 2 B;
        // its 2 × 4 × 8 × 100 × 256 FLOP take 1.6 µs, so the bytes decide
        expectedUs.put("mb0.L0.attention", (4.0 * 100 * 512 * 2 + 4 * 8 * 256 * 2) / 1e3);
        expectedUs.put("mb0.L0.o_proj", 2.0 * 4 * 1024 * 1024 / 1e6);
        expectedUs.put("mb0.L0.norm2", 4 * 1024 * 2 * 4 / 1e3);                 // residual and norm: 2 reads, 2 writes
        expectedUs.put("mb0.L0.mlp.up", 2.0 * 4 * 1024 * 4096 / 1e6);           // gate and up: n = 2 × 2048
        expectedUs.put("mb0.L0.mlp.act", 3.0 * 4 * 2048 * 2 / 1e3);             // reads gate and up, writes one
        expectedUs.put("mb0.L0.mlp.down", 2.0 * 4 * 2048 * 1024 / 1e6);
        expectedUs.put("mb0.L0.residual", 4 * 1024 * 2 * 4 / 1e3);              // with the final norm, as norm2
        expectedUs.put("mb0.lm_head", 2.0 * 4 * 1024 * 1000 / 1e6);

        Dag dag = step.dag();
        Map<String, Double> actualUs = new LinkedHashMap<>();
        for (int v = 0; v < dag.size(); v++)
            actualUs.put(dag.id(v), step.costing().timeUs(v));
        assertThat(actualUs.keySet()).containsExactlyElementsOf(expectedUs.keySet());
        expectedUs.forEach((id, us) -> assertThat(actualUs.get(id)).as(id).isCloseTo(us, within(1e-9)));
        double total = expectedUs.values().stream().mapToDouble(Double::doubleValue).sum();
        // one GPU, one micro-batch: every op in a row, so the step is their sum both ways
        assertThat(step.stepUs()).isCloseTo(total, within(1e-9)).isCloseTo(677.511168, within(1e-6));
        assertThat(step.busiestGpuUs()).isCloseTo(total, within(1e-9));
        assertThat(step.criticalPathByKind()).containsEntry(WorkKind.COMMUNICATION, 0.0);
    }
}
