package gemmcost.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemmcost.BadInputException;
import gemmcost.device.Dtype;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GemmTypesTest {
    @Test
    void shouldEncodeEachDtypeAsCublasExpectsIt() {
        // 1.5 = 0x3FC00000 in fp32: bf16 keeps its top 16 bits, fp16 is 0x3E00
        assertThat(GemmTypes.of(Dtype.BF16, Map.of()).encode(new float[] {1.5f}).getShort(0)).isEqualTo((short) 0x3FC0);
        assertThat(GemmTypes.of(Dtype.FP16, Map.of()).encode(new float[] {1.5f}).getShort(0)).isEqualTo((short) 0x3E00);
        assertThat(GemmTypes.of(Dtype.TF32, Map.of()).encode(new float[] {1.5f}).getInt(0)).isEqualTo(0x3FC00000);
    }

    @Test
    void shouldDecodeWhatItEncodes() {
        float[] values = {1.5f, -0.25f, 3f};
        for (Dtype dtype : new Dtype[] {Dtype.BF16, Dtype.FP16, Dtype.FP32}) {
            GemmTypes types = GemmTypes.of(dtype, Map.of());
            assertThat(types.decode(types.encode(values), 3)).containsExactly(values);
        }
    }

    @Test
    void shouldUseFp32AccumulationAndTf32OnlyWhenAskedFor() {
        assertThat(GemmTypes.of(Dtype.BF16, Map.of())).isEqualTo(new GemmTypes(Dtype.BF16, 14, 68, 2));
        assertThat(GemmTypes.of(Dtype.FP16, Map.of())).isEqualTo(new GemmTypes(Dtype.FP16, 2, 68, 2));
        assertThat(GemmTypes.of(Dtype.FP32, Map.of())).isEqualTo(new GemmTypes(Dtype.FP32, 0, 68, 4));
        assertThat(GemmTypes.of(Dtype.TF32, Map.of())).isEqualTo(new GemmTypes(Dtype.TF32, 0, 77, 4));
        assertThat(GemmTypes.of(Dtype.TF32, Map.of("NVIDIA_TF32_OVERRIDE", "1"))).isEqualTo(
                new GemmTypes(Dtype.TF32, 0, 77, 4));
    }

    @Test
    void tf32ShouldBeRefusedWhereTheEnvironmentTurnsItIntoFp32() {
        // its rounding would pass the tf32 check, so the table would hold fp32 times under the tf32 name
        assertThatThrownBy(() -> GemmTypes.of(Dtype.TF32, Map.of("NVIDIA_TF32_OVERRIDE", "0")))
                .isInstanceOf(BadInputException.class).hasMessage("--dtype tf32: NVIDIA_TF32_OVERRIDE=0 is set, which"
                        + " makes cuBLAS run TF32 GEMMs in fp32: unset it, or measure --dtype fp32");
        assertThat(GemmTypes.of(Dtype.FP32, Map.of("NVIDIA_TF32_OVERRIDE", "0")).computeType()).isEqualTo(68);
    }

    @Test
    void tf32ShouldBeRefusedOnAGpuBeforeAmpereWhereCublasRunsItInFp32() {
        assertThatThrownBy(() -> GemmTypes.on(Dtype.TF32, device("7.0"), Map.of()))
                .isInstanceOf(BadInputException.class).hasMessage("--dtype tf32: Tesla V100-SXM2-32GB (compute"
                        + " capability 7.0) has no TF32 tensor cores (Ampere, 8.0, and later), so cuBLAS would run"
                        + " it in fp32: measure --dtype fp32");
        assertThat(GemmTypes.on(Dtype.FP32, device("7.0"), Map.of()).computeType()).isEqualTo(68);
        assertThat(GemmTypes.on(Dtype.TF32, device("8.0"), Map.of()).computeType()).isEqualTo(77);
        // two digits (Blackwell), and unknown: not refused
        assertThat(GemmTypes.on(Dtype.TF32, device("10.0"), Map.of()).computeType()).isEqualTo(77);
        assertThat(GemmTypes.on(Dtype.TF32, device(null), Map.of()).computeType()).isEqualTo(77);
    }

    private static DeviceProperties device(String computeCapability) {
        return new DeviceProperties("Tesla V100-SXM2-32GB", computeCapability, 80, 32L << 30, 6L << 20, "13.0",
                "13.0", "13.0.2", "0000:3B:00.0", null, false);
    }

    @Test
    void normalValuesShouldBeStandardNormalWithoutZerosAndDifferPerSeed() {
        int count = 1 << 16;
        ByteBuffer a = GemmTypes.of(Dtype.FP32, Map.of()).normalValues(4L * count, 1);
        ByteBuffer b = GemmTypes.of(Dtype.FP32, Map.of()).normalValues(4L * count, 2);
        double sum = 0;
        double squares = 0;
        int outsideOneSigma = 0;
        for (int i = 0; i < count; i++) {
            float v = a.getFloat(4 * i);
            assertThat(v).isNotZero();
            sum += v;
            squares += v * v;
            outsideOneSigma += Math.abs(v) > 1 ? 1 : 0;
        }
        // N(0, 1) over 65,536 values: mean within 4/sqrt(n) = 0.016, variance within 2 %, 31.7 % beyond one sigma
        assertThat(sum / count).isBetween(-0.016, 0.016);
        assertThat(squares / count).isBetween(0.98, 1.02);
        assertThat(outsideOneSigma / (double) count).isBetween(0.31, 0.325);
        assertThat(a).isNotEqualTo(b);
        assertThat(b.getFloat(0)).isNotEqualTo(a.getFloat(0));
    }

    @Test
    void bf16ShouldRoundToNearestEven() {
        // 1 + 2^-8 lies halfway between bf16 1.0 and 1 + 2^-7: ties go to the even mantissa, 1.0
        assertThat(GemmTypes.bf16(1f + 0x1p-8f)).isEqualTo((short) 0x3F80);
        // 1 + 3·2^-8 lies halfway between 1 + 2^-7 (odd) and 1 + 2^-6: up to the even one
        assertThat(GemmTypes.bf16(1f + 3 * 0x1p-8f)).isEqualTo((short) 0x3F82);
        assertThat(GemmTypes.bf16(1f + 0x1p-8f + 0x1p-20f)).isEqualTo((short) 0x3F81);
    }
}
