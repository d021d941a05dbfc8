package gemmcost.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import gemmcost.comm.Collective;
import gemmcost.dag.Dag;
import gemmcost.dag.DagBuilder;
import gemmcost.dag.Work;
import org.junit.jupiter.api.Test;

class ScheduleTest {
    private static Work us(double timeUs) {
        return new Work.Fixed(timeUs);
    }

    /** a(10) → b(30) → d(5) and a → c(20) → d; the expected times are worked out in each test's comment. */
    private static Dag diamond(int gpuOfC) {
        DagBuilder b = new DagBuilder();
        int a = b.addNode("a", null, 0, us(10));
        int bb = b.addNode("b", null, 0, us(30));
        int c = b.addNode("c", null, gpuOfC, us(20));
        int d = b.addNode("d", null, 0, us(5));
        b.addEdge(a, bb);
        b.addEdge(a, c);
        b.addEdge(bb, d);
        b.addEdge(c, d);
        return b.build("diamond");
    }

    private static double[] times(Dag dag) {
        double[] t = new double[dag.size()];
        for (int v = 0; v < dag.size(); v++)
            t[v] = ((Work.Fixed) dag.work(v)).timeUs();
        return t;
    }

    @Test
    void diamondCriticalPathIsTheLongerBranch() {
        Dag dag = diamond(1);
        CriticalPath cp = CriticalPath.of(dag, times(dag));
        // a + b + d = 10 + 30 + 5; the branch through c is 10 + 20 + 5 = 35
        assertThat(cp.lengthUs()).isEqualTo(45.0);
        assertThat(dag.ids(cp.path())).containsExactly("a", "b", "d");
    }

    @Test
    void aTrailingNodeOfNoTimeEndsThePathButAnEqualFinishElsewhereDoesNot() {
        DagBuilder b = new DagBuilder();
        int a = b.addNode("a", null, 0, us(10));
        int side = b.addNode("side", null, 1, us(10));
        int end = b.addNode("end", null, 0, us(0));
        b.addEdge(a, end);
        Dag dag = b.build("trailing");
        CriticalPath cp = CriticalPath.of(dag, times(dag));
        // a ends at 10, as side does; end, of no time after a, ends a's path at 10; side is on no path to it
        assertThat(cp.lengthUs()).isEqualTo(10.0);
        assertThat(dag.ids(cp.path())).containsExactly("a", "end");
    }

    @Test
    void diamondOnTwoGpusRunsBothBranchesAtOnce() {
        Dag dag = diamond(1);
        Schedule s = Schedule.of(dag, times(dag));
        // b on GPU 0 and c on GPU 1 both start at 10; d waits for b (40) and ends at 45
        assertThat(s.makespanUs()).isEqualTo(45.0);
        assertThat(s.startUs(2)).isEqualTo(10.0);
        assertThat(s.computeBusyUs(0)).isEqualTo(10 + 30 + 5);
        assertThat(s.computeBusyUs(1)).isEqualTo(20);
    }

    @Test
    void twoOpsOnOneGpuDoNotRunInParallelForFree() {
        Dag dag = diamond(0);
        double[] t = times(dag);
        Schedule s = Schedule.of(dag, t);
        // unlimited resources still give 45, but b and c share GPU 0: b (longer tail) 10–40, c 40–60, d 60–65
        assertThat(CriticalPath.of(dag, t).lengthUs()).isEqualTo(45.0);
        assertThat(s.startUs(1)).isEqualTo(10.0);
        assertThat(s.startUs(2)).isEqualTo(40.0);
        assertThat(s.makespanUs()).isEqualTo(10 + 30 + 20 + 5);
        assertThat(s.computeBusyUs(0)).isEqualTo(65.0);
    }

    @Test
    void communicationOverlapsComputeOnItsOwnStream() {
        DagBuilder b = new DagBuilder();
        int a = b.addNode("a", null, 0, us(10));
        int x = b.addNode("x", null, new int[] {0, 1}, new Work.Comm(Collective.ALL_REDUCE, 1));
        b.addNode("y", null, 0, us(15));
        b.addEdge(a, x);
        Dag dag = b.build("overlap");
        double[] t = {10, 20, 15};
        Schedule s = Schedule.of(dag, t);
        // a (tail 30) before y (tail 15): a 0–10, y 10–25 on the compute stream, x 10–30 on the comm stream
        assertThat(s.startUs(2)).isEqualTo(10.0);
        assertThat(s.startUs(1)).isEqualTo(10.0);
        assertThat(s.makespanUs()).isEqualTo(30.0);
        assertThat(s.commBusyUs(1)).isEqualTo(20.0);
    }

    @Test
    void aMultiGpuOpWaitsForAllItsGpus() {
        DagBuilder b = new DagBuilder();
        b.addNode("long", null, 1, us(50));
        b.addNode("group", null, new int[] {0, 1}, us(10));
        Dag dag = b.build("group");
        Schedule s = Schedule.of(dag, new double[] {50, 10});
        // "long" has the longer tail, takes GPU 1 first; the TP-group op needs GPU 1 too
        assertThat(s.startUs(1)).isEqualTo(50.0);
        assertThat(s.makespanUs()).isEqualTo(60.0);
    }
}
