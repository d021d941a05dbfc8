package gemmcost.serving;

import java.util.Locale;

/** Where prefills run: on the decode GPUs, interleaved with decode steps, or on separate prefill workers. */
public enum Mode {
    AGG, DISAGG;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
