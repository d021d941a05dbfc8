package gemmcost.gettime;

import static org.assertj.core.api.Assertions.assertThat;

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
    }

    @Test
    void theSameTableMeasuredKeepsItsOwnLabels() {
        GetTime measured = GetTimes.fromProfile(Path.of("gpu.json"), table(Profile.Kind.MEASURED));

        assertThat(measured.estimate(4096, 4096, 4096).label()).isEqualTo(Label.MEASURED);
        assertThat(measured.estimate(2048, 4096, 4096).label()).isEqualTo(Label.INTERPOLATED);
    }
}
