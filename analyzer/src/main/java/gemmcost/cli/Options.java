package gemmcost.cli;

import gemmcost.device.Dtype;
import java.util.Locale;

/** Parsing and formatting shared by the commands. */
final class Options {
    private Options() {
    }

    static Dtype dtype(String text) {
        return Dtype.require("--dtype", text);
    }

    /** A time in µs with four significant digits at least and no exponent. */
    static String micros(double timeUs) {
        return timeUs >= 1000 ? String.format(Locale.ROOT, "%.1f", timeUs) : String.format(Locale.ROOT, "%.4g", timeUs);
    }
}
