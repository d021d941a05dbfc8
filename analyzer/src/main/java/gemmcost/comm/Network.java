package gemmcost.comm;

import static gemmcost.comm.Collective.ALL_GATHER;
import static gemmcost.comm.Collective.ALL_REDUCE;
import static gemmcost.comm.Collective.ALL_TO_ALL;
import static gemmcost.comm.Collective.BROADCAST;
import static gemmcost.comm.Collective.M_TO_N;
import static gemmcost.comm.Collective.REDUCE_SCATTER;
import static gemmcost.comm.Collective.SEND_RECV;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * GPUs grouped into nodes of {@code gpusPerNode} (GPU g lives in node g / gpusPerNode); a collective whose GPUs
 * all share a node uses {@code intraNode}, any other {@code interNode}. With an {@code engineAllReduce} (null: none),
 * an all-reduce within a node takes the faster of it and the intra-node tier, as serving engines choose.
 */
public record Network(int gpusPerNode, LinkTier intraNode, LinkTier interNode, OneShotAllReduce engineAllReduce) {
    private static final double GB = 1e9;
    /** One instance: a config's network that names no tiers has these very tiers ({@code CostModels.onDevice}). */
    private static final Network H100 = h100Nodes();

    public Network {
        if (gpusPerNode <= 0)
            throw new IllegalArgumentException("must be > 0: gpus_per_node=" + gpusPerNode);
        Objects.requireNonNull(intraNode, "intraNode");
        Objects.requireNonNull(interNode, "interNode");
    }

    /** NCCL's collectives alone, as nccl-tests measures them. */
    public Network(int gpusPerNode, LinkTier intraNode, LinkTier interNode) {
        this(gpusPerNode, intraNode, interNode, null);
    }

    /**
     * DGX/HGX H100-class nodes of 8 GPUs. Sources (all in {@code comm-models.md}): NVLink4 busbw all-reduce 370,
     * all-to-all 320 GB/s (NVIDIA GTC25 S72583); all-gather 361, reduce-scatter 363 GB/s (8 × H200, ml-engineering);
     * intra-node send/recv 348 GB/s at 66 MB (Vidur h100_dgx). Across nodes with 8 × 400 Gb NICs: all-reduce 370 and
     * all-to-all 48 GB/s (GTC25, 32 GPUs); send/recv 32 GB/s (Vidur). Inter-node all-gather, reduce-scatter and
     * broadcast take the all-reduce's 370 GB/s: NCCL's all-reduce is a reduce-scatter and an all-gather over the same
     * rail-aligned rings (or node-level trees), so each NIC carries the same bytes per unit of busbw in all three
     * (within a node the measured three agree: 367, 361, 363 GB/s); an all-to-all's or M-to-N's off-node rows leave
     * through each GPU's own NIC, with no such aggregation, so they keep the all-to-all's 48 GB/s. (All-gather and
     * reduce-scatter had been assumed NIC-bound too, which costed an all-reduce 7.7 × cheaper than the reduce-scatter
     * and all-gather it is made of.) NVLink latency: 4.3 µs base and 0.8 µs
     * per ring step, fitted to the smallest messages of the public nccl-tests runs on H100 SXM
     * ({@code ../shared/data/comm-public/nccl.csv}, NCCL 2.29: all-reduce 5.8 / 9.3 / 15.6 µs and all-gather
     * 5.1 / 7.1 / 10.1 µs on 2 / 4 / 8 GPUs, i.e. 4.3 µs + 0.8 µs × 2(n−1) and × (n−1)), where GenZ's 5 + 1.9 µs
     * doubled the 8-GPU all-reduce. Across nodes, 5 µs base and 12 µs per step so that a small send/recv takes
     * Vidur's 17 µs.
     */
    public static Network h100Default() {
        return H100;
    }

    private static Network h100Nodes() {
        LinkTier nvlink = new LinkTier("nvlink", 4.3, 0.8, Map.of(ALL_REDUCE, 370 * GB, ALL_GATHER, 361 * GB,
                REDUCE_SCATTER, 363 * GB, ALL_TO_ALL, 320 * GB, BROADCAST, 370 * GB, SEND_RECV, 348 * GB,
                M_TO_N, 320 * GB));
        LinkTier infiniband = new LinkTier("infiniband", 5, 12, Map.of(ALL_REDUCE, 370 * GB, ALL_GATHER, 370 * GB,
                REDUCE_SCATTER, 370 * GB, ALL_TO_ALL, 48 * GB, BROADCAST, 370 * GB, SEND_RECV, 32 * GB,
                M_TO_N, 48 * GB));
        return new Network(8, nvlink, infiniband);
    }

    /**
     * Equal, with the same tiers left to the device a config is costed on (the default instances, which
     * {@code CostModels.onDevice} replaces): costed on one device, the two are one network.
     */
    public boolean sameAs(Network other) {
        return equals(other) && (intraNode == H100.intraNode) == (other.intraNode == H100.intraNode)
                && (interNode == H100.interNode) == (other.interNode == H100.interNode);
    }

    /**
     * Time of {@code collective} with message size {@code bytes} among {@code gpus}. Within a node: the intra-node
     * tier. Across nodes, the inter-node tier's base latency and its bandwidth over all the ranks, with the
     * inter-node steps of the nodes and intra-node steps, each at its tier's hop latency, as NCCL's latency model
     * counts them: an all-reduce as its tree (the steps of the GPUs of a node; a flat ring of 16 GPUs over two nodes
     * would pay 30 inter-node hops where NCCL pays 2), an all-gather or reduce-scatter as its one ring of all the
     * ranks (n − 1 steps, nodes − 1 of them across the network). The inter-node busbw of an all-reduce, all-gather,
     * reduce-scatter or broadcast is that of whole nodes, each GPU's NIC carrying its share: a node that brings fewer
     * GPUs to the group brings as many fewer NICs (NCCL relays only through the group's own ranks), and the node
     * with the fewest sets the rate (GPUs 0–11 on nodes of 8: 4 of 8 NICs, half the busbw). An all-to-all's,
     * M-to-N's or send/recv's rows leave through each GPU's own NIC already.
     */
    public double timeUs(Collective collective, double bytes, int[] gpus) {
        if (sameNode(gpus)) {
            return Math.min(intraNode.timeUs(collective, bytes, gpus.length),
                    engineUs(collective, bytes, gpus.length));
        }
        Collection<Long> perNodeGpus = perNodeGpus(gpus);
        int nodes = perNodeGpus.size();
        double latency = interNode.baseLatencyUs() + collective.steps(nodes) * interNode.hopLatencyUs()
                + intraNodeSteps(collective, gpus.length, nodes) * intraNode.hopLatencyUs();
        return latency + interNode.bandwidthUs(collective, bytes, gpus.length) / nicShare(collective, perNodeGpus);
    }

    /** The steps within nodes of {@code collective} over {@code gpus} on {@code nodes} nodes ({@link #timeUs}). */
    private static int intraNodeSteps(Collective collective, int gpus, int nodes) {
        if (RING_ACROSS_NODES.contains(collective))
            return collective.steps(gpus) - collective.steps(nodes);
        int perNode = Math.ceilDiv(gpus, nodes);
        return perNode > 1 ? collective.steps(perNode) : 0;
    }

    /** How {@link #timeUs} counts the steps of {@code collective} among {@code gpus} of several nodes, in words. */
    public String crossNodeSteps(Collective collective, int[] gpus) {
        int nodes = perNodeGpus(gpus).size();
        String steps = collective.steps(nodes) + " on " + interNode.name() + ", "
                + intraNodeSteps(collective, gpus.length, nodes) + " on " + intraNode.name();
        return RING_ACROSS_NODES.contains(collective) ? "one ring of all " + gpus.length + " ranks, steps: " + steps
                : "hierarchical, steps: " + steps;
    }

    /**
     * The share of the inter-node tier's busbw {@code collective} gets among {@code gpus} ({@link #timeUs}): the
     * fewest of them on one node over the GPUs of a node, for the collectives whose rate is whole nodes' NICs; 1
     * within a node and for the others.
     */
    public double nicShare(Collective collective, int[] gpus) {
        return sameNode(gpus) ? 1 : nicShare(collective, perNodeGpus(gpus));
    }

    private double nicShare(Collective collective, Collection<Long> perNodeGpus) {
        if (!NIC_AGGREGATED.contains(collective))
            return 1;
        long fewest = perNodeGpus.stream().mapToLong(Long::longValue).min().orElseThrow();
        return Math.min(1.0, (double) fewest / gpusPerNode);
    }

    /** How many of {@code gpus} each node they touch holds. */
    private Collection<Long> perNodeGpus(int[] gpus) {
        return Arrays.stream(gpus).boxed().collect(Collectors.groupingBy(g -> g / gpusPerNode, Collectors.counting()))
                .values();
    }

    /**
     * The collectives NCCL runs across nodes as one ring of all the ranks (it has no tree for them): n − 1 steps, of
     * which nodes − 1 cross the network (NCCL's own latency model in {@code src/graph/tuning.cc}).
     */
    private static final Set<Collective> RING_ACROSS_NODES = Set.of(ALL_GATHER, REDUCE_SCATTER);

    /** The collectives whose inter-node busbw is a whole node's NICs' ({@link #timeUs}). */
    private static final Set<Collective> NIC_AGGREGATED = Set.of(ALL_REDUCE, ALL_GATHER, REDUCE_SCATTER, BROADCAST);

    /**
     * DGX/HGX B200-class nodes of 8 GPUs on NVLink5: all-reduce busbw 682 GB/s (8 × B200, ring, 8 GiB,
     * ml-engineering in {@code comm-models.md}), the other collectives scaled from it as on NVLink4 (all-gather
     * 361/370, reduce-scatter 363/370, all-to-all and M-to-N 320/370, send/recv 348/370). Latency: 7.6 µs base and
     * 1.24 µs per ring step, fitted like H100's to the smallest messages of the public nccl-tests runs
     * ({@code nccl.csv}, B200: all-reduce 10.2 / 15.0 / 25.1 µs and all-gather 8.7 / 11.1 / 16.1 µs on 2 / 4 / 8
     * GPUs). Across nodes the same 400 Gb NICs as {@link #h100Default()}.
     */
    public static Network b200Default() {
        double allReduce = 682 * GB;
        LinkTier nvlink5 = new LinkTier("nvlink5", 7.6, 1.24, Map.of(ALL_REDUCE, allReduce,
                ALL_GATHER, allReduce * 361 / 370, REDUCE_SCATTER, allReduce * 363 / 370,
                ALL_TO_ALL, allReduce * 320 / 370, BROADCAST, allReduce, SEND_RECV, allReduce * 348 / 370,
                M_TO_N, allReduce * 320 / 370));
        return new Network(8, nvlink5, h100Default().interNode());
    }

    /** The catalog devices whose nodes' links the network model has: NVLink4 (H100 SXM, H200), NVLink5 (B200). */
    private static final Set<String> LINKED = Set.of("h100-sxm", "h200", "b200");

    /**
     * Whether the network model has {@code catalogId}'s links. A100's NVLink3 (232 GB/s all-reduce busbw, GTC25) has
     * no small-message latency measured here, and L40S and H100 PCIe talk over PCIe, which it does not model: a plan
     * that communicates is refused on them rather than costed on NVLink4.
     */
    public static boolean modelsLinksOf(String catalogId) {
        return LINKED.contains(catalogId);
    }

    /** {@code --gpu l40s: its links are not modeled (NVLink4 of …)}: the start of a refusal on such a device. */
    public static String linksNotModeled(String option, String catalogId) {
        return option + " " + catalogId + ": its links are not modeled (NVLink4 of h100-sxm and h200, NVLink5 of b200)";
    }

    /**
     * The network a serving engine sees on a catalog device's nodes: NVLink5 for B200, NVLink4 (H100, H200)
     * otherwise (where {@link #modelsLinksOf} is false, only a plan that does not communicate may use it), with the
     * engines' own small-message all-reduce ({@link OneShotAllReduce#ENGINE_KERNEL}).
     */
    public static Network forDevice(String catalogId) {
        Network nccl = catalogId.equals("b200") ? b200Default() : h100Default();
        return new Network(nccl.gpusPerNode(), nccl.intraNode(), nccl.interNode(), OneShotAllReduce.ENGINE_KERNEL);
    }

    /** The tier a collective among {@code gpus} uses. */
    public LinkTier tier(int[] gpus) {
        return sameNode(gpus) ? intraNode : interNode;
    }

    /** Whether all of {@code gpus} share a node. */
    public boolean sameNode(int[] gpus) {
        for (int g : gpus)
            if (g / gpusPerNode != gpus[0] / gpusPerNode)
                return false;
        return true;
    }

    /** Whether {@link #timeUs} costs this collective with the engines' own kernel (faster than NCCL there). */
    public boolean engineKernelWins(Collective collective, double bytes, int[] gpus) {
        return sameNode(gpus)
                && engineUs(collective, bytes, gpus.length) < intraNode.timeUs(collective, bytes, gpus.length);
    }

    /** The engines' own kernel's time for this collective within a node; infinite where it has none. */
    private double engineUs(Collective collective, double bytes, int ranks) {
        return collective == ALL_REDUCE && engineAllReduce != null ? engineAllReduce.timeUs(bytes, ranks)
                : Double.POSITIVE_INFINITY;
    }
}
