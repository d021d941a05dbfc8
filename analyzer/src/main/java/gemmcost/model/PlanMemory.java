package gemmcost.model;

import gemmcost.deploy.MemoryFootprint;
import gemmcost.device.Device;

/**
 * What the fullest GPU of a deployment holds, as its DAG places the work: its share of the weights and the KV cache of
 * every sequence's {@code seq_len} tokens for the heads and layers it attends (modeled, in the model's dtype). A TP×PP
 * stage holds its layers' attention and MLP (dense, or every expert) split over its TP group, the first stage the
 * embedding and the last the vocab-parallel LM head; an MA attention GPU holds its heads' projections and cache in
 * every layer and the whole embedding and LM head (it embeds and samples its own tokens); an MA MoE GPU its experts in
 * every layer. Activations and communication buffers are left out, as an engine's memory fraction leaves them room.
 *
 * @param gpu the fullest GPU's index
 */
public record PlanMemory(int gpu, double weightBytes, double kvBytes) {
    /** What a command says where the profile's device, and so its memory, is unknown. */
    public static final String UNCHECKED = " (the profile's device is none of the catalog's: not checked against its"
            + " memory)";

    public PlanMemory {
        if (gpu < 0 || !(weightBytes >= 0) || !(kvBytes >= 0))
            throw new IllegalArgumentException("must be >= 0: gpu=" + gpu + ", weightBytes=" + weightBytes
                    + ", kvBytes=" + kvBytes);
    }

    public double totalBytes() {
        return weightBytes + kvBytes;
    }

    /** Whether it is within the memory an engine uses of {@code device} ({@link MemoryFootprint#usableBytes}). */
    public boolean fits(Device device) {
        return totalBytes() <= MemoryFootprint.usableBytes(device);
    }

    public static PlanMemory of(Deployment d) {
        ModelSpec m = d.model();
        double bytes = m.elementBytes();
        double kvPerHeadLayer = 2.0 * d.workload().batch() * d.workload().seqLen() * m.headDim() * bytes;
        double projectionsPerHead = 4.0 * m.hidden() * m.headDim(); // Q, K, V and O of one head
        double expert = (double) m.hidden() * (m.upWidth(m.expertHidden()) + m.expertHidden());
        double vocab = (double) m.vocab() * m.hidden();
        return switch (d.plan()) {
            case Plan.TpPp p -> {
                int layers = m.layers() / p.pp();
                int mlps = p.mlp() == Plan.Mlp.MOE ? m.experts() : 1;
                double perLayer = (m.heads() * projectionsPerHead + mlps * expert) / p.tp();
                double ends = (p.pp() == 1 ? 2 : 1) * vocab / p.tp(); // the first stage embeds, the last samples
                double kv = layers * kvPerHeadLayer * m.heads() / p.tp();
                yield new PlanMemory(0, (layers * perLayer + ends) * bytes, kv);
            }
            case Plan.MaSeparation p -> {
                PlanMemory worst = null;
                for (int i = 0; i < p.attentionGpus().size(); i++) {
                    int heads = p.heads().get(i);
                    worst = fuller(worst, new PlanMemory(p.attentionGpus().get(i),
                            (m.layers() * heads * projectionsPerHead + 2 * vocab) * bytes,
                            m.layers() * heads * kvPerHeadLayer));
                }
                for (int i = 0; i < p.moeGpus().size(); i++)
                    worst = fuller(worst, new PlanMemory(p.moeGpus().get(i),
                            m.layers() * p.experts().get(i) * expert * bytes, 0));
                yield worst;
            }
        };
    }

    private static PlanMemory fuller(PlanMemory a, PlanMemory b) {
        return a == null || b.totalBytes() > a.totalBytes() ? b : a;
    }
}
