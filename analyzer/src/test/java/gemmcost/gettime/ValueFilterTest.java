package gemmcost.gettime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ValueFilterTest {
    @Test
    void everyAddedValueShouldBeMaybeAndAnEmptyFilterShouldHoldNothing() {
        ValueFilter filter = new ValueFilter();
        assertThat(LongStream.rangeClosed(1, 65536).anyMatch(filter::mayContain)).isFalse();
        LongStream.of(1, 7, 4096, 1L << 40).forEach(filter::add);
        assertThat(LongStream.of(1, 7, 4096, 1L << 40).allMatch(filter::mayContain)).isTrue();
    }

    @Test
    void fewOtherValuesShouldPassWhenTheSetIsSmall() {
        ValueFilter filter = new ValueFilter();
        LongStream.rangeClosed(1, 100).map(i -> 64 * i).forEach(filter::add); // 100 of 4,096 bits at most
        long passed = LongStream.rangeClosed(1, 100_000).filter(v -> v % 64 != 0 || v > 6400)
                .filter(filter::mayContain).count();
        assertThat(passed).isLessThan(100_000 * 100 / 4096 * 2); // a one-hash filter: about 2.4 %
    }
}
