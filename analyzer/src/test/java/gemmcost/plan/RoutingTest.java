package gemmcost.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RoutingTest {
    @Test
    void oneGpuShouldRunTheMeanNumberOfActiveExperts() {
        assertThat(Routing.busiestActiveExperts(128, 1, 0.25)).isEqualTo(32.0);
    }

    @Test
    void theBusiestOfSeveralGpusShouldRunTheExpectedMaximum() {
        // one expert a GPU, chosen half the time, two GPUs: the busiest runs one unless both are idle, 1 − 0.5²
        assertThat(Routing.busiestActiveExperts(1, 2, 0.5)).isCloseTo(0.75, within(1e-12));
        // two experts a GPU, each chosen half the time, two GPUs: a GPU runs 0, 1, 2 with 1/4, 1/2, 1/4; the busiest
        // runs 0 with 1/16, at most 1 with (3/4)² = 9/16, so 1 with 1/2 and 2 with 7/16: 1/2 + 2 · 7/16 = 1.375
        assertThat(Routing.busiestActiveExperts(2, 2, 0.5)).isCloseTo(1.375, within(1e-12));
    }

    @Test
    void everyExpertChosenOrNoneShouldNeedNoDistribution() {
        assertThat(Routing.busiestActiveExperts(32, 8, 1.0)).isEqualTo(32.0);
        assertThat(Routing.busiestActiveExperts(32, 8, 0.0)).isEqualTo(0.0);
    }
}
