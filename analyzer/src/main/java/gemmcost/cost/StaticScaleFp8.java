package gemmcost.cost;

import gemmcost.device.Device;
import gemmcost.device.Dtype;
import gemmcost.device.Roofline;
import gemmcost.gettime.Estimate;
import gemmcost.gettime.GetTime;
import gemmcost.gettime.Label;
import gemmcost.gettime.RooflineGetTime;
import gemmcost.table.Profile;
import gemmcost.table.ProfileEntry;
import java.util.Locale;

/**
 * A per-tensor fp8 table's GEMMs as a served model runs them. A table's fp8 times include quantising the activation
 * on every call with a scale computed from it (AIConfigurator's tables do: ../shared/data/gemm-public/README.md); an
 * fp8 checkpoint served by an engine carries a static activation scale, so a served fp8 GEMM is one quantisation
 * kernel and the GEMM: at least two kernel floors ({@link #SERVED_FLOOR_US}). Where a table's fastest GEMM takes
 * longer than that, the excess is the dynamic scale's own work (a reduction over the activation before the
 * quantisation: its fixed part), and every answer is that much shorter, never under the two floors or the datasheet
 * roofline, and labelled modeled. (TensorRT-LLM 1.3's fp8 table: fastest 11.8 to 12.4 µs, so 7.0 to 7.6 µs less;
 * vLLM 0.24's: 4.5 to 4.7 µs, unchanged. fp8_block is quantised per 128-element group from the activation itself in
 * serving too, so its tables stay as measured.) {@code roofline}: the device's fp8 datasheet roofline, null where the
 * catalog has none.
 */
record StaticScaleFp8(GetTime table, double excessUs, Roofline roofline) implements GetTime {
    /** A served fp8 GEMM's least time: the quantisation kernel's floor and the GEMM's. */
    static final double SERVED_FLOOR_US = 2 * RooflineGetTime.KERNEL_FLOOR_US;

    /** {@code getTime} as a served model pays it: changed only for an fp8 table slower than the served floor. */
    static GetTime served(GetTime getTime, Profile table, Device device) {
        if (!table.dtype().equals(Dtype.FP8.id()))
            return getTime;
        double fastestUs = table.entries().stream().mapToDouble(ProfileEntry::timeUs).min().orElseThrow();
        double excessUs = fastestUs - SERVED_FLOOR_US;
        return excessUs > 0 ? new StaticScaleFp8(getTime, excessUs, device.roofline(Dtype.FP8).orElse(null))
                : getTime;
    }

    @Override
    public Estimate estimate(long m, long k, long n) {
        Estimate measured = table.estimate(m, k, n);
        double lightUs = roofline == null ? 0 : roofline.timeUs(m, k, n);
        double servedUs = Math.max(measured.timeUs() - excessUs, Math.max(SERVED_FLOOR_US, lightUs));
        return new Estimate(servedUs, Label.MODELED, measured.method(), measured.octavesOutside(),
                measured.axisOutside());
    }

    @Override
    public String source() {
        return table.source() + String.format(Locale.ROOT, "; served with a static activation scale: %.2f us less"
                + " a GEMM, the table's dynamic scaling (modeled)", excessUs);
    }
}
