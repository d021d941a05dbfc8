package gemmcost.claim;

import gemmcost.model.Deployment;
import gemmcost.model.Phase;
import gemmcost.model.Plan;
import gemmcost.search.Candidate;
import gemmcost.search.PlanText;
import java.util.ArrayList;
import java.util.List;

/** The seed report's two plans, marked in a search's space, with its dense-costed baseline added beside them. */
public final class SeedPlans {
    private SeedPlans() {
    }

    /** Marks the seed's plans in the space and adds its dense-costed baseline beside its baseline. */
    public static List<Candidate> mark(List<Candidate> space) {
        Plan baseline = SeedDeployments.baseline(Plan.Mlp.MOE, Phase.DECODE).plan();
        Plan ma = SeedDeployments.maSeparation(Phase.DECODE).plan();
        List<Candidate> marked = new ArrayList<>(space.size() + 1);
        for (Candidate c : space) {
            Deployment d = c.deployment();
            if (d.gpus() == 16 && d.plan().equals(baseline)) {
                marked.add(new Candidate(d, "seed baseline, with the model's experts", true));
                Plan dense = new Plan.TpPp(8, 2, 1, Plan.Mlp.DENSE);
                marked.add(new Candidate(d.withPlan(PlanText.describe(dense), d.gpus(), dense),
                        "seed baseline as the seed costs it (not this model: one dense MLP)", false));
            } else if (d.gpus() == 16 && d.plan().equals(ma)) {
                marked.add(new Candidate(d, "seed MA-separation", true));
            } else {
                marked.add(c);
            }
        }
        return marked;
    }
}
