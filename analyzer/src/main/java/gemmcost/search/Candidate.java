package gemmcost.search;

import gemmcost.model.Deployment;
import java.util.Objects;

/**
 * A plan to evaluate.
 *
 * @param seed what it is in the seed report, or empty
 * @param ranked false for a plan shown for comparison but not part of the ranking (the seed's dense baseline
 *               costs a different model)
 */
public record Candidate(Deployment deployment, String seed, boolean ranked) {
    public Candidate {
        Objects.requireNonNull(deployment, "deployment");
        Objects.requireNonNull(seed, "seed");
    }

    public String describe() {
        return PlanText.describe(deployment.plan());
    }
}
