package gemmcost.bench;

import gemmcost.BadInputException;
import gemmcost.cuda.GemmBackend;
import gemmcost.device.Dtype;
import gemmcost.table.GemmShape;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Before anything is timed: one small GEMM on the device against an fp64 CPU reference computed from the same
 * (dtype-rounded) inputs. The shape is deliberately non-square (m ≠ k ≠ n) so that a row-/column-major or
 * transpose mix-up cannot pass, and the relative Frobenius error must be within the dtype's tolerance.
 */
public final class CorrectnessCheck {
    /** m, k, n all different and not multiples of each other. */
    static final GemmShape SHAPE = new GemmShape(96, 160, 224);

    private CorrectnessCheck() {
    }

    /** The relative Frobenius error ‖C − C_ref‖ / ‖C_ref‖ allowed for a dtype with fp32 accumulation. */
    static double toleranceRel(Dtype dtype) {
        return switch (dtype) {
            case BF16 -> 1e-2;  // output rounded to 8 significant bits (2^-9 relative)
            case FP16 -> 2e-3;  // 11 significant bits (2^-12)
            case TF32 -> 5e-3;  // inputs at 11 significant bits; the device may round them differently than we do
            case FP32 -> 1e-5;  // fp32 accumulation over k = 160
            case FP8, FP8_BLOCK -> 1e-1;
        };
    }

    /** The check's numbers, and whether they pass. */
    public record Result(Dtype dtype, double errorRel, double toleranceRel) {
        boolean passed() {
            return errorRel <= toleranceRel; // NaN (an unwritten, poisoned element) never passes
        }

        String describe() {
            return String.format(Locale.ROOT, "%s: relative Frobenius error %.3g vs fp64 CPU reference (tolerance %.1g) on"
                    + " m=%d, k=%d, n=%d: %s", dtype.id(), errorRel, toleranceRel, SHAPE.m(), SHAPE.k(), SHAPE.n(),
                    passed() ? "ok" : "FAILED");
        }
    }

    static Result run(GemmBackend backend, Dtype dtype, long seed) {
        int m = (int) SHAPE.m();
        int k = (int) SHAPE.k();
        int n = (int) SHAPE.n();
        SplittableRandom random = new SplittableRandom(seed);
        float[] a = randomInputs(random, m * k, dtype);
        float[] b = randomInputs(random, k * n, dtype);
        float[] c = backend.multiply(SHAPE, dtype, a, b);
        if (c.length != m * n) {
            throw new IllegalStateException("backend returned " + c.length + " elements for C, expected " + m * n);
        }
        return new Result(dtype, errorRel(c, reference(a, b, m, k, n)), toleranceRel(dtype));
    }

    /** Runs the check and stops that dtype with a clear line when it fails. */
    public static Result require(GemmBackend backend, Dtype dtype) {
        Result result = run(backend, dtype, 20261124L);
        if (!result.passed()) {
            throw new BadInputException("correctness check failed, not timing " + dtype.id() + " on "
                    + backend.name() + ": " + result.describe());
        }
        return result;
    }

    static float[] randomInputs(SplittableRandom random, int count, Dtype dtype) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = DtypeRounding.round(dtype, (float) random.nextDouble(-1, 1));
        }
        return values;
    }

    static double[] reference(float[] a, float[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                double aip = a[i * k + p];
                for (int j = 0; j < n; j++) {
                    c[i * n + j] += aip * b[p * n + j];
                }
            }
        }
        return c;
    }

    static double errorRel(float[] c, double[] reference) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < c.length; i++) {
            double d = c[i] - reference[i];
            diff += d * d;
            norm += reference[i] * reference[i];
        }
        return Math.sqrt(diff / norm);
    }
}
