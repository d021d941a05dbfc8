package gemmcost.plan;

import gemmcost.comm.Collective;
import gemmcost.dag.Dag;
import gemmcost.dag.Work;
import gemmcost.model.Deployment;
import gemmcost.model.ModelSpec;
import gemmcost.model.Plan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The operator DAG of an MA-separation plan, per micro-batch and layer: every attention GPU computes Q, K, V,
 * attention and its slice of the output projection for its own heads; a reduce-scatter leaves each attention GPU
 * owning 1/A of the tokens, which it routes (gate) and dispatches to the MoE GPUs; each MoE GPU runs its experts
 * on the tokens routed to them; a combine returns the results, and an all-gather gives every attention GPU the
 * whole hidden state for the next layer. Micro-batches give MegaScale-Infer's ping-pong when the schedule
 * overlaps one micro-batch's experts with another's attention.
 */
final class MaSeparationDag {
    private final Deployment deployment;
    private final Plan.MaSeparation plan;
    private final ModelSpec model;
    private final OpGraph graph = new OpGraph();
    private final int[] attentionGpus;
    private final int[] moeGpus;
    private final int[] everyGpu;
    /** {@code {g}} for each attention and MoE GPU, made once (the builder copies the GPUs it is given). */
    private final int[][] attentionGpu;
    private final int[][] moeGpu;

    private MaSeparationDag(Deployment deployment, Plan.MaSeparation plan) {
        this.deployment = deployment;
        this.plan = plan;
        this.model = deployment.model();
        this.attentionGpus = plan.attentionGpus().stream().mapToInt(Integer::intValue).toArray();
        this.moeGpus = plan.moeGpus().stream().mapToInt(Integer::intValue).toArray();
        this.everyGpu = OpGraph.union(attentionGpus, moeGpus);
        this.attentionGpu = singletons(attentionGpus);
        this.moeGpu = singletons(moeGpus);
    }

    static Dag build(Deployment deployment, Plan.MaSeparation plan) {
        MaSeparationDag dag = new MaSeparationDag(deployment, plan);
        dag.microBatch();
        dag.graph.repeatMicroBatches(plan.microBatches());
        return dag.graph.build(deployment.name());
    }

    /** Micro-batch 0; the others are copies of it. */
    private void microBatch() {
        LayerOps ops = LayerOps.microBatch(graph, deployment);
        String p = OpGraph.microBatch(0);
        int[] ready = new int[attentionGpus.length];
        for (int i = 0; i < attentionGpus.length; i++)
            ready[i] = ops.elementwise(p + ".embedding@" + attentionGpus[i], "embedding gather", gpu(i),
                    ops.tokens(), 1);
        for (int l = 0; l < model.layers(); l++)
            ready = layer(ops, p + ".L" + l, ready, l == model.layers() - 1);
    }

    /** One layer; returns, per attention GPU, the op after which it may start the next layer. */
    private int[] layer(LayerOps ops, String p, int[] ready, boolean last) {
        long m = ops.tokens();
        long owned = Math.ceilDiv(m, attentionGpus.length);
        int[] outs = new int[attentionGpus.length];
        for (int i = 0; i < attentionGpus.length; i++) {
            String at = "@" + attentionGpus[i];
            int heads = plan.heads().get(i);
            int norm1 = ops.elementwise(p + ".norm1" + at, "norm", gpu(i), m, 1, ready[i]);
            int[] qkv = ops.qkv(p + at, gpu(i), heads, norm1);
            int[] headOps = ops.heads(p + at, gpu(i), heads, qkv);
            outs[i] = ops.gemm(p + ".o_proj" + at, "output projection (own heads)", gpu(i), m,
                    (long) heads * model.headDim(), model.hidden(), headOps);
        }
        int scattered = graph.op(p + ".reduce_scatter", "reduce-scatter over attention GPUs", attentionGpus,
                new Work.Comm(Collective.REDUCE_SCATTER, ops.hiddenBytes(m)), outs);
        int[] gates = new int[attentionGpus.length];
        for (int i = 0; i < attentionGpus.length; i++) {
            String at = "@" + attentionGpus[i];
            int residual = ops.elementwise(p + ".residual1" + at, "residual add", gpu(i), owned, 2, scattered);
            int norm2 = ops.elementwise(p + ".norm2" + at, "norm", gpu(i), owned, 1, residual);
            gates[i] = ops.gemm(p + ".gate" + at, "gate (router)", gpu(i), owned, model.hidden(), model.experts(),
                    norm2);
        }
        long[] tokens = Routing.tokensPerExpert(m, model.topK(), model.experts(), plan.imbalance());
        double busiestMoeGpu = busiestMoeGpuBytes(ops, tokens);
        int dispatch = graph.op(p + ".dispatch", "dispatch attention -> MoE", everyGpu,
                new Work.Comm(Collective.M_TO_N, busiestMoeGpu), gates);
        // the busiest MoE GPU sends back what it received; an attention GPU gets its own tokens' top-k rows: the
        // larger of the two sets the transfer
        int combine = graph.op(p + ".combine", "combine MoE -> attention", everyGpu, new Work.Comm(Collective.M_TO_N,
                Math.max(busiestMoeGpu, ops.hiddenBytes(owned * model.topK()))), experts(ops, p, tokens, dispatch));
        int[] next = new int[attentionGpus.length];
        for (int i = 0; i < attentionGpus.length; i++) {
            String at = "@" + attentionGpus[i];
            next[i] = ops.elementwise(p + ".residual2" + at, "weighted sum + residual", gpu(i), owned,
                    model.topK() + 1, combine);
            if (last) {
                int norm = ops.elementwise(p + ".final_norm" + at, "final norm", gpu(i), owned, 1, next[i]);
                ops.gemm(p + ".lm_head" + at, "LM head (own tokens)", gpu(i), owned, model.hidden(), model.vocab(),
                        norm);
            }
        }
        if (last)
            return next;
        int gathered = graph.op(p + ".all_gather", "all-gather over attention GPUs", attentionGpus,
                new Work.Comm(Collective.ALL_GATHER, ops.hiddenBytes(m)), next);
        int[] ready2 = new int[attentionGpus.length];
        Arrays.fill(ready2, gathered);
        return ready2;
    }

    /** Each MoE GPU runs its experts, each on the tokens routed to it; returns every expert's last op. */
    private int[] experts(LayerOps ops, String p, long[] tokens, int dispatch) {
        List<Integer> downs = new ArrayList<>();
        int expert = 0;
        for (int j = 0; j < moeGpus.length; j++)
            for (int e = 0; e < plan.experts().get(j); e++, expert++)
                downs.add(ops.ffn(p + ".expert" + expert + "@" + moeGpus[j], "expert " + expert, moeGpu[j],
                        tokens[expert], model.expertHidden(), dispatch));
        return downs.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Bytes the busiest MoE GPU receives: the hidden states of every token routed to its experts. */
    private double busiestMoeGpuBytes(LayerOps ops, long[] tokens) {
        long busiest = 0;
        int expert = 0;
        for (int j = 0; j < moeGpus.length; j++) {
            long received = 0;
            for (int e = 0; e < plan.experts().get(j); e++)
                received += tokens[expert++];
            busiest = Math.max(busiest, received);
        }
        return ops.hiddenBytes(busiest);
    }

    private int[] gpu(int attentionIndex) {
        return attentionGpu[attentionIndex];
    }

    private static int[][] singletons(int[] gpus) {
        int[][] each = new int[gpus.length][];
        for (int i = 0; i < gpus.length; i++)
            each[i] = new int[] {gpus[i]};
        return each;
    }
}
