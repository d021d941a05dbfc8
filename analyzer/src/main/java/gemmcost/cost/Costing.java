package gemmcost.cost;

import gemmcost.dag.Dag;
import gemmcost.gettime.Label;
import java.util.EnumSet;
import java.util.Set;

/** The time and label of every node of a DAG under one cost model. */
public final class Costing {
    private final Dag dag;
    private final CostModel model;
    private final double[] timeUs;
    private final Label[] labels;

    private Costing(Dag dag, CostModel model) {
        this.dag = dag;
        this.model = model;
        this.timeUs = new double[dag.size()];
        this.labels = new Label[dag.size()];
        for (int v = 0; v < dag.size(); v++) {
            CostModel.NodeCost cost = model.cost(dag, v);
            timeUs[v] = cost.timeUs();
            labels[v] = cost.label();
        }
    }

    public static Costing of(Dag dag, CostModel model) {
        return new Costing(dag, model);
    }

    public Dag dag() {
        return dag;
    }

    public CostModel model() {
        return model;
    }

    /** Node times, indexed like the DAG's nodes; the caller must not modify the array. */
    public double[] timesUs() {
        return timeUs;
    }

    public double timeUs(int v) {
        return timeUs[v];
    }

    public Label label(int v) {
        return labels[v];
    }

    /**
     * The labels of every node that takes time, what a makespan or a per-GPU time is made of, and {@code uncosted}
     * where a node was left out.
     */
    public Set<Label> labels() {
        Set<Label> used = EnumSet.noneOf(Label.class);
        for (int v = 0; v < timeUs.length; v++)
            if (timeUs[v] > 0 || labels[v] == Label.UNCOSTED) // an op left out marks every total as missing it
                used.add(labels[v]);
        return used;
    }
}
