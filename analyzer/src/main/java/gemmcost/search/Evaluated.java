package gemmcost.search;

import gemmcost.gettime.Label;
import java.util.Objects;
import java.util.Set;

/**
 * A plan and its modeled TPOT (the makespan of one step of its phase).
 *
 * @param rank   1 for the fastest ranked plan; 0 for one shown but not ranked
 * @param labels how the times it sums were obtained
 */
public record Evaluated(Candidate candidate, double tpotUs, Set<Label> labels, int rank) {
    public Evaluated {
        Objects.requireNonNull(candidate, "candidate");
        labels = Set.copyOf(labels);
    }

    Evaluated ranked(int at) {
        return new Evaluated(candidate, tpotUs, labels, at);
    }
}
