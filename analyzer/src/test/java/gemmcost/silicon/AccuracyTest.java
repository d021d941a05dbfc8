package gemmcost.silicon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AccuracyTest {
    @Test
    void loadBandsShouldEndAtFour32And128() {
        assertThat(IntStream.of(1, 4, 5, 32, 33, 128, 129, 1 << 20).mapToObj(c -> Accuracy.loadName(Accuracy.load(c))))
                .containsExactly("c1-4", "c1-4", "c5-32", "c5-32", "c33-128", "c33-128", "c>128", "c>128");
    }
}
