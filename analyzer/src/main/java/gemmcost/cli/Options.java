package gemmcost.cli;

import gemmcost.BadInputException;
import gemmcost.device.Dtype;
import gemmcost.model.Phase;
import java.util.Locale;

/** Parsing and formatting shared by the commands. */
final class Options {
    private Options() {
    }

    static Phase phase(String text) {
        return switch (text) {
            case "prefill" -> Phase.PREFILL;
            case "decode" -> Phase.DECODE;
            default -> throw new BadInputException("--phase " + text + ": must be prefill or decode");
        };
    }

    static Dtype dtype(String text) {
        return Dtype.require("--dtype", text);
    }

    /** A time in µs with four significant digits at least and no exponent. */
    static String micros(double timeUs) {
        return timeUs >= 1000 ? String.format(Locale.ROOT, "%.1f", timeUs) : String.format(Locale.ROOT, "%.4g", timeUs);
    }
}
