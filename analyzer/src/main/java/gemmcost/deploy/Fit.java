package gemmcost.deploy;

import gemmcost.BadInputException;
import gemmcost.device.Device;
import gemmcost.device.Dtype;
import gemmcost.model.hf.Architecture;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/** A model laid out on a device, with what its fullest GPU holds: checked to fit before anything is costed. */
public record Fit(Device device, Layout layout, MemoryFootprint footprint) {
    public Fit {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(footprint, "footprint");
    }

    public long usableBytes() {
        return MemoryFootprint.usableBytes(device);
    }

    /**
     * The footprint of {@code model} (read from {@code config}) on {@code layout} of {@code device}, serving
     * {@code concurrency} sequences of up to {@code tokens} tokens; a one-line refusal naming the numbers when the
     * layout cannot split the model or it does not fit.
     */
    public static Fit check(Path config, Architecture model, Device device, Layout layout, long concurrency,
                            long tokens, Dtype kvDtype) {
        String misfit = layout.misfit(model);
        if (misfit != null)
            throw new BadInputException(config + " cannot be laid out as " + layout + ": " + misfit);
        MemoryFootprint f;
        try {
            f = MemoryFootprint.of(model, layout, concurrency, tokens, kvDtype.elementBytes());
        } catch (ArithmeticException e) {
            throw new BadInputException(String.format(Locale.ROOT, "%s on %d x %s (%s) does not fit: the KV cache of"
                    + " %d sequences of %d tokens is beyond 2^63 bytes", config, layout.gpus(), device.id(), layout,
                    concurrency, tokens));
        }
        if (!f.fits(device))
            throw new BadInputException(String.format(Locale.ROOT, "%s on %d x %s (%s) does not fit: %s"
                            + " (%d sequences of up to %d tokens, KV in %s) is over the %.2f GB an engine uses of %.2f GB (%.2f)",
                    config, layout.gpus(), device.id(), layout, f.describe(), concurrency, tokens, kvDtype.id(),
                    MemoryFootprint.usableBytes(device) / 1e9, device.memoryBytes() / 1e9,
                    MemoryFootprint.USABLE_MEMORY_FRACTION));
        return new Fit(device, layout, f);
    }
}
