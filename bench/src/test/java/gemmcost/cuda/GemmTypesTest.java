package gemmcost.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import gemmcost.device.Dtype;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class GemmTypesTest {
    @Test
    void shouldEncodeEachDtypeAsCublasExpectsIt() {
        // 1.5 = 0x3FC00000 in fp32: bf16 keeps its top 16 bits, fp16 is 0x3E00
        assertThat(GemmTypes.of(Dtype.BF16).encode(new float[] {1.5f}).getShort(0)).isEqualTo((short) 0x3FC0);
        assertThat(GemmTypes.of(Dtype.FP16).encode(new float[] {1.5f}).getShort(0)).isEqualTo((short) 0x3E00);
        assertThat(GemmTypes.of(Dtype.TF32).encode(new float[] {1.5f}).getInt(0)).isEqualTo(0x3FC00000);
    }

    @Test
    void shouldDecodeWhatItEncodes() {
        float[] values = {1.5f, -0.25f, 3f};
        for (Dtype dtype : new Dtype[] {Dtype.BF16, Dtype.FP16, Dtype.FP32}) {
            GemmTypes types = GemmTypes.of(dtype);
            assertThat(types.decode(types.encode(values), 3)).containsExactly(values);
        }
    }

    @Test
    void shouldUseFp32AccumulationAndTf32OnlyWhenAskedFor() {
        assertThat(GemmTypes.of(Dtype.BF16)).isEqualTo(new GemmTypes(Dtype.BF16, 14, 68, 2));
        assertThat(GemmTypes.of(Dtype.FP16)).isEqualTo(new GemmTypes(Dtype.FP16, 2, 68, 2));
        assertThat(GemmTypes.of(Dtype.FP32)).isEqualTo(new GemmTypes(Dtype.FP32, 0, 68, 4));
        assertThat(GemmTypes.of(Dtype.TF32)).isEqualTo(new GemmTypes(Dtype.TF32, 0, 77, 4));
    }

    @Test
    void randomBlockShouldHoldNoZerosAndAtMost64MiB() {
        ByteBuffer block = GemmTypes.of(Dtype.FP32).randomBlock(1L << 40);
        assertThat(block.remaining()).isEqualTo(64 << 20);
        for (int i = 0; i < 1000; i++) {
            assertThat(block.getFloat(4 * i)).isNotZero().isBetween(-1f, 1f);
        }
    }
}
