package gemmcost.gettime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemmcost.BadInputException;
import gemmcost.device.Dtype;

import gemmcost.table.GemmShape;
import gemmcost.table.Profile;
import gemmcost.table.ProfileEntry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class GetTimesTest {
    private static Profile table(Profile.Kind kind) {
        return new Profile(Profile.Device.named("gemmcost CUDA stand-in (simulated, not a GPU)", null),
                Profile.Host.UNKNOWN, Profile.Timing.UNKNOWN, "bf16", "fp32",
                new Profile.Provenance(kind, null, "0.1.0", null, Instant.parse("2026-11-30T00:00:00Z")),
                List.of(new ProfileEntry(new GemmShape(1024, 4096, 4096), 40, 3),
                        new ProfileEntry(new GemmShape(4096, 4096, 4096), 140, 3)));
    }

    @Test
    void everyAnswerFromASimulatedTableShouldBeLabelledSimulatedHoweverItWasDerived() {
        GetTime simulated = GetTimes.fromProfile(Path.of("standin.json"), table(Profile.Kind.SIMULATED));

        Estimate exact = simulated.estimate(4096, 4096, 4096);
        Estimate between = simulated.estimate(2048, 4096, 4096);
        assertThat(exact.label()).isEqualTo(Label.SIMULATED);
        assertThat(exact.timeUs()).isEqualTo(140);
        assertThat(between.label()).isEqualTo(Label.SIMULATED);
        assertThat(between.method()).isEqualTo(Estimate.Method.ALONG_LINES);
        assertThat(simulated.source()).startsWith("simulated: standin.json");
        // beyond the measured range the answer stays simulated, and still says how far it reaches
        Estimate beyond = simulated.estimate(4096L * 64, 4096, 4096);
        assertThat(beyond.label()).isEqualTo(Label.SIMULATED);
        assertThat(beyond.explain()).endsWith("beyond the measured m range");
    }

    @Test
    void theSameTableMeasuredKeepsItsOwnLabels() {
        GetTime measured = GetTimes.fromProfile(Path.of("gpu.json"), table(Profile.Kind.MEASURED));

        assertThat(measured.estimate(4096, 4096, 4096).label()).isEqualTo(Label.MEASURED);
        assertThat(measured.estimate(2048, 4096, 4096).label()).isEqualTo(Label.INTERPOLATED);
    }

    @Test
    void anEntryBeyondAnyGpuByFarShouldBeRefusedNotReturnedAsMeasured() {
        Profile p = table(Profile.Kind.MEASURED);
        Profile impossible = new Profile(p.device(), p.host(), p.timing(), p.dtype(), p.computeType(), p.provenance(),
                List.of(new ProfileEntry(new GemmShape(256, 256, 256), 1e-300, 1)));

        // 2·256³ FLOP at 10 × 4.5e15 FLOP/s (B200 fp8, the fastest catalogued) take 7.46e-4 µs; 3·256² bytes at
        // 10 × 8e12 bytes/s take 2.46e-3 µs: the larger is the least any GPU 10x faster would need
        assertThatThrownBy(() -> GetTimes.fromProfile(Path.of("t.json"), impossible))
                .isInstanceOf(BadInputException.class).hasMessage("t.json: $.entries (m=256, k=256, n=256): time_us"
                        + " 1.0E-300 is under 0.00246 us, the least a GPU 10x the fastest catalogued one (4.50e+15"
                        + " FLOP/s, 8.00e+12 bytes/s) would need: not a measurement");
    }

    /** Review: one entry of 1e300 µs had made the answers near it 1e152 µs, labelled interpolated. */
    @Test
    void anEntrySlowerThanAnyGpuByFarShouldBeRefused() {
        Profile p = table(Profile.Kind.MEASURED);
        Profile absurd = new Profile(p.device(), p.host(), p.timing(), p.dtype(), p.computeType(), p.provenance(),
                List.of(new ProfileEntry(new GemmShape(64, 64, 64), 1e300, 1)));

        // 2·64³ FLOP at 19.5e12 / 1000 FLOP/s (A100 fp32, the slowest catalogued) take 26.9 µs; 4·3·64² bytes at
        // 864e9 / 1000 bytes/s (L40S) take 56.9 µs: after a 1 s stall, 1.0000569e6 µs is the most
        assertThatThrownBy(() -> GetTimes.fromProfile(Path.of("t.json"), absurd))
                .isInstanceOf(BadInputException.class).hasMessage("t.json: $.entries (m=64, k=64, n=64): time_us"
                        + " 1.0E300 is over 1.00e+06 us, the most a GPU 1000x slower than the slowest catalogued one"
                        + " (1.95e+13 FLOP/s, 8.64e+11 bytes/s) would need after a 1 s stall: not a measurement (a unit"
                        + " mistake?)");
    }

    /** Review: a table of an H100 recorded as an L40S had been judged by the L40S's datasheet. */
    @Test
    void aCatalogIdThatIsNotTheNamedDeviceShouldBeRefused() {
        Profile p = table(Profile.Kind.MEASURED);
        Profile mislabelled = new Profile(Profile.Device.named("NVIDIA H100 80GB HBM3", "l40s"), p.host(), p.timing(),
                p.dtype(), p.computeType(), p.provenance(), p.entries());

        assertThatThrownBy(() -> GetTimes.fromProfile(Path.of("t.json"), mislabelled))
                .isInstanceOf(BadInputException.class).hasMessage("t.json: $.device.catalog_id: 'l40s', but"
                        + " $.device.name 'NVIDIA H100 80GB HBM3' is a h100-sxm (the table would be judged by another"
                        + " GPU's datasheet)");
    }

    @Test
    void aSimulatedTableShouldBeReadThoughItsTiniestShapesAreFasterThanAnyGpu() {
        // the CUDA stand-in's tables are no measurement, and its tiniest shapes take less than any GPU could
        Profile p = table(Profile.Kind.SIMULATED);
        Profile simulated = new Profile(p.device(), p.host(), p.timing(), p.dtype(), p.computeType(), p.provenance(),
                List.of(new ProfileEntry(new GemmShape(256, 256, 256), 1e-300, 1)));

        assertThat(GetTimes.fromProfile(Path.of("s.json"), simulated).estimate(256, 256, 256).label())
                .isEqualTo(Label.SIMULATED);
    }

    @Test
    void entriesFasterThanTheirDevicesDatasheetShouldBeCountedInTheSource() {
        GetTime golden = GetTimes.open("src/test/resources/golden/profile-v1.json", Dtype.BF16);

        // (16, 16, 16) in 0.000125 µs: the H100's roofline needs 2·16³ / 989.4e12 s = 0.0083 ns of math but
        // 3·16²·2 bytes / 3.35e12 B/s = 0.46 ns of traffic
        assertThat(golden.source()).endsWith(", 5 shapes, 1 faster than the datasheet allows)");
    }
}
