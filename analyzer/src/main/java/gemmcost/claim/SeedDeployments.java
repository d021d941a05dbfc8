package gemmcost.claim;

import gemmcost.comm.Network;
import gemmcost.device.Dtype;
import gemmcost.model.Activation;
import gemmcost.model.Deployment;
import gemmcost.model.ModelSpec;
import gemmcost.model.Phase;
import gemmcost.model.Plan;
import gemmcost.model.Workload;
import java.util.List;

/**
 * The seed report's model and its two plans on 16 GPUs (2 nodes × 8), as built-in deployments; the files in
 * {@code examples/} hold the same (a test keeps them equal).
 */
public final class SeedDeployments {
    /** 4 layers, hidden 4096, 32 heads × 128, vocab 50265, 16 experts of 16384, top-2. */
    public static final ModelSpec MODEL = new ModelSpec(4, 4096, 32, 128, 50265, 16, 16384, 2, Dtype.BF16,
            Activation.GELU);
    /** Batch 1024 sequences of 2048 tokens. */
    public static final Workload WORKLOAD = new Workload(1024, 2048);

    private SeedDeployments() {
    }

    /** TP8 × PP2; {@code mlp} says whether the feed-forward block is costed dense (as the seed) or MoE. */
    public static Deployment baseline(Plan.Mlp mlp, Phase phase) {
        String name = mlp == Plan.Mlp.DENSE ? "seed baseline: TP8 x PP2, dense MLP as the seed costs it"
                : "baseline TP8 x PP2 with the model's 16 experts (TP-sharded)";
        return new Deployment(name, 16, MODEL, WORKLOAD, new Plan.TpPp(8, 2, 1, mlp), phase, Network.h100Default());
    }

    /** 12 attention GPUs (3 heads on GPUs 0–7, 2 on 8–11) and 4 MoE GPUs with 4 experts each. */
    public static Deployment maSeparation(Phase phase) {
        return new Deployment("seed MA-separation: 12 attention GPUs (3 heads on 0-7, 2 on 8-11) + 4 MoE GPUs x 4 experts",
                16, MODEL, WORKLOAD, new Plan.MaSeparation(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
                List.of(3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2), List.of(12, 13, 14, 15), List.of(4, 4, 4, 4), 1.0, 1),
                phase, Network.h100Default());
    }
}
