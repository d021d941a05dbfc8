package gemmcost.cli;

import gemmcost.BadInputException;
import gemmcost.device.Dtype;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Parsing and formatting shared by the commands. */
final class Options {
    private Options() {
    }

    static Dtype dtype(String text) {
        return Dtype.parse(text).orElseThrow(() -> new BadInputException("--dtype " + text + ": unknown dtype ("
                + Arrays.stream(Dtype.values()).map(Dtype::id).collect(Collectors.joining(", ")) + ")"));
    }

    /** A time in µs with four significant digits at least and no exponent. */
    static String micros(double timeUs) {
        return timeUs >= 1000 ? String.format(Locale.ROOT, "%.1f", timeUs) : String.format(Locale.ROOT, "%.4g", timeUs);
    }
}
