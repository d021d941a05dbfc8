package gemmcost.serving;

import gemmcost.deploy.Layout;
import java.util.Objects;

/** {@code count} identical engine instances (workers), each laid out as {@code layout}. */
public record Workers(Layout layout, int count) {
    public Workers {
        Objects.requireNonNull(layout, "layout");
        if (count < 1 || (long) count * layout.gpus() > Layout.MAX_GPUS)
            throw new IllegalArgumentException("must be >= 1 and span at most " + Layout.MAX_GPUS + " GPUs: workers="
                    + count + " of " + layout.gpus() + " GPUs");
    }

    public int gpus() {
        return layout.gpus() * count;
    }

    /** Requests whose prefill the workers run at once: one per attention replica. */
    int prefillSlots() {
        return layout.attentionReplicas() * count;
    }
}
