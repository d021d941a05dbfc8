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
 * An imported per-tensor fp8 table's GEMMs as a served model runs them. An fp8 GEMM is a quantisation of its
 * activation and the GEMM: about two kernel floors ({@link #SERVED_FLOOR_US}); vLLM 0.24's fp8 table, which times its
 * dynamic per-call scaling with each GEMM, is fastest at 4.5 to 4.7 µs. TensorRT-LLM 1.3's is fastest at 11.8 to
 * 12.4 µs: its benchmark computes the dynamic scale in kernels of their own (../shared/data/gemm-public/README.md: the
 * fp8 rows include the framework's dynamic activation quantisation), which a checkpoint served with a static
 * activation scale (ModelOpt's fp8, as TensorRT-LLM serves it) does not run, and which an engine that scales
 * dynamically runs in about one kernel. So an imported fp8 table's answers are its excess over the two floors shorter
 * (TensorRT-LLM's: 7.0 to 7.6 µs; vLLM's: unchanged), never under the two floors or the datasheet roofline, and never
 * longer than the table's own answer. A verbatim entry so corrected is modeled; an interpolated or extrapolated answer
 * keeps its label. A measured or simulated table (the bench times the GEMM alone) and fp8_block tables (quantised per
 * 128-element group from the activation itself in serving too) are used as they are. {@code roofline}: the device's
 * fp8 datasheet roofline, null where the catalog has none.
 */
record StaticScaleFp8(GetTime table, double excessUs, Roofline roofline) implements GetTime {
    /** A served fp8 GEMM's least time: the quantisation kernel's floor and the GEMM's. */
    static final double SERVED_FLOOR_US = 2 * RooflineGetTime.KERNEL_FLOOR_US;

    /** {@code getTime} as a served model pays it: changed only for an fp8 table slower than the served floor. */
    static GetTime served(GetTime getTime, Profile table, Device device) {
        if (!table.dtype().equals(Dtype.FP8.id()) || table.provenance().kind() != Profile.Kind.IMPORTED)
            return getTime;
        double fastestUs = table.entries().stream().mapToDouble(ProfileEntry::timeUs).min().orElseThrow();
        double excessUs = fastestUs - SERVED_FLOOR_US;
        return excessUs > 0 ? new StaticScaleFp8(getTime, excessUs, device.roofline(Dtype.FP8).orElse(null))
                : getTime;
    }

    @Override
    public Estimate estimate(long m, long k, long n) {
        Estimate imported = table.estimate(m, k, n);
        double lightUs = roofline == null ? 0 : roofline.timeUs(m, k, n);
        double servedUs = Math.min(imported.timeUs(),
                Math.max(imported.timeUs() - excessUs, Math.max(SERVED_FLOOR_US, lightUs)));
        boolean verbatim = imported.method() == Estimate.Method.EXACT;
        Label label = verbatim && servedUs != imported.timeUs() ? Label.MODELED : imported.label();
        return new Estimate(servedUs, label, imported.method(), imported.octavesOutside(), imported.axisOutside());
    }

    @Override
    public String source() {
        return table.source() + String.format(Locale.ROOT, "; served with a static activation scale: %.2f us less"
                + " a GEMM, the table's dynamic scaling (modeled)", excessUs);
    }
}
