package gemmcost.gettime;

import gemmcost.device.Device;
import gemmcost.device.Dtype;
import gemmcost.device.Roofline;
import gemmcost.BadInputException;

/** Get_Time from datasheet limits alone: the roofline speed of light, labelled {@link Label#MODELED}. */
public final class RooflineGetTime implements GetTime {
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
        return Estimate.of(roofline.timeUs(m, k, n), Label.MODELED, Estimate.Method.ROOFLINE);
    }

    @Override
    public String source() {
        return "modeled: " + device.name() + " (" + device.id() + "), " + dtype.id()
                + ", dense datasheet roofline, no measured table";
    }
}
