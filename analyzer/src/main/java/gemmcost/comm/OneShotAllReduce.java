package gemmcost.comm;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * A serving engine's own all-reduce kernel for small tensor-parallel messages within an NVLink node: every GPU reads
 * its peers' buffers and reduces them in one kernel, {@code t = latency(n) + S / rate}. TensorRT-LLM (its ONESHOT
 * and TWOSHOT strategies), vLLM and SGLang (their custom all-reduce) use such a kernel where it beats NCCL, which is
 * why an engine's all-reduce costs the faster of the two ({@link Network#timeUs}).
 *
 * @param latencyUsAtTwoGpus       the fixed cost on 2 GPUs (launch, the cross-GPU flag barrier)
 * @param latencyUsPerDoubling     what each doubling of the GPUs adds to it
 * @param bytesPerSec              the rate at which the kernel reads and reduces a message's bytes
 */
public record OneShotAllReduce(double latencyUsAtTwoGpus, double latencyUsPerDoubling, double bytesPerSec) {
    public OneShotAllReduce {
        if (!(latencyUsAtTwoGpus >= 0) || !(latencyUsPerDoubling >= 0) || !(bytesPerSec > 0))
            throw new IllegalArgumentException("must be >= 0 and a rate > 0: latency_us=" + latencyUsAtTwoGpus
                    + ", latency_us_per_doubling=" + latencyUsPerDoubling + ", bytes_per_sec=" + bytesPerSec);
    }

    /**
     * SGLang's custom all-reduce on H100 SXM, measured by its authors without CUDA graphs (sgl-project/sglang pull
     * request 2904: 2 / 4 / 8 GPUs, 512 B to 1 MiB; 5.9 µs for 512 B and 33.8 µs for 1 MiB on 8 GPUs, where NCCL
     * takes 15.6 and 25.4 µs in {@code nccl.csv}). A least-squares line per GPU count over its 18 timings gives
     * 3.9 / 4.9 / 7.0 µs fixed on 2 / 4 / 8 GPUs and 37.4 GB/s on 8; taken as 3.9 µs + 1.55 µs per doubling (the
     * line through the 2- and 8-GPU values: 5.45 µs on 4) and the 8-GPU rate for every count. Used for NVLink4 and
     * NVLink5 nodes alike: the fixed cost is a kernel and a barrier over NVSwitch, and no B200 timing of such a
     * kernel is public here.
     */
    public static final OneShotAllReduce ENGINE_KERNEL = new OneShotAllReduce(3.9, 1.55, 37.4e9);

    /** {@code 3.9 µs + 1.55 µs per doubling of the GPUs + bytes at 37.4 GB/s}. */
    public String formula() {
        return plain(latencyUsAtTwoGpus) + " µs + " + plain(latencyUsPerDoubling)
                + " µs per doubling of the GPUs + bytes at " + plain(bytesPerSec / 1e9) + " GB/s";
    }

    /** At most 4 significant digits, no trailing zeros. */
    private static String plain(double value) {
        return new BigDecimal(value).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    /** Time to all-reduce {@code bytes} over {@code ranks} GPUs of one node; 0 for one GPU. */
    public double timeUs(double bytes, int ranks) {
        if (ranks < 2)
            return 0;
        double doublings = Math.log(ranks) / Math.log(2) - 1;
        return latencyUsAtTwoGpus + doublings * latencyUsPerDoubling + bytes / bytesPerSec * 1e6;
    }
}
