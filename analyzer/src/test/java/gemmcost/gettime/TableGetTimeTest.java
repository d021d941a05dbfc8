package gemmcost.gettime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import gemmcost.BadInputException;
import gemmcost.device.Roofline;
import gemmcost.gettime.Estimate.Method;
import gemmcost.table.GemmShape;
import gemmcost.table.ProfileJson;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TableGetTimeTest {
    // Two points of one m-sweep at k = n = 1024: 20 µs at m = 1024 and 50 µs at m = 4096.
    private static final Map<GemmShape, Double> SWEEP = Map.of(
            new GemmShape(1024, 1024, 1024), 20.0,
            new GemmShape(4096, 1024, 1024), 50.0);
    private static final TableGetTime TABLE = TableGetTime.of(SWEEP, "test table");

    // The table's own roofline, derived by hand: best FLOP rate 2·4096·1024²/50 µs, best operand-traffic rate
    // (4096·1024·2 + 1024²) elements / 50 µs; launch floor t0 = half the fastest time = 10 µs.
    private static final double FLOPS_PER_US = 2.0 * 4096 * 1024 * 1024 / 50;
    private static final double ELEMENTS_PER_US = (4096.0 * 1024 * 2 + 1024.0 * 1024) / 50;
    private static final double FLOOR_US = 10;

    private static double solUs(double m, double k, double n) {
        return Math.max(2 * m * k * n / FLOPS_PER_US, (m * k + k * n + m * n) / ELEMENTS_PER_US);
    }

    private static double residual(double m, double timeUs) {
        return Math.log((timeUs - FLOOR_US) / solUs(m, 1024, 1024));
    }

    @Test
    void anEstimateThatOverflowsShouldBeRefusedNotReturnedAsInfinity() {
        // 1e308 µs at m = 4096: halfway in log2 the efficiency is ~1e150 times worse; at m = 2^30 it overflows
        TableGetTime absurd = TableGetTime.of(Map.of(new GemmShape(1024, 1024, 1024), 20.0,
                new GemmShape(4096, 1024, 1024), 1e308), "test table");

        assertThatThrownBy(() -> absurd.estimate(1L << 30, 1024, 1024)).isInstanceOf(BadInputException.class)
                .hasMessage("the estimate for m=1073741824, k=1024, n=1024 overflows: the table's times span too many"
                        + " orders of magnitude to fit (is a time_us implausible?)");
    }

    @Test
    void shouldReturnMeasuredTimesVerbatim() {
        Estimate e = TABLE.estimate(4096, 1024, 1024);
        assertThat(e.timeUs()).isEqualTo(50.0);
        assertThat(e.label()).isEqualTo(Label.MEASURED);
        assertThat(e.method()).isEqualTo(Method.EXACT);
    }

    @Test
    void shouldInterpolateEfficiencyLinearlyInLog2AlongAMeasuredLine() {
        // m = 2048 sits halfway between m = 1024 and m = 4096 in log2.
        double r = (residual(1024, 20) + residual(4096, 50)) / 2;
        double expected = Math.max(FLOOR_US + Math.exp(r) * solUs(2048, 1024, 1024), solUs(2048, 1024, 1024));

        Estimate e = TABLE.estimate(2048, 1024, 1024);

        assertThat(e.timeUs()).isCloseTo(expected, within(1e-9));
        assertThat(e.label()).isEqualTo(Label.INTERPOLATED);
        assertThat(e.method()).isEqualTo(Method.ALONG_LINES);
    }

    @Test
    void shouldTakeTheTimeOfTheMeasuredTransposedShape() {
        Estimate e = TABLE.estimate(1024, 1024, 4096);
        assertThat(e.timeUs()).isEqualTo(50.0);
        assertThat(e.label()).isEqualTo(Label.INTERPOLATED);
        assertThat(e.method()).isEqualTo(Method.TRANSPOSED_TWIN);
    }

    @Test
    void shouldHoldEfficiencyAndSayHowFarOutsideWhenExtrapolating() {
        Estimate e = TABLE.estimate(16384, 1024, 1024);

        assertThat(e.label()).isEqualTo(Label.EXTRAPOLATED);
        assertThat(e.method()).isEqualTo(Method.EDGE_HELD);
        assertThat(e.axisOutside()).isEqualTo("m");
        assertThat(e.octavesOutside()).isCloseTo(2.0, within(1e-12)); // 16384 / 4096 = 2^2
        // The efficiency of the edge (4096, 1024, 1024), measured at 50 µs, held: 10 + 40 · sol(16384) / sol(4096)
        // is faster than the table's own roofline at m = 16384, so the bound holds it there.
        double sol = solUs(16384, 1024, 1024);
        assertThat(FLOOR_US + Math.exp(residual(4096, 50)) * sol).isLessThan(sol);
        assertThat(e.timeUs()).isCloseTo(sol, within(1e-9));
        assertThat(e.explain()).isEqualTo("efficiency of the nearest shape in the measured range, held; 2.0 octaves"
                + " beyond the measured m range");
        // 4097 / 4096 is 0.0004 octaves: "just" beyond, not "0.0 octaves"
        assertThat(TABLE.estimate(4097, 1024, 1024).explain()).endsWith("; just beyond the measured m range");
    }

    /**
     * Just beyond a measured edge the answer continues that measurement: the H200 table's largest m at k = 16384,
     * n = 4096 is 2097152, measured at 402822.5 µs; 0.14 % more rows (compute-bound) take 0.14 % more time,
     * t0 + (402822.5 − t0) · 2100000 / 2097152 with t0 = 2.32 µs (half the table's fastest, 4.64 µs): 403369.6 µs.
     * The local fit over farther shapes had answered 729956.4 µs, 81 % more.
     */
    @Test
    void justBeyondTheMeasuredRangeShouldContinueTheEdge() {
        Path file = Path.of("../profiles/nvidia-h200/bf16.json");
        GetTime table = GetTimes.fromProfile(file, ProfileJson.read(file));
        assertThat(table.estimate(2097152, 16384, 4096).timeUs()).isCloseTo(402822.5, within(0.05));

        Estimate beyond = table.estimate(2100000, 16384, 4096);

        assertThat(beyond.timeUs()).isCloseTo(2.32 + (402822.5 - 2.32) * 2100000 / 2097152, within(0.5));
        assertThat(beyond.method()).isEqualTo(Method.EDGE_HELD);
    }

    /** A GEMM smaller than every measured one is no faster than the fastest of them: the least a launch took. */
    @Test
    void aGemmBelowTheMeasuredRangeShouldTakeAtLeastTheFastestMeasuredTime() {
        // the edge (1024, 1024, 1024), 20 µs, held: 10 + 10 · sol(1, 1024, 1024) / sol(1024, 1024, 1024) ≈ 13.3 µs
        double held = FLOOR_US + Math.exp(residual(1024, 20)) * solUs(1, 1024, 1024);
        assertThat(held).isBetween(13.0, 14.0);

        assertThat(TABLE.estimate(1, 1024, 1024).timeUs()).isEqualTo(20.0);
        assertThat(TABLE.estimate(1, 1, 1).timeUs()).isEqualTo(20.0);
        assertThat(TABLE.estimate(1, 1024, 1024).explain()).isEqualTo("the table's fastest measured time, the least a"
                + " launch took (the shape's own estimate is below it); 10.0 octaves beyond the measured m range");
    }

    /**
     * Review: a table of the seed's large shapes only (what {@code profile --shapes seed} measures) had floored every
     * smaller GEMM at its fastest time, 277.8 µs. Its fastest shape runs at the table's own roofline, overhead-free:
     * no launch measured, so t0 = 0, the edge's efficiency held, and the datasheet's kernel floor under it. Here
     * (4096, 1024, 1024) at 50 µs alone sets both rates; held at m = 1024: 50 · sol(1024) / sol(4096) = 50 / 3 µs.
     */
    @Test
    void aTableThatMeasuredNoLaunchShouldFallBackToTheKernelFloor() {
        TableGetTime large = TableGetTime.of(Map.of(new GemmShape(4096, 1024, 1024), 50.0), "large shapes only");
        double held = 50 * solUs(1024, 1024, 1024) / solUs(4096, 1024, 1024);
        assertThat(held).isCloseTo(50.0 / 3, within(1e-9));

        assertThat(large.estimate(1024, 1024, 1024).timeUs()).isCloseTo(held, within(1e-9));
        Estimate tiny = large.estimate(1, 1, 1);
        assertThat(tiny.timeUs()).isEqualTo(RooflineGetTime.KERNEL_FLOOR_US);
        assertThat(tiny.label()).isEqualTo(Label.MODELED);
        assertThat(tiny.method()).isEqualTo(Method.KERNEL_FLOOR);
    }

    /**
     * A table none of whose shapes is memory-bound on its datasheet has measured no traffic rate: there the datasheet's
     * bandwidth is the roofline's traffic term. Datasheet: 5e13 FLOP/s, 1e12 B/s, 2-byte elements (ridge 50 FLOP/B);
     * (256, 256, 256) at 2 µs does 85.3 FLOP/B, (256, 1024, 1024) at 14 µs 170.7: both compute-bound.
     */
    @Test
    void aTableOfComputeBoundShapesOnlyShouldTakeItsTrafficRateFromTheDatasheet() {
        Map<GemmShape, Double> computeBound = Map.of(
                new GemmShape(256, 256, 256), 2.0,
                new GemmShape(256, 1024, 1024), 14.0);
        Roofline datasheet = new Roofline(5e13, 1e12, 2);
        TableGetTime table = TableGetTime.of(computeBound, "compute-bound", Optional.of(datasheet));
        // (256, 1024, 1024) sets the table's FLOP rate: its sol is its own 14 µs, so r = ln((14 − 1) / 14), t0 = 1 µs.
        // Held at m = 1: the table's traffic rate, 1572864 elements / 14 µs, gives sol = 1050624 / 112347.4 = 9.35 µs;
        // the datasheet's, 1e6 B/µs / 2 B, gives 1050624 / 500000 = 2.10 µs.
        double held = 13.0 / 14;
        assertThat(TableGetTime.of(computeBound, "compute-bound").estimate(1, 1024, 1024).timeUs())
                .isCloseTo(1 + held * 1050624 / (1572864 / 14.0), within(1e-9));
        assertThat(table.estimate(1, 1024, 1024).timeUs()).isCloseTo(1 + held * 1050624 / 500000.0, within(1e-9));
        assertThat(table.source()).isEqualTo("compute-bound; no shape memory-bound on the datasheet: operand traffic"
                + " at its DRAM bandwidth");
    }

    /** One memory-bound shape, (16, 1024, 1024) at 15.5 FLOP/B, measures the traffic rate: the datasheet is unused. */
    @Test
    void aTableWithAMemoryBoundShapeShouldKeepItsOwnTrafficRate() {
        Map<GemmShape, Double> times = Map.of(
                new GemmShape(16, 1024, 1024), 8.0,
                new GemmShape(256, 1024, 1024), 14.0);
        TableGetTime table = TableGetTime.of(times, "mixed", Optional.of(new Roofline(5e13, 1e12, 2)));

        assertThat(table.estimate(1, 1024, 1024).timeUs())
                .isEqualTo(TableGetTime.of(times, "mixed").estimate(1, 1024, 1024).timeUs());
        assertThat(table.source()).isEqualTo("mixed");
    }

    /** Inside the box but 5 octaves from either measured shape on every axis: no fit, their weighted mean, said so. */
    @Test
    void theLocalFitShouldTakeNoLessThanASmallerNeighbourAndNoMoreThanALargerOne() {
        // (64, 128, 64) is slow for its size; the fit over the three would carry it to the query, which lies between
        // (64, 64, 64) at 10 us and (128, 128, 128) at 12 us on every axis: a GEMM between them takes between them
        TableGetTime table = TableGetTime.of(Map.of(new GemmShape(64, 64, 64), 10.0, new GemmShape(128, 128, 128),
                12.0, new GemmShape(64, 128, 64), 40.0), "non-monotone");
        Estimate e = table.estimate(100, 100, 100);
        assertThat(e.method()).isEqualTo(Method.LOCAL_FIT);
        assertThat(e.timeUs()).isBetween(10.0, 12.0);
    }

    @Test
    void farFromEveryMeasuredShapeTheAnswerShouldSayItIsTheNeighboursMean() {
        TableGetTime table = TableGetTime.of(Map.of(
                new GemmShape(64, 64, 64), 3.0,
                new GemmShape(65536, 65536, 65536), 600000.0), "corners");

        Estimate e = table.estimate(2048, 2048, 2048);

        assertThat(e.label()).isEqualTo(Label.INTERPOLATED);
        assertThat(e.method()).isEqualTo(Method.FAR_MEAN);
        assertThat(e.explain()).isEqualTo("weighted mean efficiency of the nearest measured shapes, all over 2"
                + " octaves away");
    }

    /** 20 pairs measured both ways: one in ten may disagree (p90 within 1.35×), two may not. */
    @Test
    void transposesShouldStandInForEachOtherOnlyWhereNineInTenOfTheTablesPairsAgree() {
        assertThat(TableGetTime.transposesAgree(pairs(2))).isTrue();
        assertThat(TableGetTime.transposesAgree(pairs(3))).isFalse();
        assertThat(TableGetTime.transposesAgree(SWEEP)).isTrue(); // no pairs: nothing says they disagree
    }

    /**
     * A twin beside a measured shape that contradicts it is left out; one far from every measured shape stands in.
     * t0 = 11.6 / 2 = 5.8 µs: (17 − 5.8) / (11.6 − 5.8) = 1.93× apart at (nearly) the same roofline, beyond 1.35×.
     */
    @Test
    void aTwinShouldStandInOnlyWhereTheShapeMeasuredNearestItAgrees() {
        TableGetTime table = TableGetTime.of(Map.of(
                new GemmShape(32, 1024, 3072), 17.0,
                new GemmShape(3073, 1024, 32), 11.6,   // its twin (32, 1024, 3073) lies 0.0005 octave from the above
                new GemmShape(4096, 1024, 8), 14.0),   // its twin (8, 1024, 4096) lies 2 octaves from anything
                "test table");
        assertThat(table.estimate(32, 1024, 3073).method()).isNotEqualTo(Method.TRANSPOSED_TWIN);
        assertThat(table.estimate(32, 1024, 3073).timeUs()).isGreaterThan(14.0);
        Estimate far = table.estimate(8, 1024, 4096);
        assertThat(far.method()).isEqualTo(Method.TRANSPOSED_TWIN);
        assertThat(far.timeUs()).isEqualTo(14.0);
    }

    /** 20 shapes (m, 64, n) with m < n measured both ways, the first {@code disagreeing} pairs 2× apart. */
    private static Map<GemmShape, Double> pairs(int disagreeing) {
        Map<GemmShape, Double> times = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            times.put(new GemmShape(i + 1, 64, 100), 10.0);
            times.put(new GemmShape(100, 64, i + 1), i < disagreeing ? 20.0 : 10.5);
        }
        return times;
    }

    /**
     * Shapes off every measured site, answered by the local fit, as the k-d tree version of it answered them before
     * the lattice of neighbour cells (commit 2204b49, its output copied here): the same 12 neighbours and fit; only
     * the order they are summed in and how the normal equations are eliminated, hence the last bits, may differ.
     */
    @Test
    void offSiteAnswersShouldBeTheKdTreeVersions() {
        SplittableRandom random = new SplittableRandom(11);
        Map<GemmShape, Double> times = new HashMap<>();
        for (int s = 0; s < 60; s++) {
            long k = 256L << random.nextInt(7);
            long n = 256L << random.nextInt(7);
            for (int i = 0; i < 40; i++) {
                long m = 1 + 5L * i * i;
                double computeUs = 2.0 * m * k * n / 700e6;
                double memoryUs = (m * k + k * n + m * n) * 2 / 3.0e6;
                double timeUs = (5 + Math.max(computeUs, memoryUs)) * (1 + 0.05 * random.nextDouble());
                times.put(new GemmShape(m, k, n), timeUs);
            }
        }
        TableGetTime table = TableGetTime.of(times, "synthetic");
        SplittableRandom queries = new SplittableRandom(5);
        double[] before = {138.01292086589106, 1490.8736009114307, 239.65106069303370, 272.44848487692440,
                1365.0828960356728, 971.78691828713060, 165.27713459541735, 305.94994197838090, 1210.4495330342700,
                3342.1166648585327};
        int inside = 0;
        for (double expected : before) {
            long m = 1 + queries.nextInt(8000);
            long k = 200 + queries.nextInt(20000);
            long n = 200 + queries.nextInt(20000);
            Estimate e = table.estimate(m, k, n);
            if (e.label() == Label.EXTRAPOLATED) { // outside the box (k, n of 256 … 16384): the edge held since
                assertThat(e.method()).isEqualTo(Method.EDGE_HELD);
                continue;
            }
            inside++;
            assertThat(e.method()).isEqualTo(Method.LOCAL_FIT);
            assertThat(e.timeUs()).isCloseTo(expected, within(expected * 1e-12));
        }
        assertThat(inside).isGreaterThanOrEqualTo(3);
    }

    @Test
    void shouldRejectNonPositiveDimensions() {
        assertThatThrownBy(() -> TABLE.estimate(0, 1, 1))
                .isInstanceOf(BadInputException.class)
                .hasMessage("must be > 0: m=0, k=1, n=1");
    }
}
