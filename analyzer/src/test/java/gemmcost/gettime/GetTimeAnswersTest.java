package gemmcost.gettime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import gemmcost.table.GemmShape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Get_Time's answers are pinned: 3,500 shapes on GetTimeBenchmark's kind of 30k-entry table, with their time, method
 * and label. 2,000 are log-uniform shapes (the local fit), 1,000 a mix of shapes on the sites' m-lines, exact hits and
 * more off-site ones, and 500 the transposes of site shapes (transposed twins, and the twins' n-lines). They were
 * first written at commit 38ad50d, before the lookups were made faster, which left every answer as it was, as did
 * keeping a line's answer within its bracket's range (d4ecda0: the sites share one set of m, so no neighbouring line
 * measured a line query's m and no detail is borrowed; LinesTest covers that); a change of method rewrites them with
 * {@code -Dgemmcost.golden.update=true}, and the diff shows what moved. Times are
 * compared bit for bit on x86-64, where the file was made, and elsewhere within 1e-12 (the JDK's {@code Math.log} and
 * {@code Math.exp} may differ there by an ulp).
 */
class GetTimeAnswersTest {
    private static final String GOLDEN = "get-time-answers.csv";
    private static final String HEADER = """
            # Get_Time's answers on GetTimeAnswersTest's synthetic table: \
            m,k,n,time_us as IEEE-754 bits (hex),method,label
            m,k,n,time_us_bits,method,label
            """;

    @Test
    void answersShouldBeThePinnedOnes() throws IOException {
        TableGetTime table = TableGetTime.of(benchmarkLikeTable(), "synthetic");
        List<String> golden = golden();
        assertThat(golden).hasSize(3500);
        if (Boolean.getBoolean("gemmcost.golden.update")) {
            rewrite(table, golden);
            return;
        }
        boolean madeHere = List.of("amd64", "x86_64").contains(System.getProperty("os.arch"));
        for (String line : golden) {
            String[] f = line.split(",");
            Estimate e = answer(table, f);
            double expected = Double.longBitsToDouble(Long.parseUnsignedLong(f[3], 16));
            if (madeHere) {
                assertThat(e.timeUs()).as(line).isEqualTo(expected);
            } else {
                assertThat(e.timeUs()).as(line).isCloseTo(expected, within(1e-12 * expected));
            }
            assertThat(e.method().name()).as(line).isEqualTo(f[4]);
            assertThat(e.label().name()).as(line).isEqualTo(f[5]);
        }
    }

    /** 300 (k, n) sites × 100 m each, roofline-like times with 5 % noise (the golden file's table). */
    private static Map<GemmShape, Double> benchmarkLikeTable() {
        SplittableRandom random = new SplittableRandom(42);
        Map<GemmShape, Double> times = new HashMap<>();
        for (int s = 0; s < 300; s++) {
            long k = logUniform(random, 256, 32768);
            long n = logUniform(random, 256, 32768);
            for (int i = 0; i < 100; i++) {
                long m = 1 + 7L * i * i;
                GemmShape shape = new GemmShape(m, k, n);
                double computeUs = shape.flops() / 700e6;
                double memoryUs = (m * k + k * n + m * n) * 2 / 3.0e6;
                times.put(shape, (5 + Math.max(computeUs, memoryUs)) * (1 + 0.05 * random.nextDouble()));
            }
        }
        return times;
    }

    private static long logUniform(SplittableRandom random, long lo, long hi) {
        return Math.round(Math.exp(random.nextDouble(Math.log(lo), Math.log(hi))));
    }

    /** The table's answer for a golden line's shape (its fields m, k, n first). */
    private static Estimate answer(TableGetTime table, String[] fields) {
        return table.estimate(Long.parseLong(fields[0]), Long.parseLong(fields[1]), Long.parseLong(fields[2]));
    }

    /** The golden file with the shapes' answers as {@code table} gives them now. */
    private static void rewrite(TableGetTime table, List<String> golden) throws IOException {
        StringBuilder out = new StringBuilder(HEADER);
        for (String line : golden) {
            String[] f = line.split(",");
            Estimate e = answer(table, f);
            out.append(String.join(",", f[0], f[1], f[2], Long.toHexString(Double.doubleToLongBits(e.timeUs())),
                    e.method().name(), e.label().name())).append('\n');
        }
        Files.writeString(Path.of("src/test/resources/golden", GOLDEN), out);
    }

    private static List<String> golden() throws IOException {
        try (InputStream in = GetTimeAnswersTest.class.getResourceAsStream("/golden/" + GOLDEN)) {
            assertThat(in).as("the golden file").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("#") && !l.startsWith("m,")).toList();
        }
    }
}
