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
        Plan.MaSeparation ma = (Plan.MaSeparation) SeedDeployments.maSeparation(Phase.DECODE).plan();
        List<Candidate> marked = new ArrayList<>(space.size() + 1);
        for (Candidate c : space) {
            Deployment d = c.deployment();
            if (d.gpus() == 16 && d.plan().equals(baseline)) {
                marked.add(new Candidate(d, "seed baseline, with the model's experts", true));
                Plan dense = new Plan.TpPp(8, 2, 1, Plan.Mlp.DENSE);
                marked.add(new Candidate(d.withPlan(PlanText.describe(dense), d.gpus(), dense),
                        "seed baseline as the seed costs it (not this model: one dense MLP)", false));
            } else if (d.gpus() == 16 && isSeedLayout(d.plan(), ma)) {
                marked.add(new Candidate(d, "seed MA-separation", true));
            } else {
                marked.add(c);
            }
        }
        return marked;
    }

    /**
     * The seed's MA split of GPUs, heads and experts, at whatever routing imbalance the search's config gives (a
     * property of the workload's routing, not of the plan: the seed assumed 1.0).
     */
    private static boolean isSeedLayout(Plan plan, Plan.MaSeparation seed) {
        return plan instanceof Plan.MaSeparation m && m.equals(new Plan.MaSeparation(seed.attentionGpus(),
                seed.heads(), seed.moeGpus(), seed.experts(), m.imbalance(), seed.microBatches()));
    }
}
