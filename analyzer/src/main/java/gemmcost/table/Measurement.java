package gemmcost.table;

import java.util.Objects;

/**
 * One row of a neutral measurements CSV: a time someone measured for {@code shape} on {@code gpu} in
 * {@code dtype}, as published by {@code source}. {@code notes} are the source's {@code key=value;…} pairs,
 * verbatim; {@code line} is the 1-based line in the file, for error messages.
 */
public record Measurement(String source, String gpu, String dtype, GemmShape shape, double timeUs, String notes,
                          long line) {
    public Measurement {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(gpu, "gpu");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(notes, "notes");
        if (!(Double.isFinite(timeUs) && timeUs > 0))
            throw new IllegalArgumentException("must be finite and > 0: timeUs=" + timeUs);
        if (line < 1)
            throw new IllegalArgumentException("must be >= 1: line=" + line);
    }
}
