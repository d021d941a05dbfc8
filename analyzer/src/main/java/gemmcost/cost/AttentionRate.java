package gemmcost.cost;

import gemmcost.device.Device;
import gemmcost.device.Dtype;

/**
 * The rate fused attention kernels do their QKᵀ and ·V FLOPs at: a fraction of the device's dense bf16 tensor peak
 * (attention runs in bf16 whatever the weights' format).
 */
public record AttentionRate(double flopsPerSec, String source) {
    /**
     * FlashAttention-3 (Shah et al. 2024) runs its bf16 forward pass on an H100 SXM at 500–740 TFLOP/s of the
     * 989 TFLOP/s dense peak (50–75 %) from 512- to 16k-token sequences; FlashMLA reports 660 TFLOP/s on an H800
     * (67 %) in its compute-bound decode setting. 0.6 is the middle of that range: a modeled rate, not a measurement.
     */
    public static final double FUSED_ATTENTION_PEAK_FRACTION = 0.6;

    /** For cost models whose DAGs have no fused attention: costing one is an internal error. */
    static final AttentionRate NONE = new AttentionRate(Double.NaN, "none");

    /** {@link #FUSED_ATTENTION_PEAK_FRACTION} of {@code device}'s bf16 datasheet peak. */
    public static AttentionRate of(Device device) {
        double peak = device.roofline(Dtype.BF16).orElseThrow(() -> new IllegalStateException(
                "no bf16 peak in the catalog for " + device.id())).peakFlopsPerSec();
        return new AttentionRate(peak * FUSED_ATTENTION_PEAK_FRACTION,
                Math.round(FUSED_ATTENTION_PEAK_FRACTION * 100) + " % of the bf16 datasheet peak");
    }

    double timeUs(double flops) {
        if (Double.isNaN(flopsPerSec))
            throw new IllegalStateException("a fused attention op in a cost model without an attention rate");
        return flops / flopsPerSec * 1e6;
    }
}
