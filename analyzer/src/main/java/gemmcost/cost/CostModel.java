package gemmcost.cost;

import gemmcost.comm.LinkTier;
import gemmcost.comm.Network;
import gemmcost.dag.Dag;
import gemmcost.dag.Work;
import gemmcost.gettime.Estimate;
import gemmcost.gettime.GetTime;
import gemmcost.gettime.Label;
import gemmcost.gettime.RooflineGetTime;
import gemmcost.table.GemmShape;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Prices DAG nodes: a GEMM by Get_Time, a memory-bound op as bytes over the {@link MemoryBandwidth} (measured
 * with the table where it has one, else the datasheet peak: a modeled lower bound), a fused attention kernel as the
 * slower of its FLOPs at the {@link AttentionRate} and its bytes at that bandwidth, communication with the
 * {@link Network}'s α–β tiers, a given duration as is. Not thread-safe (it caches Get_Time answers per shape).
 */
public final class CostModel {
    private final GetTime getTime;
    /** The GEMMs that stay bf16 in a quantised model (LM head, MoE router): {@code getTime} itself where it is bf16. */
    private final GetTime unquantized;
    private final MemoryBandwidth memory;
    private final Network network;
    private final AttentionRate attention;
    private final Map<GemmShape, Estimate> estimates = new HashMap<>();
    private final Map<GemmShape, Estimate> unquantizedEstimates = new HashMap<>();

    /** A cost model for DAGs without fused attention kernels (the seed's plans, imported DAGs). */
    public CostModel(GetTime getTime, MemoryBandwidth memory, Network network) {
        this(getTime, memory, network, AttentionRate.NONE);
    }

    public CostModel(GetTime getTime, MemoryBandwidth memory, Network network, AttentionRate attention) {
        this(getTime, getTime, memory, network, attention);
    }

    /** A cost model whose {@link Work.Gemm#unquantized} GEMMs are costed by {@code unquantized} (bf16). */
    public CostModel(GetTime getTime, GetTime unquantized, MemoryBandwidth memory, Network network,
                     AttentionRate attention) {
        this.getTime = Objects.requireNonNull(getTime, "getTime");
        this.unquantized = Objects.requireNonNull(unquantized, "unquantized");
        this.memory = Objects.requireNonNull(memory, "memory");
        this.network = Objects.requireNonNull(network, "network");
        this.attention = Objects.requireNonNull(attention, "attention");
    }

    /** The same GEMM and memory costs over {@code other}, with a cache of its own (also how a thread gets one). */
    public CostModel withNetwork(Network other) {
        return new CostModel(getTime, unquantized, memory, other, attention);
    }

    public GetTime getTime() {
        return getTime;
    }

    public Network network() {
        return network;
    }

    public AttentionRate attention() {
        return attention;
    }

    public MemoryBandwidth memory() {
        return memory;
    }

    /** Get_Time with a per-shape cache. */
    public Estimate gemm(GemmShape shape) {
        return cached(estimates, getTime, shape);
    }

    /** A GEMM node's Get_Time answer: bf16's where it stays unquantized, else the model's GEMM format's. */
    private Estimate gemm(Work.Gemm g) {
        return g.unquantized() && unquantized != getTime ? cached(unquantizedEstimates, unquantized, g.costedShape())
                : gemm(g.costedShape());
    }

    private static Estimate cached(Map<GemmShape, Estimate> cache, GetTime getTime, GemmShape shape) {
        // get, then put on a miss: computeIfAbsent(shape, getTime::estimate) allocates the method reference each call
        Estimate known = cache.get(shape);
        if (known != null)
            return known;
        Estimate estimate = getTime.estimate(shape);
        cache.put(shape, estimate);
        return estimate;
    }

    /**
     * The GEMM answered so far farthest beyond its table's measured range, e.g. {@code (m=1, k=2880, n=368640): 2.5
     * octaves beyond the measured n range} with its answer's label ({@code extrapolated}; a stand-in table's
     * {@code simulated}); empty where none lay beyond.
     */
    public Optional<Extrapolation> farthestExtrapolation() {
        return Stream.concat(estimates.entrySet().stream(), unquantizedEstimates.entrySet().stream())
                .filter(e -> !e.getValue().axisOutside().isEmpty())
                .max(Comparator.comparingDouble((Map.Entry<GemmShape, Estimate> e) -> e.getValue().octavesOutside())
                        .thenComparing(Map.Entry::getKey))
                .map(e -> new Extrapolation(e.getKey(), e.getValue()));
    }

    /** A GEMM answered beyond its table's measured range, and that answer. */
    public record Extrapolation(GemmShape shape, Estimate estimate) {
        /** {@code (m=…, k=…, n=…): 2.5 octaves beyond the measured n range}. */
        public String describe() {
            return String.format(Locale.ROOT, "%s: %.1f octaves beyond the measured %s range", shape,
                    estimate.octavesOutside(), estimate.axisOutside());
        }
    }

    /** A node's time and how it was obtained. */
    public record NodeCost(double timeUs, Label label) {
    }

    /** The time and label of node {@code v} (one Get_Time lookup for a GEMM). */
    public NodeCost cost(Dag dag, int v) {
        return switch (dag.work(v)) {
            case Work.Fixed f -> new NodeCost(f.timeUs(), Label.GIVEN);
            case Work.Gemm g -> {
                Estimate e = gemm(g);
                yield new NodeCost(e.timeUs(), e.label());
            }
            case Work.Memory m -> memoryCost(m.bytes());
            case Work.Attention a -> {
                NodeCost bytes = memoryCost(a.bytes());
                double flopsUs = attention.timeUs(a.flops());
                yield bytes.timeUs() >= flopsUs ? bytes : new NodeCost(flopsUs, Label.MODELED);
            }
            case Work.Comm c -> new NodeCost(
                    network.timeUs(c.collective(), c.bytes(), dag.gpus(v)), Label.MODELED);
            case Work.Marker m -> new NodeCost(0, Label.MODELED);
            case Work.Unknown u -> new NodeCost(0, Label.UNCOSTED);
        };
    }

    /**
     * A memory-bound kernel: its bytes over the bandwidth, labelled as the bandwidth is, or the kernel floor (none
     * for 0 bytes) where that is longer, which is modeled whatever the bandwidth.
     */
    private NodeCost memoryCost(double bytes) {
        return onKernelFloor(bytes) ? new NodeCost(RooflineGetTime.KERNEL_FLOOR_US, Label.MODELED)
                : new NodeCost(bytes / memory.bytesPerSec() * 1e6, memory.label());
    }

    private boolean onKernelFloor(double bytes) {
        return bytes > 0 && bytes / memory.bytesPerSec() * 1e6 < RooflineGetTime.KERNEL_FLOOR_US;
    }

    /** One line on how node {@code v} is costed, e.g. {@code Get_Time(1024, 4096, 512) interpolated}. */
    public String explain(Dag dag, int v) {
        return switch (dag.work(v)) {
            case Work.Fixed f -> "duration given in the input";
            case Work.Gemm g -> {
                GemmShape s = g.costedShape();
                String batched = g.count() > 1 ? g.count() + " × " + g.shape() + " as " : "";
                String bf16 = g.unquantized() && unquantized != getTime ? " in bf16 (unquantized)" : "";
                yield batched + "Get_Time(" + s.m() + ", " + s.k() + ", " + s.n() + ")" + bf16 + ", "
                        + gemm(g).explain();
            }
            case Work.Memory m -> !onKernelFloor(m.bytes())
                    ? String.format(Locale.ROOT, "%.4g bytes / %.4g GB/s (memory-bound, %s)", m.bytes(),
                    memory.bytesPerSec() / 1e9, memory.source())
                    : String.format(Locale.ROOT, "%.4g bytes: the %.1f us kernel floor (modeled)", m.bytes(),
                    RooflineGetTime.KERNEL_FLOOR_US);
            case Work.Attention a -> String.format(Locale.ROOT,
                    "fused attention: max(%.4g FLOP / %.4g TFLOP/s (%s), %.4g bytes / %.4g GB/s (%s))", a.flops(),
                    attention.flopsPerSec() / 1e12, attention.source(), a.bytes(), memory.bytesPerSec() / 1e9,
                    memory.source());
            case Work.Comm c when dag.gpuCountOf(v) == 1 && c.collective().amongItsRanks() -> String.format(
                    Locale.ROOT, "%s of %.4g bytes over 1 GPU: nothing to exchange, 0 us (modeled)",
                    c.collective().id(), c.bytes());
            case Work.Comm c when network.engineKernelWins(c.collective(), c.bytes(), dag.gpus(v)) -> String.format(
                    Locale.ROOT, "%s of %.4g bytes over %d GPUs: the engines' one-shot kernel (%s), faster than NCCL's"
                            + " α–β here", c.collective().id(), c.bytes(), dag.gpuCountOf(v),
                    network.engineAllReduce().formula());
            case Work.Comm c -> {
                int[] gpus = dag.gpus(v);
                LinkTier tier = network.tier(gpus);
                double share = network.nicShare(c.collective(), gpus);
                yield String.format(Locale.ROOT, "%s of %.4g bytes over %d GPU%s on %s (α–β: %.3g µs + %.4g GB/s"
                        + " busbw%s%s)", c.collective().id(), c.bytes(), dag.gpuCountOf(v),
                        dag.gpuCountOf(v) == 1 ? "" : "s", tier.name(), tier.baseLatencyUs(),
                        share * tier.busBandwidthBytesPerSec().get(c.collective()) / 1e9, share == 1 ? ""
                                : String.format(Locale.ROOT, ", %.0f %% of whole nodes': the node with the fewest"
                                + " of these GPUs has as many NICs", 100 * share), network.sameNode(gpus) ? ""
                                : "; " + network.crossNodeSteps(c.collective(), gpus));
            }
            case Work.Marker m -> m.what() + ": no work of its own, 0 us (modeled)";
            case Work.Unknown u -> "not understood (" + u.why() + "): costed 0";
        };
    }
}
