package gemmcost.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import gemmcost.device.Device;
import gemmcost.device.DeviceCatalog;
import gemmcost.device.Dtype;
import gemmcost.gettime.Estimate;
import gemmcost.gettime.GetTime;
import gemmcost.gettime.GetTimes;
import gemmcost.gettime.Label;
import gemmcost.table.GemmShape;
import gemmcost.table.Profile;
import gemmcost.table.ProfileEntry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaticScaleFp8Test {
    private static final Device H100 = DeviceCatalog.require("h100-sxm");

    /** An imported H100 table whose fastest GEMM takes {@code fastestUs}, and a 4096³ and an 8192³ GEMM. */
    private static Profile table(String dtype, double fastestUs) {
        return new Profile(Profile.Device.named("H100_SXM", "h100-sxm"), Profile.Host.UNKNOWN, Profile.Timing.UNKNOWN,
                dtype, "fp32", new Profile.Provenance(Profile.Kind.IMPORTED, "test", "0.1.0", null,
                Instant.parse("2026-11-30T00:00:00Z")),
                List.of(new ProfileEntry(new GemmShape(1, 256, 256), fastestUs, 1),
                        new ProfileEntry(new GemmShape(4096, 4096, 4096), 140, 1),
                        new ProfileEntry(new GemmShape(8192, 8192, 8192), 560, 1)));
    }

    private static GetTime served(Profile table) {
        return StaticScaleFp8.served(GetTimes.fromProfile(Path.of("t.csv"), table), table, H100);
    }

    @Test
    void anFp8TableSlowerThanTwoKernelFloorsShouldLoseItsExcessOnEveryGemmLabelledModeled() {
        // fastest 12 µs, served floor 2 × 2.4 = 4.8 µs: 7.2 µs of dynamic scaling off each answer
        GetTime served = served(table("fp8", 12));

        Estimate fastest = served.estimate(1, 256, 256);
        Estimate middle = served.estimate(4096, 4096, 4096);
        assertThat(fastest.timeUs()).isCloseTo(4.8, offset(1e-12));
        assertThat(middle.timeUs()).isCloseTo(140 - 7.2, offset(1e-12));
        assertThat(middle.label()).isEqualTo(Label.MODELED);
        assertThat(middle.method()).isEqualTo(Estimate.Method.EXACT);
        assertThat(served.source()).endsWith("; served with a static activation scale: 7.20 us less a GEMM, the"
                + " table's dynamic scaling (modeled)");
    }

    @Test
    void noAnswerShouldFallUnderTheDatasheetRoofline() {
        double lightUs = H100.roofline(Dtype.FP8).orElseThrow().timeUs(8192, 8192, 8192);
        // 560 − 7.2 µs would beat the H100's dense fp8 peak on 8192³ (≈ 555.6 µs)
        assertThat(560 - 7.2).isLessThan(lightUs);

        assertThat(served(table("fp8", 12)).timeUs(8192, 8192, 8192)).isEqualTo(lightUs);
    }

    @Test
    void tablesWithoutAnExcessOrOfAnotherDtypeShouldBeServedAsMeasured() {
        Profile fast = table("fp8", 4.5);
        Profile bf16 = table("bf16", 12);
        GetTime fastTable = GetTimes.fromProfile(Path.of("t.csv"), fast);
        GetTime bf16Table = GetTimes.fromProfile(Path.of("t.csv"), bf16);

        assertThat(StaticScaleFp8.served(fastTable, fast, H100)).isSameAs(fastTable);
        assertThat(StaticScaleFp8.served(bf16Table, bf16, H100)).isSameAs(bf16Table);
        assertThat(StaticScaleFp8.served(fastTable, table("fp8_block", 12), H100)).isSameAs(fastTable);
    }
}
