package gemmcost.bench;

import gemmcost.device.Dtype;

/** Rounds a float to the nearest value of a GEMM input dtype (round to nearest, ties to even). */
final class DtypeRounding {
    private DtypeRounding() {
    }

    static float round(Dtype dtype, float value) {
        return switch (dtype) {
            case FP32 -> value;
            case FP16 -> Float.float16ToFloat(Float.floatToFloat16(value));
            case BF16 -> keepMantissaBits(value, 7);
            case TF32 -> keepMantissaBits(value, 10);
            case FP8, FP8_BLOCK -> throw new IllegalArgumentException("fp8 inputs are not supported by the bench yet");
        };
    }

    /** Keeps the top {@code bits} of fp32's 23 mantissa bits, rounding to nearest even (finite inputs). */
    private static float keepMantissaBits(float value, int bits) {
        int drop = 23 - bits;
        int raw = Float.floatToRawIntBits(value);
        int lsb = (raw >>> drop) & 1;
        int rounded = raw + (1 << (drop - 1)) - 1 + lsb;
        return Float.intBitsToFloat(rounded & -(1 << drop));
    }
}
