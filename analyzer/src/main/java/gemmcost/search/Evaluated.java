package gemmcost.search;

import java.util.Objects;

/**
 * A plan and its modeled TPOT (the makespan of one step of its phase).
 *
 * @param rank   1 for the fastest ranked plan; 0 for one shown but not ranked
 * @param labels how the times it sums were obtained, e.g. {@code interpolated+modeled}
 */
public record Evaluated(Candidate candidate, double tpotUs, String labels, int rank) {
    public Evaluated {
        Objects.requireNonNull(candidate, "candidate");
        Objects.requireNonNull(labels, "labels");
    }

    Evaluated ranked(int at) {
        return new Evaluated(candidate, tpotUs, labels, at);
    }
}
