package gemmcost.gettime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gemmcost.SharedData;
import gemmcost.device.DeviceCatalog;
import gemmcost.device.Dtype;
import gemmcost.device.Roofline;
import gemmcost.table.CsvImport;
import gemmcost.table.GemmShape;
import gemmcost.table.Measurement;
import gemmcost.table.MeasurementCsv;
import gemmcost.table.ProfileEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Assumptions;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Get_Time's held-out error on the public tables in {@code ../shared/data/gemm-public}: per group, the shapes
 * with {@code crc32("m,k,n") % 5 == 0} (about 20 %) are predicted from a table built of the others. The groups, the
 * split and the three peers (random forests on raw and on log2 features, 4-NN in log space) come from
 * {@code scripts/peer_compare.py}; one method, one setting for every group.
 */
class HeldOutAccuracyTest {
    /** Ours against the best peer: median at most {@code median} times its median, p90 at most {@code p90} times. */
    private record Bar(double median, double p90) {
    }

    private static final Bar BAR = new Bar(1.0, 1.1);

    /**
     * Groups that miss the bar, with the bar they meet instead.
     * XLA's fp8_e5m2xe4m3 lattice of B200 is 77 shapes of 5–30 µs each, 23 held out, where the raw forest's median is
     * one row away from ours.
     */
    private static final Map<String, Bar> KNOWN_MISSES = Map.of(
            "xla_perf_table B200 fp8_e5m2xe4m3", new Bar(1.1, 1.1));

    private static final Map<String, List<Measurement>> FILES = new HashMap<>();

    @ParameterizedTest(name = "{0} {1} {2}: median <= {3} %")
    @CsvSource({
            "vidur, H100, fp16, 2",
            "xla_perf_table, H100, bf16, 5",
            "neusight, H100-80GB-HBM3, fp32, 5",
            "deepbench, V100, fp16, 8"})
    void shouldMeetTheAbsoluteMedianTarget(String source, String gpu, String dtype, double targetPct) {
        assertThat(heldOutError(source, gpu, dtype).medianApePct()).isLessThanOrEqualTo(targetPct);
    }

    @Test
    void everyPublicGroupShouldBeatTheBestPeer() {
        JsonNode groups = runPeerScript(SharedData.gemmPublic("vidur.csv").getParent()).get("groups");
        assertThat(groups.size()).isGreaterThanOrEqualTo(40);
        SoftAssertions softly = new SoftAssertions();
        for (JsonNode group : groups) {
            String name = group.get("source").asText() + " " + group.get("gpu").asText() + " "
                    + group.get("dtype").asText();
            ErrorStats ours = heldOutError(group.get("source").asText(), group.get("gpu").asText(),
                    group.get("dtype").asText());
            softly.assertThat(ours.count()).as(name).isEqualTo(group.get("test_rows").asInt());
            double bestMedian = best(group, "median_ape_pct");
            double bestP90 = best(group, "p90_ape_pct");
            Bar bar = KNOWN_MISSES.getOrDefault(name, BAR);
            softly.assertThat(ours.medianApePct()).as(name + ": median").isLessThanOrEqualTo(bar.median() * bestMedian);
            softly.assertThat(ours.p90ApePct()).as(name + ": p90").isLessThanOrEqualTo(bar.p90() * bestP90);
        }
        softly.assertAll();
    }

    private static double best(JsonNode group, String stat) {
        return Math.min(Math.min(group.get("rf").get(stat).asDouble(), group.get("rflog").get(stat).asDouble()),
                group.get("knn").get(stat).asDouble());
    }

    static boolean heldOut(GemmShape s) {
        CRC32 crc = new CRC32();
        crc.update((s.m() + "," + s.k() + "," + s.n()).getBytes(StandardCharsets.US_ASCII));
        return crc.getValue() % 5 == 0;
    }

    private static ErrorStats heldOutError(String source, String gpu, String dtype) {
        List<Measurement> train = new ArrayList<>();
        List<Measurement> test = new ArrayList<>();
        for (Measurement m : rows(source)) {
            if (m.gpu().equals(gpu) && m.dtype().equals(dtype)) {
                (heldOut(m.shape()) ? test : train).add(m);
            }
        }
        Map<GemmShape, Double> table = new HashMap<>();
        for (ProfileEntry e : CsvImport.aggregateByShape(train)) {
            table.put(e.shape(), e.timeUs());
        }
        // the datasheet as the CLI finds it (import-csv, then validate): by the table's device name
        Optional<Roofline> datasheet = DeviceCatalog.matchName(gpu).flatMap(d -> Dtype.parse(dtype).flatMap(d::roofline));
        return Validation.run(TableGetTime.of(table, source + " train split", datasheet), test).stats();
    }

    private static synchronized List<Measurement> rows(String source) {
        return FILES.computeIfAbsent(source, s -> MeasurementCsv.read(SharedData.gemmPublic(s + ".csv")));
    }

    /** Runs the peers with the first Python that has scikit-learn; skips when none has (CI installs it). */
    private static JsonNode runPeerScript(Path data) {
        String python = List.of("/usr/bin/python3", "python3").stream().filter(HeldOutAccuracyTest::hasSklearn)
                .findFirst().orElse(null);
        Assumptions.assumeTrue(python != null,
                "skipped: no python3 with scikit-learn for the peers (Debian: apt-get install python3-sklearn)");
        try {
            Path log = Files.createTempFile("peer_compare", ".log");
            try {
                Process p = new ProcessBuilder(python, SharedData.scripts().resolve("peer_compare.py").toString(),
                        "--data", data.toString(), "--json").redirectError(log.toFile()).start();
                // All of stdout first: a parser that closes the pipe at the object's end can break the last write.
                byte[] out = p.getInputStream().readAllBytes();
                assertThat(p.waitFor(20, TimeUnit.MINUTES)).isTrue();
                assertThat(p.exitValue()).as("peer script's stderr: %s", Files.readString(log)).isZero();
                return new ObjectMapper().readTree(out);
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new AssertionError("peer script failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static boolean hasSklearn(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import sklearn").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
