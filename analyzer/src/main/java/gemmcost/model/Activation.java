package gemmcost.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The MLP's activation: GELU (up, activation, down) or SwiGLU (gate and up fused into one GEMM twice as wide). */
public enum Activation {
    GELU, SWIGLU;

    /** The config's spelling: {@code gelu}, {@code swiglu}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Activation> parse(String text) {
        return Arrays.stream(values()).filter(a -> a.id().equals(text)).findFirst();
    }
}
