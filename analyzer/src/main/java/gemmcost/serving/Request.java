package gemmcost.serving;

/** A benchmark client's load: {@code concurrency} requests in flight, each {@code isl} tokens in, {@code osl} out. */
public record Request(int concurrency, int isl, int osl) {
    public Request {
        if (concurrency < 1 || isl < 1 || osl < 2)
            throw new IllegalArgumentException("must be concurrency >= 1, isl >= 1, osl >= 2: concurrency="
                    + concurrency + ", isl=" + isl + ", osl=" + osl);
    }

    /** The KV length a decode step reads, averaged over a request's decode steps: isl + osl / 2. */
    public int meanKvTokens() {
        return isl + osl / 2;
    }
}
