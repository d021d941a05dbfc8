package gemmcost.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import gemmcost.table.GemmShape;
import gemmcost.table.Profile;
import gemmcost.table.ProfileEntry;
import gemmcost.table.ProfileJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The tables measured on GPUs and committed under {@code profiles/}, read like golden files: each one parses, says
 * measured with its provenance, and has its section in {@code profiles/README.md}; the H200 sweep holds the seed's
 * shapes and the grid of its day, and its PyTorch comparison quotes the table's times.
 */
class CommittedProfilesTest {
    private static final Path PROFILES = CudaStandin.repositoryRoot().resolve("profiles");
    private static final Path H200 = PROFILES.resolve("nvidia-h200");

    @Test
    void everyCommittedTableShouldParseAsMeasuredAndHaveItsReadmeSection() throws IOException {
        String readme = Files.readString(PROFILES.resolve("README.md"));
        List<Path> tables;
        try (Stream<Path> files = Files.walk(PROFILES)) {
            tables = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(tables).contains(H200.resolve("bf16.json"), H200.resolve("offgrid/bf16.json"));
        for (Path table : tables) {
            Profile p = ProfileJson.read(table);
            assertThat(p.provenance().kind()).as(table.toString()).isEqualTo(Profile.Kind.MEASURED);
            assertThat(p.provenance().gitCommit()).as(table.toString()).isNotBlank();
            assertThat(p.device().catalogId()).as(table.toString()).isNotNull();
            assertThat(p.device().memoryBandwidthBytesPerSec()).as(table.toString()).isNotNull();
            assertThat(readme).as("profiles/README.md names " + table).contains(PROFILES.relativize(table).toString());
        }
    }

    /** As measured on 2026-11-30: the seed's 15 and the grid of then (1,040), and the 200 off-grid shapes. */
    @Test
    void theH200TablesShouldHoldTheShapeSetsTheyWereMeasuredFor() {
        assertThat(shapes(ProfileJson.read(H200.resolve("bf16.json")))).hasSize(1055).containsAll(ShapeSets.seed());
        assertThat(shapes(ProfileJson.read(H200.resolve("offgrid/bf16.json")))).hasSize(200);
    }

    @Test
    void thePyTorchComparisonShouldQuoteTheTablesTimesAndItsRatios() throws IOException {
        Map<GemmShape, Double> ours = ProfileJson.read(H200.resolve("bf16.json")).entries().stream()
                .collect(Collectors.toMap(ProfileEntry::shape, ProfileEntry::timeUs));
        List<String> lines = Files.readAllLines(H200.resolve("bf16-vs-torch.csv"));
        assertThat(lines.getFirst()).isEqualTo("m,k,n,ours_us,torch_us,torch_p10_us,torch_p90_us,torch_samples,"
                + "ratio_ours_over_torch,abs_diff_pct,ours_label,torch_label,torch_call");
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            GemmShape shape = new GemmShape(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]));
            double oursUs = Double.parseDouble(f[3]);
            double torchUs = Double.parseDouble(f[4]);
            assertThat(oursUs).as(line).isEqualTo(ours.get(shape));
            assertThat(Double.parseDouble(f[8])).as(line).isCloseTo(oursUs / torchUs,
                    offset(5e-5));
            assertThat(f[10] + "," + f[11]).as(line).isEqualTo("measured,measured");
        }
    }

    private static List<GemmShape> shapes(Profile p) {
        return p.entries().stream().map(ProfileEntry::shape).toList();
    }
}
