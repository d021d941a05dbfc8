package gemmcost.cost;

import gemmcost.dag.Dag;
import gemmcost.gettime.Label;

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
            timeUs[v] = model.timeUs(dag, v);
            labels[v] = model.label(dag, v);
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
}
