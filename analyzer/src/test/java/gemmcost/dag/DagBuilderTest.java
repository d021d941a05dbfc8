package gemmcost.dag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemmcost.BadInputException;
import org.junit.jupiter.api.Test;

class DagBuilderTest {
    @Test
    void shouldNameTheCycleAndTheLineOfTheEdgeThatClosesIt() {
        DagBuilder b = new DagBuilder();
        int s = b.addNode("start", null, 0, new Work.Fixed(1));
        int x = b.addNode("x", null, 0, new Work.Fixed(1));
        int y = b.addNode("y", null, 0, new Work.Fixed(1));
        int after = b.addNode("after", null, 0, new Work.Fixed(1));
        b.addEdge(s, x, 3);
        b.addEdge(x, y, 4);
        b.addEdge(y, x, 5);
        b.addEdge(y, after, 6);
        assertThatThrownBy(() -> b.build("g.dot"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("g.dot:5: cycle: x -> y -> x");
    }

    @Test
    void topologicalOrderPutsEveryEdgeForward() {
        DagBuilder b = new DagBuilder();
        int c = b.addNode("c", null, 0, new Work.Fixed(1));
        int a = b.addNode("a", null, 0, new Work.Fixed(1));
        int bb = b.addNode("b", null, 0, new Work.Fixed(1));
        b.addEdge(a, bb);
        b.addEdge(bb, c);
        b.addEdge(a, c);
        Dag dag = b.build("t");
        assertThat(dag.topologicalOrder()).containsExactly(a, bb, c);
        assertThat(dag.edgeCount()).isEqualTo(3);
        assertThat(dag.gpuCount()).isEqualTo(1);
    }

    @Test
    void repeatCopiesNodesGpusAndEdgesAndNamesTheCopies() {
        DagBuilder b = new DagBuilder(false);
        int a = b.addNode("mb0.a", "load", new int[] {0, 1}, new Work.Fixed(1));
        int c = b.addNode("mb0.c", null, 2, new Work.Fixed(2));
        b.addEdge(a, c);
        b.repeat(3, (copy, id) -> "mb" + copy + id.substring(3));
        int tail = b.addNode("tail", null, 3, new Work.Fixed(3));
        b.addEdge(5, tail);
        Dag dag = b.build("r");

        assertThat(dag.size()).isEqualTo(7);
        assertThat(java.util.stream.IntStream.range(0, 7).mapToObj(dag::id))
                .containsExactly("mb0.a", "mb0.c", "mb1.a", "mb1.c", "mb2.a", "mb2.c", "tail");
        assertThat(dag.name(4)).isEqualTo("load");
        assertThat(dag.name(5)).isEqualTo("mb2.c");
        assertThat(dag.gpus(2)).containsExactly(0, 1);
        assertThat(dag.gpus(5)).containsExactly(2);
        assertThat(dag.gpus(6)).containsExactly(3);
        assertThat(dag.work(3)).isEqualTo(new Work.Fixed(2));
        // a -> c in every copy, copy 2's c -> tail; nothing between copies
        assertThat(dag.edgeCount()).isEqualTo(4);
        assertThat(dag.successor(0, 0)).isEqualTo(1);
        assertThat(dag.successor(2, 0)).isEqualTo(3);
        assertThat(dag.successor(4, 0)).isEqualTo(5);
        assertThat(dag.successor(5, 0)).isEqualTo(6);
        assertThat(dag.successorCount(1)).isZero();
        assertThat(dag.successorCount(3)).isZero();
        assertThat(dag.predecessorCount(6)).isEqualTo(1);
    }

    @Test
    void repeatRefusesABuilderThatIndexesIds() {
        DagBuilder b = new DagBuilder();
        b.addNode("a", null, 0, new Work.Fixed(1));
        assertThatThrownBy(() -> b.repeat(2, (copy, id) -> id + copy))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("repeat on a builder that indexes ids or has repeated already");
    }

    @Test
    void copiesWhoseGpuEntriesOverflowAnArrayShouldBeRefusedNotWrap() {
        DagBuilder b = new DagBuilder(false);
        b.addNode("mb0.a", null, java.util.stream.IntStream.range(0, 65_536).toArray(), new Work.Fixed(1));

        // 40,000 copies of one node are few operators, but 65,536 × 40,000 GPU entries overflow an int
        assertThatThrownBy(() -> b.repeat(40_000, (copy, id) -> id + copy)).isInstanceOf(BadInputException.class)
                .hasMessage("the DAG would have 2621440000 GPU entries, beyond what gemmcost analyses in memory");
    }
}
