package gemmcost.model.hf;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How a checkpoint stores its linear layers' weights, which picks the Get_Time table of its GEMMs. */
public enum WeightFormat {
    /** 2 bytes per weight. */
    BF16(2),
    /** fp8 e4m3, one scale per tensor. */
    FP8(1),
    /** fp8 e4m3 with one scale per 128×128 block (DeepSeek-V3's recipe); the scales are 1/16384 of the bytes. */
    FP8_BLOCK(1);

    /** The edge of fp8_block's square scale blocks, in weights. */
    public static final int BLOCK_EDGE = 128;

    private final int bytesPerWeight;

    WeightFormat(int bytesPerWeight) {
        this.bytesPerWeight = bytesPerWeight;
    }

    public int bytesPerWeight() {
        return bytesPerWeight;
    }

    /** {@code bf16}, {@code fp8} or {@code fp8_block}, as options and JSON write it. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<WeightFormat> parse(String id) {
        return Arrays.stream(values()).filter(f -> f.id().equals(id)).findFirst();
    }
}
