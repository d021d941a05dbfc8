package gemmcost.gettime;

import gemmcost.device.Device;
import gemmcost.device.Dtype;
import gemmcost.device.Roofline;
import gemmcost.BadInputException;

/**
 * Get_Time from datasheet limits alone: the roofline speed of light, but never under {@link #KERNEL_FLOOR_US},
 * labelled {@link Label#MODELED}.
 */
public final class RooflineGetTime implements GetTime {
    /**
     * The least time a GEMM kernel takes, whatever its shape: the fastest cuBLAS GEMMs in the public tables of
     * {@code ../shared/data/gemm-public} (AIConfigurator's graph-replayed bf16 kernels, tiny shapes, on A100, H100
     * and H200) take 2.44 to 2.54 µs. A roofline alone goes to zero for tiny shapes (Get_Time(1, 1, 1) = 2e-6 µs), and
     * a decode DAG of hundreds of small operators would then carry no kernel time at all.
     */
    public static final double KERNEL_FLOOR_US = 2.4;

    private final Device device;
    private final Dtype dtype;
    private final Roofline roofline;

    public RooflineGetTime(Device device, Dtype dtype) {
        this.device = device;
        this.dtype = dtype;
        this.roofline = device.roofline(dtype).orElseThrow(() -> new BadInputException(
                "no datasheet peak for dtype " + dtype.id() + " on " + device.id()));
    }

    @Override
    public Estimate estimate(long m, long k, long n) {
        Shapes.requirePositive(m, k, n);
        double timeUs = roofline.timeUs(m, k, n);
        return timeUs >= KERNEL_FLOOR_US ? Estimate.of(timeUs, Label.MODELED, Estimate.Method.ROOFLINE)
                : Estimate.of(KERNEL_FLOOR_US, Label.MODELED, Estimate.Method.KERNEL_FLOOR);
    }

    @Override
    public String source() {
        String peak = dtype.peakDtype() == dtype ? "" : " (" + dtype.peakDtype().id() + " tensor cores)";
        return "modeled: " + device.name() + " (" + device.id() + "), " + dtype.id() + peak
                + ", dense datasheet roofline with a " + KERNEL_FLOOR_US + " us kernel floor, no measured table";
    }
}
