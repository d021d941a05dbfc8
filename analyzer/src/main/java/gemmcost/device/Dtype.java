package gemmcost.device;

import gemmcost.BadInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * GEMM input types whose datasheet peak the catalog knows; tf32 means fp32 storage on TF32 tensor cores, fp8 one
 * scale per tensor, fp8_block DeepSeek-style 128 × 128 block scales (the same fp8 tensor cores, so fp8's peak).
 */
public enum Dtype {
    BF16(2), FP16(2), TF32(4), FP32(4), FP8(1), FP8_BLOCK(1);

    private final int elementBytes;

    Dtype(int elementBytes) {
        this.elementBytes = elementBytes;
    }

    /** Bytes of one stored element of A, B and C. */
    public int elementBytes() {
        return elementBytes;
    }

    /** The lower-case name used in files and on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code text}; bad input naming {@code option} and the known dtypes otherwise. */
    public static Dtype require(String option, String text) {
        return parse(text).orElseThrow(() -> new BadInputException(option + " " + text + ": unknown dtype (" + ids()
                + ")"));
    }

    /** The dtype whose datasheet peak applies: fp8's for fp8_block, else itself. */
    public Dtype peakDtype() {
        return this == FP8_BLOCK ? FP8 : this;
    }

    /** The lower-case names, comma-separated, for messages. */
    public static String ids() {
        return Arrays.stream(values()).map(Dtype::id).collect(Collectors.joining(", "));
    }

    /** Parses a dtype's {@link #id()}; anything else (e.g. an imported {@code int8}) is empty. */
    public static Optional<Dtype> parse(String text) {
        for (Dtype d : values()) {
            if (d.id().equals(text)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }
}
