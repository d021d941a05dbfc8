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
}
