package gemmcost.plan;

import java.util.Arrays;

/**
 * Tokens each expert receives under top-k routing: m·k/E on average. With an imbalance factor f the busiest
 * expert (expert 0) gets f times the mean and the others share the rest evenly; counts are rounded up.
 */
final class Routing {
    private Routing() {
    }

    static long[] tokensPerExpert(long tokens, int topK, int experts, double imbalance) {
        double mean = (double) tokens * topK / experts;
        double busiest = Math.min(tokens, imbalance * mean);
        double others = experts > 1 ? (tokens * (double) topK - busiest) / (experts - 1) : busiest;
        long[] perExpert = new long[experts];
        Arrays.fill(perExpert, Math.max(1, (long) Math.ceil(others - 1e-9)));
        perExpert[0] = Math.max(1, (long) Math.ceil(busiest - 1e-9));
        return perExpert;
    }
}
