package gemmcost.deploy;

import gemmcost.BadInputException;
import gemmcost.device.Device;
import gemmcost.device.Dtype;
import gemmcost.model.hf.Architecture;
import java.nio.file.Path;
import java.io.Serial;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Objects;

/**
 * A model laid out on a device, with what each kind of its GPUs holds ({@code sides}: the fullest GPU of a TP x PP
 * layout, or an AFD layout's two sides, the fuller first): checked to fit before anything is costed.
 */
public record Fit(Device device, Layout layout, List<MemoryFootprint> sides) {
    public Fit {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(layout, "layout");
        sides = List.copyOf(sides);
        if (sides.isEmpty())
            throw new IllegalArgumentException("a fit needs what at least one GPU holds");
    }

    /** What the fullest GPU holds, which decides the fit. */
    public MemoryFootprint footprint() {
        return sides.getFirst();
    }

    /** {@code 17.64 GB of weights + 5.37 GB of KV cache per GPU}, each side's where there are two. */
    public String describe() {
        return String.join("; ", sides.stream().map(MemoryFootprint::describe).toList());
    }

    public long usableBytes() {
        return MemoryFootprint.usableBytes(device);
    }

    /** A plan refused: the layout cannot split the model, or its weights and KV cache do not fit. */
    public static final class Refused extends BadInputException {
        @Serial
        private static final long serialVersionUID = 1L;

        private final boolean memory;

        private Refused(boolean memory, String message) {
            super(message);
            this.memory = memory;
        }

        /** Whether it is the memory (not the layout) that refuses it. */
        public boolean memory() {
            return memory;
        }
    }

    /**
     * The footprint of {@code model} (read from {@code config}) on {@code layout} of {@code device}, serving
     * {@code concurrency} sequences of up to {@code tokens} tokens; a one-line {@link Refused} naming the numbers
     * when the layout cannot split the model or it does not fit.
     */
    public static Fit check(Path config, Architecture model, Device device, Layout layout, long concurrency,
                            long tokens, Dtype kvDtype) {
        String misfit = layout.misfit(model);
        if (misfit != null)
            throw new Refused(false, config + " cannot be laid out as " + layout + ": " + misfit);
        List<MemoryFootprint> sides;
        try {
            sides = MemoryFootprint.sides(model, layout, concurrency, tokens, kvDtype.elementBytes());
        } catch (ArithmeticException e) {
            throw new Refused(true, String.format(Locale.ROOT, "%s on %d x %s (%s) does not fit: the KV cache of %d"
                    + " sequences of %d tokens is beyond 2^63 bytes", config, layout.gpus(), device.id(), layout,
                    concurrency, tokens));
        }
        MemoryFootprint f = sides.getFirst();
        if (!f.fits(device))
            throw new Refused(true, String.format(Locale.ROOT, "%s on %d x %s (%s) does not fit: %s"
                            + " (%d sequences%s of up to %d tokens, KV in %s) is over the %.2f GB an engine uses"
                            + " of %.2f GB (%.2f) [modeled]",
                    config, layout.gpus(), device.id(), layout, f.describe(), concurrency,
                    spread(concurrency, layout.attentionReplicas()), tokens, kvDtype.id(),
                    MemoryFootprint.usableBytes(device) / 1e9, device.memoryBytes() / 1e9,
                    MemoryFootprint.USABLE_MEMORY_FRACTION));
        return new Fit(device, layout, sides);
    }

    /** {@code , at most 8 on each of 8 attention replicas,} where there are several; composed only for a refusal. */
    private static String spread(long concurrency, int replicas) {
        return replicas == 1 ? "" : String.format(Locale.ROOT, ", at most %d on each of %d attention replicas,",
                Math.ceilDiv(concurrency, replicas), replicas);
    }

    /** What the fullest GPU holds for {@code sequences} of {@code tokens}; empty when the KV cache is beyond 2^63 B. */
    public static Optional<MemoryFootprint> footprint(Architecture model, Layout layout, long sequences, long tokens,
                                                      Dtype kvDtype) {
        try {
            return Optional.of(MemoryFootprint.of(model, layout, sequences, tokens, kvDtype.elementBytes()));
        } catch (ArithmeticException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code sequences} of {@code tokens} fit {@code device} beside the weights (0 sequences always do). */
    public static boolean holds(Architecture model, Layout layout, Device device, long sequences, long tokens,
                                Dtype kvDtype) {
        return sequences == 0 || footprint(model, layout, sequences, tokens, kvDtype).map(f -> f.fits(device))
                .orElse(false);
    }

    /**
     * {@link #check} of a disaggregated prefill worker prefilling {@code prompts} prompts of {@code isl} tokens: a
     * prompt is written whole before any of it slides out of a sliding window, so its windowed layers hold all of it.
     */
    public static Fit checkPrefill(Path config, Architecture model, Device device, Layout layout, long prompts,
                                   long isl, Dtype kvDtype) {
        return check(config, model.withWholeWindowCaches(), device, layout, prompts, isl, kvDtype);
    }

    /** {@link #holds} of a disaggregated prefill worker, its prompts whole as {@link #checkPrefill} holds them. */
    public static boolean holdsPrefill(Architecture model, Layout layout, Device device, long prompts, long isl,
                                       Dtype kvDtype) {
        return holds(model.withWholeWindowCaches(), layout, device, prompts, isl, kvDtype);
    }

    /**
     * How many of {@code wanted} sequences of {@code tokens} a worker's memory holds beside its weights (0: not
     * one): an engine runs that many and admits the others as they finish.
     */
    public static int room(Architecture model, Layout layout, Device device, int wanted, long tokens, Dtype kv) {
        if (holds(model, layout, device, wanted, tokens, kv))
            return wanted;
        int low = 0;
        int high = wanted;
        while (high - low > 1) {
            int mid = (low + high) >>> 1;
            if (holds(model, layout, device, mid, tokens, kv))
                low = mid;
            else
                high = mid;
        }
        return low;
    }
}
