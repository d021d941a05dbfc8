package gemmcost.table;

import gemmcost.BadInputException;
import gemmcost.SharedData;
import gemmcost.ToolVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CsvImportTest {
    private static final ToolVersion TOOL = new ToolVersion("9.9.9", "abc1234");
    private static final Instant NOW = Instant.parse("2025-03-01T10:00:00Z");

    @TempDir
    Path dir;

    private static Measurement row(long m, long k, long n, double timeUs) {
        return new Measurement("src", "H100", "fp16", new GemmShape(m, k, n), timeUs, "", 2);
    }

    @Test
    void shouldAggregateRepeatedShapesByMedianWithInterpolatedP10AndP90() {
        List<ProfileEntry> entries = CsvImport.aggregateByShape(List.of(
                row(8, 8, 8, 30), row(1, 2, 3, 7), row(8, 8, 8, 10), row(4, 4, 4, 6), row(8, 8, 8, 20),
                row(4, 4, 4, 4), row(9, 9, 9, 100), row(9, 9, 9, 1), row(9, 9, 9, 3), row(9, 9, 9, 2)));

        assertThat(entries).extracting(ProfileEntry::shape).containsExactly(new GemmShape(1, 2, 3),
                new GemmShape(4, 4, 4), new GemmShape(8, 8, 8), new GemmShape(9, 9, 9));
        // one row: its time, spread unknown
        assertThat(entries.get(0)).isEqualTo(new ProfileEntry(new GemmShape(1, 2, 3), 7, 1));
        // {4, 6}: median 5; p10 at rank 0.1 → 4 + 0.1·2, p90 at rank 0.9 → 4 + 0.9·2
        assertEntry(entries.get(1), 5, 4.2, 5.8, 2);
        // {10, 20, 30}: median 20; p10 at rank 0.2 → 10 + 0.2·10; p90 at rank 1.8 → 20 + 0.8·10
        assertEntry(entries.get(2), 20, 12, 28, 3);
        // {1, 2, 3, 100}: median between ranks 1 and 2 → 2.5; p10 at rank 0.3 → 1.3; p90 at rank 2.7 → 3 + 0.7·97
        assertEntry(entries.get(3), 2.5, 1.3, 70.9, 4);
    }

    private static void assertEntry(ProfileEntry e, double median, double p10, double p90, long samples) {
        assertThat(e.timeUs()).isCloseTo(median, within(1e-12));
        assertThat(e.p10Us()).isCloseTo(p10, within(1e-12));
        assertThat(e.p90Us()).isCloseTo(p90, within(1e-12));
        assertThat(e.samples()).isEqualTo(samples);
        assertThat(e.flags()).isEmpty();
    }

    @Test
    void shouldImportOnlyTheSelectedGpuDtypeAndSourceAsAnImportedProfile() throws IOException {
        Path csv = Files.writeString(dir.resolve("m.csv"), """
                source,gpu,dtype,m,n,k,time_us,notes
                a,H100,fp16,1,2,3,10,
                a,H100,fp16,1,2,3,20,
                b,H100,fp16,1,2,3,1000,
                a,H100,bf16,1,2,3,99,
                a,A100,fp16,1,2,3,99,
                a,H100,fp16,4,5,6,7.5,x=1;y=2
                """);

        CsvImport.Result result = CsvImport.fromCsv(csv, "H100", "fp16", "a", "h100-sxm", TOOL, NOW);

        assertThat(result.rows()).hasSize(3);
        Profile p = result.profile();
        assertThat(p.device()).isEqualTo(Profile.Device.named("H100", "h100-sxm"));
        assertThat(p.dtype()).isEqualTo("fp16");
        assertThat(p.computeType()).isNull();
        assertThat(p.host()).isEqualTo(Profile.Host.UNKNOWN);
        assertThat(p.timing()).isEqualTo(Profile.Timing.UNKNOWN);
        assertThat(p.provenance()).isEqualTo(new Profile.Provenance(Profile.Kind.IMPORTED, "imported from " + csv,
                "9.9.9", "abc1234", NOW));
        // CSV columns m,n,k = 1,2,3 are the shape m=1, k=3, n=2
        assertThat(p.entries()).containsExactly(
                new ProfileEntry(new GemmShape(1, 3, 2), 15, 11, 19, 2, List.of()),
                new ProfileEntry(new GemmShape(4, 6, 5), 7.5, 1));

        assertThat(CsvImport.fromCsv(csv, "H100", "fp16", null, null, TOOL, NOW).profile().entries().getFirst())
                .isEqualTo(new ProfileEntry(new GemmShape(1, 3, 2), 20, 12, 804, 3, List.of()));
    }

    @Test
    void shouldListWhatTheFileHasWhenNothingMatches() throws IOException {
        Path csv = Files.writeString(dir.resolve("m.csv"), """
                source,gpu,dtype,m,n,k,time_us,notes
                a,H100,fp16,1,2,3,10,
                b,A100,bf16,1,2,3,20,
                a,H100,fp16,1,2,3,20,
                """);

        assertThatThrownBy(() -> CsvImport.fromCsv(csv, "H100", "bf16", null, null, TOOL, NOW))
                .isInstanceOf(BadInputException.class)
                .hasMessage(csv + ": no rows with gpu=H100, dtype=bf16; the file has gpu/dtype: A100/bf16, H100/fp16");
        assertThatThrownBy(() -> CsvImport.fromCsv(csv, "H100", "fp16", "b", null, TOOL, NOW))
                .hasMessage(csv + ": no rows with source=b, gpu=H100, dtype=fp16; the file has source/gpu/dtype:"
                        + " a/H100/fp16, b/A100/bf16");
    }

    @Test
    void shouldImportOneEntryPerDistinctShapeOfVidurH100Fp16() throws IOException {
        Path csv = SharedData.gemmPublic("vidur.csv");
        Set<String> distinctMnk = new HashSet<>();
        long matchingRows = 0;
        List<String> lines = Files.readAllLines(csv);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f[1].equals("H100") && f[2].equals("fp16")) {
                matchingRows++;
                distinctMnk.add(f[3] + "," + f[4] + "," + f[5]);
            }
        }

        CsvImport.Result result = CsvImport.fromCsv(csv, "H100", "fp16", null, null, TOOL, NOW);

        assertThat(result.rows()).hasSize((int) matchingRows);
        assertThat(result.profile().entries()).hasSize(distinctMnk.size());
        assertThat(result.profile().entries().stream().mapToLong(ProfileEntry::samples).sum()).isEqualTo(matchingRows);
    }
}
