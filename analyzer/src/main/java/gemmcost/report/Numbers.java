package gemmcost.report;

import java.util.Locale;

/** Number formatting for reports: {@link Locale#ROOT}, µs with enough digits, percentages with one decimal. */
public final class Numbers {
    private Numbers() {
    }

    /** A time in µs with four significant digits at least and no exponent. */
    public static String micros(double timeUs) {
        return Math.abs(timeUs) >= 1000 ? String.format(Locale.ROOT, "%.1f", timeUs)
                : String.format(Locale.ROOT, "%.4g", timeUs);
    }

    /** {@code 34.2%}. */
    public static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
    }
}
