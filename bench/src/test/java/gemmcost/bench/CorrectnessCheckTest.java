package gemmcost.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import gemmcost.BadInputException;
import gemmcost.device.Dtype;
import gemmcost.table.GemmShape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CorrectnessCheckTest {
    /** A device that multiplies like the real thing: fp32 accumulation, output rounded to the dtype. */
    static class FaithfulBackend extends SweepTest.SimulatedBackend {
        @Override
        public float[] multiply(GemmShape shape, Dtype dtype, float[] a, float[] b) {
            int m = (int) shape.m();
            int k = (int) shape.k();
            int n = (int) shape.n();
            float[] c = new float[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float sum = 0;
                    for (int p = 0; p < k; p++) {
                        sum += a[i * k + p] * b[p * n + j];
                    }
                    c[i * n + j] = DtypeRounding.round(dtype, sum);
                }
            }
            return c;
        }
    }

    /** The classic mistake: the row-major inputs handed to a column-major library as they are. */
    static final class ColumnMajorMixUp extends FaithfulBackend {
        @Override
        public float[] multiply(GemmShape shape, Dtype dtype, float[] a, float[] b) {
            // computes with A and B read column-major; C written column-major
            int m = (int) shape.m();
            int k = (int) shape.k();
            int n = (int) shape.n();
            float[] c = new float[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float sum = 0;
                    for (int p = 0; p < k; p++) {
                        sum += a[p * m + i] * b[j * k + p];
                    }
                    c[j * m + i] = sum;
                }
            }
            return c;
        }
    }

    @ParameterizedTest
    @EnumSource(value = Dtype.class, names = {"BF16", "FP16", "TF32", "FP32"})
    void shouldPassAFaithfulDevice(Dtype dtype) {
        CorrectnessCheck.Result result = CorrectnessCheck.run(new FaithfulBackend(), dtype, 1);
        assertThat(result.passed()).as(result.describe()).isTrue();
        assertThat(result.errorRel()).isGreaterThan(0); // fp32 accumulation really differs from fp64
    }

    @Test
    void shouldCatchALayoutMixUp() {
        assertThat(CorrectnessCheck.run(new ColumnMajorMixUp(), Dtype.FP32, 1).errorRel()).isGreaterThan(0.5);
    }

    @Test
    void shouldFailWhenThePoisonSurvives() {
        FaithfulBackend lazy = new FaithfulBackend() {
            @Override
            public float[] multiply(GemmShape shape, Dtype dtype, float[] a, float[] b) {
                float[] c = super.multiply(shape, dtype, a, b);
                Arrays.fill(c, 0, 7, Float.NaN); // 7 elements never written
                return c;
            }
        };
        assertThatThrownBy(() -> CorrectnessCheck.require(lazy, Dtype.BF16)).isInstanceOf(BadInputException.class)
                .hasMessage("correctness check failed, not timing bf16 on simulated: bf16: relative Frobenius error NaN"
                        + " vs fp64 CPU reference (tolerance 0.01) on m=96, k=160, n=224: FAILED");
    }

    @Test
    void shouldMeasureRelativeFrobeniusErrorByHand() {
        // ‖(0, 0.2)‖ / ‖(1, 2)‖ = 0.2 / √5
        assertThat(CorrectnessCheck.errorRel(new float[] {1, 2.2f}, new double[] {1, 2}))
                .isCloseTo(0.2 / Math.sqrt(5), within(1e-7));
    }

    @Test
    void shouldRoundToNearestEvenInEveryDtype() {
        float half = (float) Math.scalb(1.0, -8); // half a bf16 ulp at 1.0
        assertThat(DtypeRounding.round(Dtype.BF16, 1 + half)).isEqualTo(1.0f);                  // tie → even
        assertThat(DtypeRounding.round(Dtype.BF16, 1 + 3 * half)).isEqualTo(1 + 4 * half);       // tie → even
        assertThat(DtypeRounding.round(Dtype.BF16, 1 + half + (float) Math.scalb(1.0, -20))).isEqualTo(1 + 2 * half);
        float tf32Half = (float) Math.scalb(1.0, -11);
        assertThat(DtypeRounding.round(Dtype.TF32, 1 + tf32Half)).isEqualTo(1.0f);
        assertThat(DtypeRounding.round(Dtype.TF32, -(1 + 3 * tf32Half))).isEqualTo(-(1 + 4 * tf32Half));
        assertThat(DtypeRounding.round(Dtype.FP16, 1 + tf32Half)).isEqualTo(1.0f);
        assertThat(DtypeRounding.round(Dtype.FP32, 0.1f)).isEqualTo(0.1f);
    }
}
