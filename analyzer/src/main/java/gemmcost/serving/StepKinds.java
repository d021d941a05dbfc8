package gemmcost.serving;

import gemmcost.dag.Dag;
import gemmcost.dag.Work;
import gemmcost.cost.Costing;
import gemmcost.schedule.CriticalPath;
import java.util.LinkedHashMap;
import java.util.Map;

/** Where one micro-batch's critical path spends its time, by op kind. */
final class StepKinds {
    private StepKinds() {
    }

    /** Microseconds of the critical path per kind: gemm, attention, memory, communication (in that order). */
    static Map<String, Double> ofCriticalPath(Costing costing, CriticalPath path) {
        Map<String, Double> us = new LinkedHashMap<>();
        for (String kind : new String[] {"gemm", "attention", "memory", "communication"})
            us.put(kind, 0.0);
        Dag dag = costing.dag();
        for (int v : path.path())
            us.merge(kind(dag, v), costing.timeUs(v), Double::sum);
        return us;
    }

    private static String kind(Dag dag, int v) {
        return switch (dag.work(v)) {
            case Work.Gemm g -> "gemm";
            case Work.Attention at -> "attention";
            case Work.Memory m -> "memory";
            case Work.Comm c -> "communication";
            case Work.Fixed f -> "given";
            case Work.Unknown u -> "given";
        };
    }
}
