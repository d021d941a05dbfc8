package gemmcost.plan;

import java.util.Arrays;

/**
 * How top-k routing loads the experts: the tokens each expert receives (m·k/E on average; with an imbalance factor f
 * the busiest expert gets f times the mean), and the experts the busiest GPU runs in a step.
 */
final class Routing {
    private Routing() {
    }

    /**
     * With an imbalance factor f the busiest expert (expert 0) gets f times the mean and the others share the rest
     * evenly; counts are rounded up.
     */
    static long[] tokensPerExpert(long tokens, int topK, int experts, double imbalance) {
        double mean = (double) tokens * topK / experts;
        double busiest = Math.min(tokens, imbalance * mean);
        double others = experts > 1 ? (tokens * (double) topK - busiest) / (experts - 1) : busiest;
        long[] perExpert = new long[experts];
        Arrays.fill(perExpert, Math.max(1, (long) Math.ceil(others - 1e-9)));
        perExpert[0] = Math.max(1, (long) Math.ceil(busiest - 1e-9));
        return perExpert;
    }

    /**
     * The experts some token chose on the busiest of {@code gpus} GPUs holding {@code local} experts each, expected,
     * where each expert is chosen with probability {@code chosen}: a GPU's count is then Binomial(local, chosen) (the
     * experts taken as independent, as they nearly are for k ≪ E), and a step waits for the GPU with the most,
     * E[max] = Σ_{j < local} (1 − F(j)^gpus) with F the binomial's distribution function; on one GPU the mean. One
     * decode token's 8 of DeepSeek-V3's 256 experts over 8 GPUs: 1 a GPU on average, 2.54 on the busiest.
     */
    static double busiestActiveExperts(int local, int gpus, double chosen) {
        if (gpus == 1 || chosen <= 0 || chosen >= 1)
            return local * Math.min(1, Math.max(0, chosen));
        double logPmf = local * Math.log1p(-chosen);
        double logOdds = Math.log(chosen) - Math.log1p(-chosen);
        double cdf = 0;
        double expectedMax = 0;
        for (int j = 0; j < local; j++) {
            cdf += Math.exp(logPmf);
            expectedMax += 1 - Math.pow(Math.min(1, cdf), gpus);
            logPmf += Math.log((double) (local - j) / (j + 1)) + logOdds;
        }
        return expectedMax;
    }
}
