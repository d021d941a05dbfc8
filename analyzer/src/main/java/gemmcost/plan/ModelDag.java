package gemmcost.plan;

import gemmcost.comm.Collective;
import gemmcost.dag.Dag;
import gemmcost.dag.Work;
import gemmcost.deploy.Afd;
import gemmcost.deploy.Layout;
import gemmcost.deploy.Parallelism;
import gemmcost.model.hf.Architecture;
import gemmcost.model.hf.Experts;

/**
 * The operator DAG of one step of a real model ({@link Architecture}) on a {@link Layout}. Every GPU of a group does
 * the same share of an op (its heads, its experts, its replica's sequences), so an op is one node on the whole group
 * and a collective among one replica's GPUs is a node on the first replica's. Micro-batch 0 is built; the others
 * are copies of it, which meet it only on the GPUs. A replica's ops are the busiest replica's, whose share of the
 * step's sequences is ⌈sequences / replicas⌉ (the step waits for it), spread over the micro-batches; the router
 * spreads every token of the stage over the experts, sequences / micro-batches in all. Where they do not divide the
 * shares are fractional: bytes, FLOPs and routed tokens use them as they are, a GEMM's m is rounded up.
 */
public final class ModelDag {
    /** Activations between ops, and what MoE combine sends, are bf16 in every engine. */
    static final int ACTIVATION_BYTES = 2;

    private final Architecture model;
    private final Layout layout;
    private final OpGraph graph = new OpGraph();
    private final ModelOps ops;
    /** Tokens of the step over every attention replica of a stage: what the router spreads over the experts. */
    private final double stageTokens;

    private ModelDag(Architecture model, Layout layout, Step step) {
        this.model = model;
        this.layout = layout;
        double replicaSequences = step.busiestReplicaSequences() > 0 ? step.busiestReplicaSequences()
                : (double) Math.ceilDiv(step.sequences(), layout.attentionReplicas()) / layout.microBatches();
        this.ops = new ModelOps(graph, model, step, replicaSequences, layout.attentionTp());
        this.stageTokens = (double) step.sequences() / layout.microBatches() * step.tokensPerSequence();
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

    private void stages(Parallelism p) {
        String mb = OpGraph.microBatch(0);
        int[] group = OpGraph.gpus(0, p.tp());
        int prev = ops.elementwise(mb + ".embedding", "embedding gather", group, ops.tokens(), 1);
        for (int stage = 0; stage < p.pp(); stage++) {
            if (stage > 0) {
                int[] pair = {(stage - 1) * p.tp(), stage * p.tp()};
                // the next layer's input, normed by the last residual add, and the residual itself
                prev = graph.op(mb + ".send" + stage, "send to stage " + stage, pair,
                        new Work.Comm(Collective.SEND_RECV, 2 * ops.hiddenBytes(ops.tokens())), prev);
            }
            group = OpGraph.gpus(stage * p.tp(), p.tp());
            int[] replica = OpGraph.gpus(stage * p.tp(), p.attentionTp());
            int first = p.firstLayer(model.layers(), stage);
            int last = p.firstLayer(model.layers(), stage + 1);
            for (int l = first; l < last; l++) {
                String id = mb + ".L" + l;
                int mixed = ops.attentionBlock(id, l, group, replica, prev);
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
        int prev = ops.elementwise(mb + ".embedding", "embedding gather", attention, ops.tokens(), 1);
        for (int l = 0; l < model.layers(); l++) {
            String id = mb + ".L" + l;
            int mixed = ops.attentionBlock(id, l, attention, replica, prev);
            if (l < model.denseLayers()) {
                prev = ops.denseMlp(id, attention, replica, mixed);
                continue;
            }
            Experts e = model.experts();
            int router = ops.router(id, attention, mixed);
            double toExperts = stageTokens * e.topK() / afd.ffnGpus();
            int dispatch = graph.op(id + ".dispatch", "dispatch to the FFN GPUs (M-to-N)", both,
                    new Work.Comm(Collective.M_TO_N, toExperts * model.hidden() * ops.dispatchBytes()), router);
            int experts = ops.experts(id, ffn, e.experts() / afd.ffnGpus(), toExperts, stageTokens, 1, dispatch);
            // each attention GPU gets its 1/tp of its replica's rows back, top-k partial outputs each, and each FFN
            // GPU sends back the rows it received: the larger of the two sets the transfer
            double backRows = ops.tokens() * e.topK() / afd.attentionTp();
            int combine = graph.op(id + ".combine", "combine to the attention GPUs (M-to-N)", both,
                    new Work.Comm(Collective.M_TO_N, ops.hiddenBytes(Math.max(backRows, toExperts))), experts);
            int gathered = ops.gatherReplica(id, replica, ops.sumExpertOutputs(id, attention, backRows, e.topK(),
                    combine));
            prev = ops.residual(id, attention, ops.sharedExpert(id, attention, replica, false, mixed), gathered);
        }
        ops.lmHead(mb, attention, prev);
    }

    /**
     * A MoE layer whose experts share the stage's GPUs with attention. Without attention replicas ({@code dp = 1})
     * every GPU holds every token of the stage and one all-reduce sums the routed and the shared experts' partial
     * outputs (vLLM's FusedMoE runs all-to-all kernels only with data parallelism; SGLang and TensorRT-LLM without
     * attention data parallelism all-reduce the MoE output as a dense MLP's). With replicas, as the engines run it
     * by default on a node of NVLink (TensorRT-LLM's fused MoE without MNNVL or DeepEP, vLLM's
     * {@code allgather_reducescatter} backend, SGLang without DeepEP): every GPU all-gathers the stage's tokens, runs
     * its experts on the rows routed to them and reduce-scatters the outputs back, and a replica of several GPUs
     * all-gathers its tokens. DeepEP's all-to-all, which a deployment sets up, is not modeled.
     */
    private int colocatedMoe(String id, Parallelism p, int[] group, int[] replica, int mixed) {
        int router = ops.router(id, group, mixed);
        if (p.dp() == 1) {
            int shared = ops.sharedExpert(id, group, replica, true, mixed);
            int experts = localExperts(id, p, group, router);
            if (p.tp() == 1)
                return ops.residual(id, group, shared, experts);
            return ops.residual(id, group, graph.op(id + ".moe_all_reduce", "all-reduce (experts and shared)", group,
                    new Work.Comm(Collective.ALL_REDUCE, ops.hiddenBytes(stageTokens)), experts, shared), -1);
        }
        int shared = ops.sharedExpert(id, group, replica, false, mixed);
        int in = graph.op(id + ".moe_gather", "all-gather tokens for the experts", group,
                new Work.Comm(Collective.ALL_GATHER, ops.hiddenBytes(stageTokens)), router);
        int experts = localExperts(id, p, group, in);
        int out = ops.gatherReplica(id, replica, graph.op(id + ".moe_scatter", "reduce-scatter expert outputs", group,
                new Work.Comm(Collective.REDUCE_SCATTER, ops.hiddenBytes(stageTokens)), experts));
        return ops.residual(id, group, shared, out);
    }

    /**
     * Each GPU's experts (all of them, a 1/tp slice each, where {@code ep = 1}; E/ep of them, each split over tp/ep
     * GPUs, otherwise) on the rows of the stage's tokens routed to them, their outputs weighted and summed per token.
     */
    private int localExperts(String id, Parallelism p, int[] group, int after) {
        Experts e = model.experts();
        double routed = stageTokens * e.topK() / p.ep();
        return ops.sumExpertOutputs(id, group, routed, (double) e.topK() / p.ep(),
                ops.experts(id, group, e.experts() / p.ep(), routed, stageTokens, p.tp() / p.ep(), after));
    }
}
