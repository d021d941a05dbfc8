package gemmcost;

import java.util.Locale;

/** Number formatting for reports: {@link Locale#ROOT}, µs with enough digits, ms with three decimals, percentages with one decimal (two beside the claim). */
public final class Numbers {
    private Numbers() {
    }

    /** A time in µs with four significant digits at least and no exponent. */
    public static String micros(double timeUs) {
        return Math.abs(timeUs) >= 1000 ? String.format(Locale.ROOT, "%.1f", timeUs)
                : String.format(Locale.ROOT, "%.4g", timeUs);
    }

    /** A time given in µs, printed in ms with three decimals: {@code 6.169}. */
    public static String millis(double timeUs) {
        return String.format(Locale.ROOT, "%.3f", timeUs / 1000);
    }

    /** {@code 34.2%}. */
    public static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
    }

    /**
     * {@code 34.06%}: the claim (34.2 %), its source table (34.06 %) and our results differ in the first decimal, so
     * the figures set beside the claim carry two.
     */
    public static String claimPercent(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", fraction * 100);
    }
}
