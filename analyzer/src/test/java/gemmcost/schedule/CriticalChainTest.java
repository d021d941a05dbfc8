package gemmcost.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import gemmcost.dag.Dag;
import gemmcost.dag.DagBuilder;
import gemmcost.dag.Work;
import org.junit.jupiter.api.Test;

class CriticalChainTest {
    /**
     * a (10 µs, GPU 0) → b (5 µs, GPU 1); c (20 µs, GPU 0) has no inputs. GPU 0 runs c first (the longer path to the
     * end), c 0–20, a 20–30, b 30–35: the makespan 35 is set by c, then a waiting for GPU 0, then b waiting for a.
     * The unlimited-resources critical path is c alone (20 µs), which says nothing of a's wait.
     */
    @Test
    void theChainShouldFollowTheWaitsForInputsAndForGpusBackFromTheLastOp() {
        DagBuilder b = new DagBuilder();
        int a = b.addNode("a", null, 0, new Work.Fixed(10));
        int bb = b.addNode("b", null, 1, new Work.Fixed(5));
        int c = b.addNode("c", null, 0, new Work.Fixed(20));
        b.addEdge(a, bb);
        Dag dag = b.build("test");
        double[] us = {10, 5, 20};

        Schedule s = Schedule.of(dag, us);

        assertThat(s.makespanUs()).isEqualTo(35);
        assertThat(CriticalChain.of(dag, s)).containsExactly(c, a, bb);
        assertThat(CriticalPath.of(dag, us).path()).containsExactly(c);
    }
}
