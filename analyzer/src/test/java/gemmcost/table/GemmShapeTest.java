package gemmcost.table;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GemmShapeTest {
    /** 9³ grid shapes (sides 64 … 16384) into 1024 buckets the way HashMap indexes them: random hashes would fill
     * 1024·(1 − e^(−729/1024)) ≈ 521; the record's default hash fills 255. */
    @Test
    void gridShapesSpreadOverAHashMapsBuckets() {
        long[] sides = {64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384};
        Set<Integer> buckets = new HashSet<>();
        for (long m : sides)
            for (long k : sides)
                for (long n : sides) {
                    int h = new GemmShape(m, k, n).hashCode();
                    buckets.add((h ^ (h >>> 16)) & 1023);
                }
        assertThat(buckets.size()).isGreaterThan(480);
        assertThat(new GemmShape(1024, 4096, 512)).hasSameHashCodeAs(new GemmShape(1024, 4096, 512));
    }

    @Test
    void shouldCountTwoFlopsPerMultiplyAdd() {
        assertThat(new GemmShape(2, 3, 5).flops()).isEqualTo(60.0);
        // 2 · 2^21 · 2^9 · 2^12 = 2^43, beyond int but exact in a double
        assertThat(new GemmShape(2_097_152, 512, 4096).flops()).isEqualTo(Math.pow(2, 43));
    }

    @ParameterizedTest
    @CsvSource({"0,1,1", "1,0,1", "1,1,0", "-5,16,32"})
    void shouldRejectNonPositiveDimension(long m, long k, long n) {
        assertThatThrownBy(() -> new GemmShape(m, k, n))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("must be > 0: m=" + m + ", k=" + k + ", n=" + n);
    }

    @Test
    void shouldOrderByMThenKThenN() {
        List<GemmShape> shapes = new ArrayList<>(List.of(new GemmShape(2, 1, 1), new GemmShape(1, 2, 1),
                new GemmShape(1, 1, 2), new GemmShape(1, 1, 1)));
        shapes.sort(null);
        assertThat(shapes).containsExactly(new GemmShape(1, 1, 1), new GemmShape(1, 1, 2), new GemmShape(1, 2, 1),
                new GemmShape(2, 1, 1));
    }
}
