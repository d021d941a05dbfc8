package gemmcost.serving;

import gemmcost.cost.CostModel;
import gemmcost.dag.Dag;
import gemmcost.deploy.Layout;
import gemmcost.gettime.Label;
import gemmcost.model.hf.Architecture;
import gemmcost.plan.ModelDag;
import gemmcost.plan.Step;
import gemmcost.schedule.DagAnalysis;
import java.util.Map;
import java.util.Set;

/**
 * The time of one step in steady state: the slower of the busiest GPU's compute (every micro-batch's ops on it,
 * communication overlapped) and one micro-batch's critical path (communication included). With one micro-batch
 * on one group the path is its ops' sum and the busy time that sum less the communication; with several (pipeline
 * stages, AFD ping-pong) the groups work on different micro-batches at once, and a step cannot be shorter than
 * either bound.
 */
public record StepCost(DagAnalysis analysis, double stepUs, int busiestGpu, double busiestGpuUs,
                       double criticalPathUs) {
    public static StepCost of(String name, Architecture model, Layout layout, Step step, CostModel cost) {
        Dag dag = ModelDag.build(name, model, layout, step);
        DagAnalysis analysis = DagAnalysis.of(dag, cost);
        int busiest = 0;
        for (int g = 1; g < dag.gpuCount(); g++)
            if (analysis.schedule().computeBusyUs(g) > analysis.schedule().computeBusyUs(busiest))
                busiest = g;
        double busy = analysis.schedule().computeBusyUs(busiest);
        double path = analysis.criticalPath().lengthUs();
        return new StepCost(analysis, Math.max(busy, path), busiest, busy, path);
    }

    /** Microseconds of one micro-batch's critical path by op kind: gemm, attention, memory, communication. */
    public Map<String, Double> criticalPathByKind() {
        return StepKinds.ofCriticalPath(analysis);
    }

    public Set<Label> labels() {
        return analysis.labels();
    }
}
