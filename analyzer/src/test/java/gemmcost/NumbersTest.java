package gemmcost;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NumbersTest {
    @Test
    void timesShouldKeepFourSignificantDigitsAndTakeAnExponentOnlyBeyondThirtyYears() {
        assertThat(Numbers.micros(2.4)).isEqualTo("2.400");
        assertThat(Numbers.micros(1640.064)).isEqualTo("1640.1");
        assertThat(Numbers.micros(9.99e14)).isEqualTo("999000000000000.0");
        assertThat(Numbers.micros(1e300)).isEqualTo("1.0000e+300");
        assertThat(Numbers.millis(6169.4)).isEqualTo("6.169");
        assertThat(Numbers.millis(-2e15)).isEqualTo("-2.0000e+12");
    }
}
