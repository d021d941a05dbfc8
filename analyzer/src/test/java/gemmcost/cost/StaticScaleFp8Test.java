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
import gemmcost.table.Measurement;
import gemmcost.table.Profile;
import gemmcost.table.ProfileEntry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaticScaleFp8Test {
    private static final Device H100 = DeviceCatalog.require("h100-sxm");

    /** An H100 table of {@code kind} whose fastest GEMM takes {@code fastestUs}, and three larger ones. */
    private static Profile table(String dtype, Profile.Kind kind, double fastestUs) {
        return new Profile(Profile.Device.named("H100_SXM", "h100-sxm"), Profile.Host.UNKNOWN, Profile.Timing.UNKNOWN,
                dtype, "fp32", new Profile.Provenance(kind, "test", "0.1.0", null,
                Instant.parse("2026-11-30T00:00:00Z")),
                List.of(new ProfileEntry(new GemmShape(1, 256, 256), fastestUs, 1),
                        new ProfileEntry(new GemmShape(1, 256, 512), fastestUs + 1, 1),
                        new ProfileEntry(new GemmShape(4096, 4096, 4096), 140, 1),
                        new ProfileEntry(new GemmShape(8192, 8192, 8192), 560, 1)));
    }

    private static Profile imported(String dtype, double fastestUs) {
        return table(dtype, Profile.Kind.IMPORTED, fastestUs);
    }

    private static GetTime served(Profile table) {
        return StaticScaleFp8.served(GetTimes.fromProfile(Path.of("t.csv"), table), table, H100);
    }

    @Test
    void anImportedFp8TableSlowerThanTwoKernelFloorsShouldLoseItsExcessOnEveryGemm() {
        // fastest 12 µs, served floor 2 × 2.4 = 4.8 µs: 7.2 µs of dynamic scaling off each answer
        GetTime served = served(imported("fp8", 12));

        Estimate next = served.estimate(1, 256, 512);
        Estimate large = served.estimate(4096, 4096, 4096);
        assertThat(served.timeUs(1, 256, 256)).isCloseTo(4.8, offset(1e-12));
        assertThat(next.timeUs()).isCloseTo(13 - 7.2, offset(1e-12));
        assertThat(large.timeUs()).isCloseTo(140 - 7.2, offset(1e-12));
        // a verbatim entry so corrected is no longer verbatim
        assertThat(large.label()).isEqualTo(Label.MODELED);
        assertThat(large.method()).isEqualTo(Estimate.Method.EXACT);
        assertThat(served.source()).endsWith("; served with a static activation scale: 7.20 us less a GEMM, the"
                + " table's dynamic scaling (modeled)");
    }

    @Test
    void anInterpolatedAnswerShouldKeepItsLabel() {
        GetTime table = GetTimes.fromProfile(Path.of("t.csv"), imported("fp8", 12));
        Estimate between = table.estimate(2048, 4096, 4096);

        Estimate served = served(imported("fp8", 12)).estimate(2048, 4096, 4096);

        assertThat(between.label()).isEqualTo(Label.INTERPOLATED);
        assertThat(served.label()).isEqualTo(Label.INTERPOLATED);
        assertThat(served.timeUs()).isCloseTo(between.timeUs() - 7.2, offset(1e-9));
    }

    @Test
    void noAnswerShouldFallUnderTheDatasheetRoofline() {
        double lightUs = H100.roofline(Dtype.FP8).orElseThrow().timeUs(8192, 8192, 8192);
        // 560 − 7.2 µs would beat the H100's dense fp8 peak on 8192³ (≈ 555.6 µs)
        assertThat(560 - 7.2).isLessThan(lightUs);

        assertThat(served(imported("fp8", 12)).timeUs(8192, 8192, 8192)).isEqualTo(lightUs);
    }

    @Test
    void anAnswerAlreadyUnderTheFloorsShouldStayAsTheTableGaveIt() {
        GetTime tiny = new GetTime() {
            @Override
            public Estimate estimate(long m, long k, long n) {
                return new Estimate(3.0, Label.EXTRAPOLATED, Estimate.Method.LOCAL_FIT, 2, "k");
            }

            @Override
            public String source() {
                return "tiny";
            }
        };

        Estimate e = new StaticScaleFp8(tiny, 7.2, null).estimate(1, 16, 16);

        assertThat(e).isEqualTo(new Estimate(3.0, Label.EXTRAPOLATED, Estimate.Method.LOCAL_FIT, 2, "k"));
    }

    @Test
    void tablesWithoutAnExcessOfAnotherDtypeOrNotImportedShouldBeServedAsTheyAre() {
        for (Profile asIs : List.of(imported("fp8", 4.5), imported("bf16", 12), imported("fp8_block", 12),
                table("fp8", Profile.Kind.MEASURED, 12), table("fp8", Profile.Kind.SIMULATED, 12))) {
            GetTime getTime = GetTimes.fromProfile(Path.of("t.csv"), asIs);
            assertThat(StaticScaleFp8.served(getTime, asIs, H100)).as(asIs.dtype() + " " + asIs.provenance().kind())
                    .isSameAs(getTime);
        }
    }

    @Test
    void aServedCostModelOfImportedFp8RowsShouldCostGemmsWithoutTheExcess() {
        List<Measurement> rows = List.of(measurement(1, 256, 256, 12), measurement(1, 256, 512, 13),
                measurement(4096, 4096, 4096, 140), measurement(8192, 8192, 8192, 560));

        CostModel served = CostModels.imported(H100, "fp8", Path.of("t.csv"), rows, "test").model();

        assertThat(served.gemm(new GemmShape(4096, 4096, 4096)).timeUs()).isCloseTo(140 - 7.2, offset(1e-12));
    }

    private static Measurement measurement(long m, long k, long n, double timeUs) {
        return new Measurement("test", "H100_SXM", "fp8", new GemmShape(m, k, n), timeUs, "", 2);
    }
}
