package gemmcost.plan;

import gemmcost.dag.Dag;
import gemmcost.model.Deployment;
import gemmcost.model.Plan;

/** The operator DAG of a deployment's plan for its phase. */
public final class PlanDags {
    private PlanDags() {
    }

    public static Dag build(Deployment deployment) {
        return switch (deployment.plan()) {
            case Plan.TpPp tpPp -> TpPpDag.build(deployment, tpPp);
            case Plan.MaSeparation ma -> MaSeparationDag.build(deployment, ma);
        };
    }
}
