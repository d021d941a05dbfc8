package gemmcost.serving;

import gemmcost.Numbers;
import gemmcost.cost.CostModel;
import gemmcost.cost.Costing;
import gemmcost.dag.Dag;
import gemmcost.dag.WorkKind;
import gemmcost.deploy.Layout;
import gemmcost.gettime.Label;
import gemmcost.model.hf.Architecture;
import gemmcost.plan.ModelDag;
import gemmcost.plan.Step;
import gemmcost.schedule.CriticalPath;
import gemmcost.schedule.DagAnalysis;
import gemmcost.schedule.Schedule;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The time of one step in steady state: the slower of the busiest GPU's compute (every micro-batch's ops on it,
 * communication overlapped) and one micro-batch's critical path (communication included). With one micro-batch
 * on one group the path is its ops' sum and the busy time that sum less the communication; with several (pipeline
 * stages, AFD ping-pong) the groups work on different micro-batches at once, and a step cannot be shorter than
 * either bound.
 */
public record StepCost(Costing costing, CriticalPath path, double stepUs, int busiestGpu, double busiestGpuUs) {
    public static StepCost of(String name, Architecture model, Layout layout, Step step, CostModel cost) {
        Costing costing = Costing.of(ModelDag.build(name, model, layout, step), cost);
        Dag dag = costing.dag();
        double[] busyUs = new double[dag.gpuCount()];
        for (int v = 0; v < dag.size(); v++)
            if (!dag.communication(v))
                for (int g : dag.gpus(v))
                    busyUs[g] += costing.timeUs(v);
        int busiest = 0;
        for (int g = 1; g < busyUs.length; g++)
            if (busyUs[g] > busyUs[busiest])
                busiest = g;
        CriticalPath path = CriticalPath.of(dag, costing.timesUs());
        return new StepCost(costing, path, Math.max(busyUs[busiest], path.lengthUs()), busiest, busyUs[busiest]);
    }

    /** {@code 4643.7 us = max(busiest GPU's compute 3319.5 us, one micro-batch's critical path 4643.7 us)}. */
    public String explain(String unit) {
        return Numbers.micros(stepUs) + " " + unit + " = max(busiest GPU's compute " + Numbers.micros(busiestGpuUs)
                + " " + unit + ", one micro-batch's critical path " + Numbers.micros(criticalPathUs()) + " " + unit
                + ")";
    }

    public double criticalPathUs() {
        return path.lengthUs();
    }

    public Dag dag() {
        return costing.dag();
    }

    /** The step scheduled on its GPUs as {@code analyze} and {@code report} show a DAG (a list schedule: not free). */
    public DagAnalysis analysis() {
        return new DagAnalysis(costing, path, Schedule.of(dag(), costing.timesUs()));
    }

    /**
     * Microseconds of one micro-batch's critical path by op kind: gemm, attention, memory and communication always
     * (0 where none), then any other kind on the path but the markers, which do no work.
     */
    public Map<WorkKind, Double> criticalPathByKind() {
        Map<WorkKind, Double> us = new EnumMap<>(WorkKind.class);
        for (WorkKind kind : List.of(WorkKind.GEMM, WorkKind.ATTENTION, WorkKind.MEMORY, WorkKind.COMMUNICATION))
            us.put(kind, 0.0);
        for (int v : path.path())
            us.merge(WorkKind.of(dag().work(v)), costing.timeUs(v), Double::sum);
        us.remove(WorkKind.NONE); // markers (joins) do no work: nothing to list
        return us;
    }

    /** The labels of the critical path's ops. */
    public Set<Label> criticalPathLabels() {
        Set<Label> labels = EnumSet.noneOf(Label.class);
        for (int v : path.path())
            labels.add(costing.label(v));
        return labels;
    }

    public Set<Label> labels() {
        return costing.labels();
    }
}
