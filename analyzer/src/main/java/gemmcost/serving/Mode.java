package gemmcost.serving;

import java.util.Locale;
import java.util.Optional;

/** Where prefills run: on the decode GPUs, interleaved with decode steps, or on separate prefill workers. */
public enum Mode {
    AGG, DISAGG;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode whose {@link #id()} is {@code text}, if any. */
    public static Optional<Mode> parse(String text) {
        for (Mode m : values())
            if (m.id().equals(text))
                return Optional.of(m);
        return Optional.empty();
    }
}
