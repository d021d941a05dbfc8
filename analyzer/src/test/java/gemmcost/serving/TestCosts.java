package gemmcost.serving;

import gemmcost.comm.Network;
import gemmcost.cost.AttentionRate;
import gemmcost.cost.CostModel;
import gemmcost.cost.MemoryBandwidth;
import gemmcost.gettime.Estimate;
import gemmcost.gettime.GetTime;
import gemmcost.gettime.Label;

/** Cost models whose every number a test can derive by hand. */
final class TestCosts {
    private TestCosts() {
    }

    /** GEMMs at 10¹² FLOP/s (2mkn / 10⁶ µs), memory at 10⁹ bytes/s (1 ns a byte), attention at 10¹² FLOP/s. */
    static CostModel teraFlopGigaByte() {
        return teraFlopGigaByte(Long.MAX_VALUE);
    }

    /** The same, its GEMMs measured below m = {@code extrapolatedFromM} and extrapolated from there. */
    static CostModel teraFlopGigaByte(long extrapolatedFromM) {
        GetTime teraFlop = new GetTime() {
            @Override
            public Estimate estimate(long m, long k, long n) {
                return m < extrapolatedFromM ? new Estimate(2.0 * m * k * n / 1e6, Label.MEASURED,
                        Estimate.Method.EXACT, 0, "") : new Estimate(2.0 * m * k * n / 1e6, Label.EXTRAPOLATED,
                        Estimate.Method.LOCAL_FIT, 1, "m");
            }

            @Override
            public String source() {
                return "test: 1e12 FLOP/s";
            }
        };
        return new CostModel(teraFlop, new MemoryBandwidth(1e9, Label.MODELED, "test"), Network.h100Default(),
                new AttentionRate(1e12, "test"));
    }
}
