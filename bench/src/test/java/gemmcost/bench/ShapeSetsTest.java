package gemmcost.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemmcost.BadInputException;
import gemmcost.cli.Gemmcost;
import gemmcost.table.GemmShape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShapeSetsTest {
    private static final long M = 1024L * 2048; // batch × seq

    @TempDir
    Path dir;

    @Test
    void shouldShipExactlyTheDistinctGetTimeExpressionsOfTheSeedReport() throws IOException {
        Path report = Path.of("").toAbsolutePath().getParent().resolveSibling("shared")
                .resolve("reference").resolve("seed-report.txt");
        Assumptions.assumeTrue(Files.isRegularFile(report), "skipped: " + report + " is absent");
        Set<GemmShape> inReport = new LinkedHashSet<>();
        Matcher call = Pattern.compile("Get_Time\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)")
                .matcher(Files.readString(report));
        while (call.find()) {
            inReport.add(new GemmShape(Long.parseLong(call.group(1)), Long.parseLong(call.group(2)),
                    Long.parseLong(call.group(3))));
        }
        assertThat(ShapeSets.seed()).hasSize(15).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(inReport);
    }

    @Test
    void shouldDeriveTheSeedShapesFromTheSeedModel() {
        int hidden = 4096;
        int tp = 8;
        assertThat(ShapeSets.seed()).contains(
                new GemmShape(M, 50265, hidden),          // embedding as a GEMM over the vocabulary
                new GemmShape(M, hidden / tp, hidden),    // QKV, k split by TP as the seed wrote it
                new GemmShape(M, 128, 2048),              // scores: head_dim × seq
                new GemmShape(M, hidden / 12, 3 * 128),   // MA: 4096/12 = 341, 3 heads × 128
                new GemmShape(M, hidden, 16),             // gate over 16 experts
                new GemmShape(M, 4 * hidden, hidden));    // expert down
    }

    @Test
    void shouldNameFileLineAndColumnOfABadShape() throws IOException {
        Path file = dir.resolve("s.csv");
        Files.writeString(file, "m,k,n\n1,2,3\n4,-5,6\n");
        assertThatThrownBy(() -> ShapeSets.read(file)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ":3: column k: must be > 0, was -5");
        Files.writeString(file, "k,m,n\n1,2,3\n");
        assertThatThrownBy(() -> ShapeSets.read(file)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ":1: header must start with m,k,n, was 'k,m,n'");
    }

    @Test
    void aNameThatIsNeitherASetNorAFileShouldSaySo() {
        assertThatThrownBy(() -> ShapeSets.named("nosuch")).isInstanceOf(BadInputException.class)
                .hasMessage("nosuch: neither a shape set (seed, grid, all, offgrid) nor a file");
    }

    @Test
    void shouldReadAFileThatStartsWithAByteOrderMark() throws IOException {
        Path file = Files.writeString(dir.resolve("bom.csv"), "\uFEFFm,k,n\n1,2,3\n");

        assertThat(ShapeSets.read(file)).containsExactly(new GemmShape(1, 2, 3));
    }

    @Test
    void shouldPrintASetThatReadsBackAsAFile() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = Gemmcost.run(new PrintStream(out, true, StandardCharsets.UTF_8), System.err,
                "shapes", "--set", "seed");
        assertThat(status).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("m,k,n" + System.lineSeparator() + "2097152,50265,4096" + System.lineSeparator());

        Path file = dir.resolve("seed.csv");
        Files.writeString(file, text);
        assertThat(ShapeSets.read(file)).isEqualTo(ShapeSets.seed());
    }

    @Test
    void gridShouldBeThirteenRowsTimesTheEightySitesWithinAFactorOf32() {
        // k, n in 2^7..2^16 (10 values each) with |log2 k - log2 n| <= 5: 10 + 2·(9 + 8 + 7 + 6 + 5) = 80 sites
        assertThat(ShapeSets.grid()).hasSize(13 * 80).doesNotHaveDuplicates()
                .contains(new GemmShape(1, 128, 4096), new GemmShape(65536, 65536, 65536), new GemmShape(64, 4096, 128))
                .doesNotContain(new GemmShape(1, 128, 8192), new GemmShape(32768, 4096, 4096));
    }

    @Test
    void allShouldBeTheSeedShapesThenTheGridWithoutRepeats() {
        assertThat(ShapeSets.all()).startsWith(ShapeSets.seed().toArray(GemmShape[]::new))
                .hasSize(15 + 13 * 80).doesNotHaveDuplicates();
        assertThat(ShapeSets.named("grid")).isEqualTo(ShapeSets.grid());
    }

    @Test
    void offGridShapesShouldBeTwoHundredDistinctShapesOffTheGridInItsRange() {
        List<GemmShape> off = ShapeSets.offGrid();
        java.util.Set<GemmShape> grid = new java.util.HashSet<>(ShapeSets.grid());

        assertThat(off).hasSize(200).doesNotHaveDuplicates().noneMatch(grid::contains);
        assertThat(off).allSatisfy(s -> {
            assertThat(s.m()).isBetween(1L, 65536L);
            assertThat(s.k() % 8).isZero();
            assertThat(s.n() % 8).isZero();
            assertThat(Math.max(s.k(), s.n())).isLessThanOrEqualTo(32 * Math.min(s.k(), s.n()));
        });
        assertThat(ShapeSets.named("offgrid")).isEqualTo(off); // the same shapes every time
    }
}
