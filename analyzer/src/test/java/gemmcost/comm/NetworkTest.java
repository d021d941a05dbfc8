package gemmcost.comm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class NetworkTest {
    private static final int[] ONE_NODE = {0, 1, 2, 3, 4, 5, 6, 7};

    @Test
    void aSmallAllReduceShouldTakeTheEnginesOneShotKernel() {
        // 3.9 + 1.55 * log2(8 / 2) + 1024 B / 37.4 GB/s; NCCL's tier gives 4.3 + 14 * 0.8 + 1024 * 1.75 / 370 GB/s.
        double oneShot = 3.9 + 1.55 * 2 + 1024 / 37.4e9 * 1e6;
        assertThat(Network.forDevice("h100-sxm").timeUs(Collective.ALL_REDUCE, 1024, ONE_NODE))
                .isCloseTo(oneShot, within(1e-9));
        assertThat(Network.h100Default().timeUs(Collective.ALL_REDUCE, 1024, ONE_NODE))
                .isCloseTo(15.5 + 1024 * 1.75 / 370e9 * 1e6, within(1e-9));
    }

    @Test
    void aLargeAllReduceShouldStayNcclsWhereNcclIsFaster() {
        double bytes = 1 << 20;
        double nccl = 15.5 + bytes * 1.75 / 370e9 * 1e6; // 20.46 us, the one-shot kernel 35.04 us
        assertThat(Network.forDevice("h200").timeUs(Collective.ALL_REDUCE, bytes, ONE_NODE))
                .isCloseTo(nccl, within(1e-9));
    }

    @Test
    void otherCollectivesAndOtherNodesShouldNotUseTheKernel() {
        Network engine = Network.forDevice("b200");
        Network nccl = Network.b200Default();
        int[] twoNodes = {0, 8};
        assertThat(engine.timeUs(Collective.ALL_GATHER, 1024, ONE_NODE))
                .isEqualTo(nccl.timeUs(Collective.ALL_GATHER, 1024, ONE_NODE));
        assertThat(engine.timeUs(Collective.ALL_REDUCE, 1024, twoNodes))
                .isEqualTo(nccl.timeUs(Collective.ALL_REDUCE, 1024, twoNodes));
        assertThat(OneShotAllReduce.ENGINE_KERNEL.timeUs(1024, 1)).isZero();
    }

    @Test
    void theKernelShouldBeNamedWhereItWins() {
        Network engine = Network.forDevice("h100-sxm");
        assertThat(engine.engineKernelWins(Collective.ALL_REDUCE, 1024, ONE_NODE)).isTrue();
        assertThat(engine.engineKernelWins(Collective.ALL_REDUCE, 1 << 20, ONE_NODE)).isFalse();
        assertThat(Network.h100Default().engineKernelWins(Collective.ALL_REDUCE, 1024, ONE_NODE)).isFalse();
        assertThat(OneShotAllReduce.ENGINE_KERNEL.formula())
                .isEqualTo("3.9 µs + 1.55 µs per doubling of the GPUs + bytes at 37.4 GB/s");
    }

    @Test
    void gpusOfTwoNodesShouldTakeTheInterNodeTierEvenWhenBothTiersAreOneObject() {
        LinkTier nvlink = Network.h100Default().intraNode();
        Network flat = new Network(8, nvlink, nvlink, OneShotAllReduce.ENGINE_KERNEL);
        assertThat(flat.sameNode(new int[] {0, 8})).isFalse();
        assertThat(flat.engineKernelWins(Collective.ALL_REDUCE, 1024, new int[] {0, 8})).isFalse();
        // across the nodes NCCL's α–β (4.3 µs + 2 steps × 0.8 µs + 1 KiB at one NIC's 370 / 8 GB/s), not the
        // one-shot kernel that wins within a node (3.9 µs, no doubling beyond 2 GPUs, + 1 KiB at 37.4 GB/s)
        assertThat(flat.timeUs(Collective.ALL_REDUCE, 1024, new int[] {0, 8}))
                .isCloseTo(4.3 + 2 * 0.8 + 1024 / (370e9 / 8) * 1e6, within(1e-9));
        assertThat(flat.timeUs(Collective.ALL_REDUCE, 1024, new int[] {0, 1}))
                .isCloseTo(3.9 + 1024 / 37.4e9 * 1e6, within(1e-9));
    }

    /**
     * Across nodes an all-reduce, all-gather or reduce-scatter moves through the NICs of the group's GPUs on each
     * node: whole nodes get the tier's busbw, a node with 4 of its 8 GPUs in the group half of it; an all-to-all's
     * rows use each GPU's own NIC whatever the group.
     */
    @Test
    void theNodeWithTheFewestGpusOfTheGroupShouldSetTheInterNodeRate() {
        Network net = Network.h100Default();
        int[] twoNodes = IntStream.range(0, 16).toArray();
        int[] eightAndFour = IntStream.range(0, 12).toArray();
        double bytes = 64e6;
        // one ring of the 12 (NCCL has no tree for an all-gather): 11 steps, 1 across the network, 10 within nodes
        double latency = 5 + 1 * 12 + 10 * 0.8;
        double bandwidth = bytes * Collective.ALL_GATHER.busBandwidthFactor(12) / 370e9 * 1e6;

        assertThat(net.timeUs(Collective.ALL_GATHER, bytes, eightAndFour)).isCloseTo(latency + 2 * bandwidth,
                within(1e-6));
        assertThat(net.timeUs(Collective.ALL_GATHER, bytes, twoNodes)).isCloseTo(5 + 1 * 12 + 14 * 0.8
                + bytes * Collective.ALL_GATHER.busBandwidthFactor(16) / 370e9 * 1e6, within(1e-6));
        // an all-reduce as NCCL's tree: 2 steps across the network and 2 × 5 within a node (6 GPUs a node at most
        // of 12 over 2), not a ring's 2 × 11 − 2 = 20 within nodes
        assertThat(net.timeUs(Collective.ALL_REDUCE, bytes, eightAndFour)).isCloseTo(5 + 2 * 12 + 10 * 0.8
                + 2 * bytes * Collective.ALL_REDUCE.busBandwidthFactor(12) / 370e9 * 1e6, within(1e-6));
        assertThat(net.crossNodeSteps(Collective.ALL_GATHER, eightAndFour))
                .isEqualTo("one ring of all 12 ranks, steps: 1 on infiniband, 10 on nvlink");
        assertThat(net.crossNodeSteps(Collective.ALL_REDUCE, eightAndFour))
                .isEqualTo("hierarchical, steps: 2 on infiniband, 10 on nvlink");
        assertThat(net.nicShare(Collective.REDUCE_SCATTER, eightAndFour)).isEqualTo(0.5);
        assertThat(net.nicShare(Collective.ALL_REDUCE, new int[] {6, 7, 8, 9, 10, 11})).isEqualTo(0.25);
        assertThat(net.nicShare(Collective.SEND_RECV, new int[] {7, 8})).isEqualTo(1);
        assertThat(net.nicShare(Collective.ALL_REDUCE, ONE_NODE)).isEqualTo(1);
        assertThat(net.timeUs(Collective.ALL_TO_ALL, bytes, eightAndFour)).isCloseTo(5
                + Collective.ALL_TO_ALL.steps(2) * 12 + Collective.ALL_TO_ALL.steps(6) * 0.8
                + bytes * Collective.ALL_TO_ALL.busBandwidthFactor(12) / 48e9 * 1e6, within(1e-6));
    }

    @Test
    void aNegativeRateShouldBeRefused() {
        assertThatThrownBy(() -> new OneShotAllReduce(1, 1, -1))
                .hasMessage("must be >= 0 and a rate > 0: latency_us=1.0, latency_us_per_doubling=1.0,"
                        + " bytes_per_sec=-1.0");
    }
}
