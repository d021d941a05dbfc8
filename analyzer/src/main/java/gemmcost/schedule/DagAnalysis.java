package gemmcost.schedule;

import gemmcost.BadInputException;
import gemmcost.cost.CostModel;
import gemmcost.cost.Costing;
import gemmcost.dag.Dag;
import gemmcost.gettime.Label;
import gemmcost.model.Deployment;
import gemmcost.plan.PlanDags;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** A DAG costed under one model, with its critical path (unlimited resources) and its per-GPU schedule. */
public record DagAnalysis(Costing costing, CriticalPath criticalPath, Schedule schedule) {
    public DagAnalysis {
        Objects.requireNonNull(costing, "costing");
        Objects.requireNonNull(criticalPath, "criticalPath");
        Objects.requireNonNull(schedule, "schedule");
    }

    /**
     * Costs, critical path and schedule. Times that add up beyond what a double holds (durations near 1.8e308 µs)
     * are the input's fault: a {@link BadInputException}, never an Infinity or NaN printed.
     */
    public static DagAnalysis of(Dag dag, CostModel model) {
        Costing costing = Costing.of(dag, model);
        DagAnalysis analysis = new DagAnalysis(costing, CriticalPath.of(dag, costing.timesUs()),
                Schedule.of(dag, costing.timesUs()));
        if (!Double.isFinite(analysis.schedule.makespanUs()) || !Double.isFinite(analysis.criticalPath.lengthUs()))
            throw new BadInputException("the DAG's times add up beyond what a 64-bit float holds (1.8e308 us):"
                    + " its durations are too large to mean anything");
        return analysis;
    }

    /** The operator DAG of a deployment's plan for its phase, analysed. */
    public static DagAnalysis of(Deployment deployment, CostModel model) {
        return of(PlanDags.build(deployment), model);
    }

    public Dag dag() {
        return costing.dag();
    }

    /** How much of the critical path's time carries each label. */
    public Map<Label, Double> criticalPathByLabel() {
        Map<Label, Double> byLabel = new EnumMap<>(Label.class);
        for (int v : criticalPath.path())
            byLabel.merge(costing.label(v), costing.timeUs(v), Double::sum);
        return byLabel;
    }

    /** The labels of every node that takes time: what the makespan and per-GPU times are made of. */
    public Set<Label> labels() {
        return costing.labels();
    }

    /** Makespan minus critical path: the time lost because operations share GPUs. */
    public double contentionUs() {
        return schedule.makespanUs() - criticalPath.lengthUs();
    }
}
