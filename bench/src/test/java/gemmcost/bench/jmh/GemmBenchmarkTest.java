package gemmcost.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemmcost.table.GemmShape;
import org.junit.jupiter.api.Test;

class GemmBenchmarkTest {
    @Test
    void shouldReadTheShapeParameterAsMxKxN() {
        assertThat(GemmBenchmark.parse("8192x1x4096")).isEqualTo(new GemmShape(8192, 1, 4096));
        assertThatThrownBy(() -> GemmBenchmark.parse("8192,1,4096"))
                .hasMessage("shape: expected m x k x n as in 8192x8192x8192, got '8192,1,4096'");
    }
}
