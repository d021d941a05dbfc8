package gemmcost.plan;

import gemmcost.comm.Collective;
import gemmcost.dag.Dag;
import gemmcost.dag.Work;
import gemmcost.model.Deployment;
import gemmcost.model.ModelSpec;
import gemmcost.model.Plan;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator DAG of a TP×PP plan: per micro-batch, stage by stage, each op of a layer is one node occupying the
 * stage's TP group (every GPU of the group does the same share). Between stages each TP rank sends its 1/tp slice
 * of the hidden state and the next group all-gathers it (Megatron's scatter-gather).
 */
final class TpPpDag {
    private final Deployment deployment;
    private final Plan.TpPp plan;
    private final ModelSpec model;
    private final OpGraph graph = new OpGraph();

    private TpPpDag(Deployment deployment, Plan.TpPp plan) {
        this.deployment = deployment;
        this.plan = plan;
        this.model = deployment.model();
    }

    static Dag build(Deployment deployment, Plan.TpPp plan) {
        TpPpDag dag = new TpPpDag(deployment, plan);
        dag.microBatch();
        dag.graph.repeatMicroBatches(plan.microBatches());
        return dag.graph.build(deployment.name());
    }

    /** Micro-batch 0; the others are copies of it. */
    private void microBatch() {
        LayerOps ops = LayerOps.microBatch(graph, deployment);
        long m = ops.tokens();
        int tp = plan.tp();
        int layersPerStage = model.layers() / plan.pp();
        String p = OpGraph.microBatch(0);
        int[] group = OpGraph.gpus(0, tp);
        int prev = ops.elementwise(p + ".embedding", "embedding gather", group, m, 1);
        for (int stage = 0; stage < plan.pp(); stage++) {
            int[] stageGpus = OpGraph.gpus(stage * tp, tp);
            if (stage > 0) {
                prev = graph.op(p + ".send" + stage, "send to stage " + stage, OpGraph.union(group, stageGpus),
                        new Work.Comm(Collective.SEND_RECV, ops.hiddenBytes(m) / tp), prev);
                if (tp > 1)
                    prev = graph.op(p + ".gather" + stage, "all-gather after receive", stageGpus,
                            new Work.Comm(Collective.ALL_GATHER, ops.hiddenBytes(m)), prev);
            }
            group = stageGpus;
            for (int l = stage * layersPerStage; l < (stage + 1) * layersPerStage; l++)
                prev = layer(ops, p + ".L" + l, group, prev);
        }
        int norm = ops.elementwise(p + ".final_norm", "final norm", group, m, 1, prev);
        ops.gemm(p + ".lm_head", "LM head (vocab-parallel)", group, m, model.hidden(),
                Math.ceilDiv(model.vocab(), tp), norm);
    }

    private int layer(LayerOps ops, String p, int[] group, int prev) {
        long m = ops.tokens();
        int headsPerGpu = model.heads() / plan.tp();
        int norm1 = ops.elementwise(p + ".norm1", "norm", group, m, 1, prev);
        int[] qkv = ops.qkv(p, group, headsPerGpu, norm1);
        int[] heads = ops.heads(p, group, headsPerGpu, qkv);
        int out = ops.gemm(p + ".o_proj", "output projection (row-parallel)", group, m,
                (long) headsPerGpu * model.headDim(), model.hidden(), heads);
        int reduced = allReduce(ops, p + ".attn_all_reduce", group, out);
        int residual1 = ops.elementwise(p + ".residual1", "residual add", group, m, 2, reduced);
        int norm2 = ops.elementwise(p + ".norm2", "norm", group, m, 1, residual1);
        int[] mlp = plan.mlp() == Plan.Mlp.DENSE
                ? new int[] {ops.ffn(p + ".mlp", "dense MLP", group, m, model.expertHidden() / plan.tp(), norm2)}
                : experts(ops, p, group, norm2);
        int reduced2 = allReduce(ops, p + ".mlp_all_reduce", group, mlp);
        return ops.elementwise(p + ".residual2", "residual add", group, m, 2, reduced2);
    }

    /** Every expert, TP-sharded across the group, each on the tokens routed to it. */
    private int[] experts(LayerOps ops, String p, int[] group, int after) {
        int router = ops.gemm(p + ".router", "router", group, ops.tokens(), model.hidden(), model.experts(), after);
        long[] tokens = Routing.tokensPerExpert(ops.tokens(), model.topK(), model.experts(), 1.0);
        List<Integer> downs = new ArrayList<>();
        for (int e = 0; e < model.experts(); e++)
            downs.add(ops.ffn(p + ".expert" + e, "expert " + e + " (TP shard)", group, tokens[e],
                    model.expertHidden() / plan.tp(), router));
        return downs.stream().mapToInt(Integer::intValue).toArray();
    }

    private int allReduce(LayerOps ops, String id, int[] group, int... after) {
        if (group.length < 2)
            return after.length == 1 ? after[0] : graph.op(id, "join", group, new Work.Marker("join"), after);
        return graph.op(id, "all-reduce", group, new Work.Comm(Collective.ALL_REDUCE, ops.hiddenBytes(ops.tokens())),
                after);
    }
}
