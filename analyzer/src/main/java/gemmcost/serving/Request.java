package gemmcost.serving;

/**
 * A benchmark client's load: {@code concurrency} requests in flight, each {@code isl} tokens in, {@code osl} out, and
 * {@code rounds} requests per place measured ({@link #STEADY_STATE}: an endless run). A measured phase starts at
 * idle workers (benchmark clients wait for their warm-up requests to finish), so its first {@code concurrency}
 * requests arrive together.
 */
public record Request(int concurrency, int isl, int osl, int rounds) {
    /** No start: the steady state of an endless run. */
    public static final int STEADY_STATE = 0;

    /**
     * The requests per place of AIConfigurator's generated benchmark script: {@code aiperf} with
     * {@code --num-requests} = 20 × concurrency (its {@code BENCH_MULTI_ROUND}), after 2 × concurrency warm-up ones.
     */
    public static final int AICONFIGURATOR_ROUNDS = 20;

    public Request {
        if (concurrency < 1 || isl < 1 || osl < 2 || rounds < 0)
            throw new IllegalArgumentException("must be concurrency >= 1, isl >= 1, osl >= 2, rounds >= 0: concurrency="
                    + concurrency + ", isl=" + isl + ", osl=" + osl + ", rounds=" + rounds);
    }

    /** The steady state of an endless run. */
    public Request(int concurrency, int isl, int osl) {
        this(concurrency, isl, osl, STEADY_STATE);
    }

    /** The KV length a decode step reads, averaged over a request's decode steps: isl + osl / 2. */
    public int meanKvTokens() {
        return isl + osl / 2;
    }
}
