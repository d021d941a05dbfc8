package gemmcost.plan;

import gemmcost.comm.Collective;
import gemmcost.dag.Dag;
import gemmcost.dag.Work;
import gemmcost.deploy.Afd;
import gemmcost.deploy.Layout;
import gemmcost.deploy.Parallelism;
import gemmcost.model.Phase;
import gemmcost.model.hf.Architecture;
import gemmcost.model.hf.Experts;

/**
 * The operator DAG of one step of a real model ({@link Architecture}) on a {@link Layout}. Every GPU of a group does
 * the same share of an op (its heads, its experts, its replica's sequences), so an op is one node on the whole group
 * and a collective among one replica's GPUs is a node on the first replica's. Micro-batch 0 is built; the others
 * are copies of it, which meet it only on the GPUs.
 */
public final class ModelDag {
    /** Activations between ops, and what MoE combine sends, are bf16 in every engine. */
    static final int ACTIVATION_BYTES = 2;

    private final Architecture model;
    private final Layout layout;
    private final Step step;
    private final OpGraph graph = new OpGraph();
    private final ModelOps ops;
    /** Sequences of one attention replica in one micro-batch. */
    private final long replicaSequences;

    private ModelDag(Architecture model, Layout layout, Step step) {
        this.model = model;
        this.layout = layout;
        this.step = step;
        long microBatch = Math.ceilDiv(step.sequences(), layout.microBatches());
        this.replicaSequences = Math.ceilDiv(microBatch, layout.attentionReplicas());
        this.ops = new ModelOps(graph, model, step, replicaSequences, layout.attentionTp());
    }

    /** The DAG of {@code step} on {@code layout}; {@code layout.misfit(model)} must be null. */
    public static Dag build(String name, Architecture model, Layout layout, Step step) {
        ModelDag dag = new ModelDag(model, layout, step);
        switch (layout) {
            case Parallelism p -> dag.stages(p);
            case Afd afd -> dag.afd(afd);
        }
        dag.graph.repeatMicroBatches(layout.microBatches());
        return dag.graph.build(name);
    }

    /** Tokens of the step over every attention replica of a stage: what the router spreads over the experts. */
    private long stageRows() {
        return ops.rows() * layout.attentionReplicas();
    }

    private void stages(Parallelism p) {
        String mb = OpGraph.microBatch(0);
        int[] group = OpGraph.gpus(0, p.tp());
        int prev = ops.elementwise(mb + ".embedding", "embedding gather", group, ops.rows(), 1);
        for (int stage = 0; stage < p.pp(); stage++) {
            if (stage > 0) {
                int[] pair = {(stage - 1) * p.tp(), stage * p.tp()};
                prev = graph.op(mb + ".send" + stage, "send to stage " + stage, pair,
                        new Work.Comm(Collective.SEND_RECV, ops.hiddenBytes(ops.rows())), prev);
            }
            group = OpGraph.gpus(stage * p.tp(), p.tp());
            int[] replica = OpGraph.gpus(stage * p.tp(), p.attentionTp());
            int first = p.firstLayer(model.layers(), stage);
            int last = p.firstLayer(model.layers(), stage + 1);
            for (int l = first; l < last; l++) {
                String id = mb + ".L" + l;
                int mixed = ops.attentionBlock(id, group, replica, prev);
                prev = l < model.denseLayers() ? ops.denseMlp(id, group, replica, mixed)
                        : colocatedMoe(id, p, group, replica, mixed);
            }
        }
        ops.lmHead(mb, group, prev);
    }

    private void afd(Afd afd) {
        String mb = OpGraph.microBatch(0);
        int[] attention = OpGraph.gpus(0, afd.attentionGpus());
        int[] replica = OpGraph.gpus(0, afd.attentionTp());
        int[] ffn = OpGraph.gpus(afd.attentionGpus(), afd.ffnGpus());
        int[] both = OpGraph.union(attention, ffn);
        int prev = ops.elementwise(mb + ".embedding", "embedding gather", attention, ops.rows(), 1);
        for (int l = 0; l < model.layers(); l++) {
            String id = mb + ".L" + l;
            int mixed = ops.attentionBlock(id, attention, replica, prev);
            if (l < model.denseLayers()) {
                prev = ops.denseMlp(id, attention, replica, mixed);
                continue;
            }
            Experts e = model.experts();
            int router = ops.router(id, attention, mixed);
            long toExperts = Math.ceilDiv(stageRows() * e.topK(), afd.ffnGpus());
            int dispatch = graph.op(id + ".dispatch", "dispatch to the FFN GPUs (M-to-N)", both,
                    new Work.Comm(Collective.M_TO_N, (double) toExperts * model.hidden() * dispatchBytes()), router);
            int experts = ops.experts(id, ffn, e.experts() / afd.ffnGpus(), toExperts, stageRows(), 1, dispatch);
            double back = (double) Math.ceilDiv(ops.rows() * e.topK(), afd.attentionTp()) * model.hidden()
                    * ACTIVATION_BYTES;
            int combine = graph.op(id + ".combine", "combine to the attention GPUs (M-to-N)", both,
                    new Work.Comm(Collective.M_TO_N, back), experts);
            prev = ops.residual(id, attention, ops.sharedExpert(id, attention, replica, false, mixed), combine);
        }
        ops.lmHead(mb, attention, prev);
    }

    /**
     * A MoE layer whose experts share the stage's GPUs with attention. {@code ep = 1}: every GPU holds a 1/tp slice
     * of every expert and needs every token of the stage (all-gathered from the replicas when {@code dp > 1}).
     * {@code ep > 1}: tokens go to their experts' GPUs by all-to-all (dispatch) and back (combine).
     */
    private int colocatedMoe(String id, Parallelism p, int[] group, int[] replica, int mixed) {
        Experts e = model.experts();
        int expertTp = p.tp() / p.ep();
        int router = ops.router(id, group, mixed);
        boolean oneAllReduce = p.ep() == 1 && p.dp() == 1;
        int shared = ops.sharedExpert(id, group, replica, oneAllReduce, mixed);
        long stageRows = stageRows();
        if (p.ep() == 1) {
            int in = router;
            if (p.dp() > 1)
                in = graph.op(id + ".moe_gather", "all-gather tokens for the experts", group,
                        new Work.Comm(Collective.ALL_GATHER, ops.hiddenBytes(stageRows)), router);
            int experts = ops.experts(id, group, e.experts(), stageRows * e.topK(), stageRows, expertTp, in);
            int out = experts;
            if (p.dp() > 1)
                out = graph.op(id + ".moe_scatter", "reduce-scatter expert outputs", group,
                        new Work.Comm(Collective.REDUCE_SCATTER, ops.hiddenBytes(stageRows)), experts);
            else if (p.tp() > 1)
                return ops.residual(id, group, graph.op(id + ".moe_all_reduce", "all-reduce (experts and shared)",
                        group, new Work.Comm(Collective.ALL_REDUCE, ops.hiddenBytes(stageRows)), out, shared), -1);
            return ops.residual(id, group, shared, out);
        }
        long perGpu = Math.ceilDiv(stageRows, p.tp()) * e.topK() * expertTp;
        int dispatch = graph.op(id + ".dispatch", "dispatch to experts (all-to-all)", group,
                new Work.Comm(Collective.ALL_TO_ALL, (double) perGpu * model.hidden() * dispatchBytes()), router);
        int experts = ops.experts(id, group, e.experts() / p.ep(), Math.ceilDiv(stageRows * e.topK(), p.ep()),
                stageRows, expertTp, dispatch);
        int combine = graph.op(id + ".combine", "combine from experts (all-to-all)", group,
                new Work.Comm(Collective.ALL_TO_ALL, (double) perGpu * model.hidden() * ACTIVATION_BYTES), experts);
        return ops.residual(id, group, shared, combine);
    }

    /**
     * Bytes per element a token is dispatched to its experts in: fp8 when the experts' weights are fp8 (DeepEP and
     * TensorRT-LLM quantise before dispatch; the scales, 1/128 of that, aside), bf16 otherwise.
     */
    private int dispatchBytes() {
        return Math.min(ACTIVATION_BYTES, model.weights().bytesPerWeight());
    }

    /** Rows (tokens) of one micro-batch of one attention replica. */
    static long rows(Step step, long replicaSequences) {
        return step.phase() == Phase.PREFILL ? replicaSequences * step.tokens() : replicaSequences;
    }
}
