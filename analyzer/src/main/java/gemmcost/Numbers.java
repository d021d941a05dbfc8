package gemmcost;

import java.util.Locale;

/**
 * Number formatting for reports ({@link Locale#ROOT}, µs with enough digits, ms with three decimals, percentages with
 * one decimal, two beside the claim) and the strict number syntax input files are read with.
 */
public final class Numbers {
    private Numbers() {
    }

    /**
     * Beyond this (µs: 31 years) a time is printed with an exponent: the digits of {@code %.1f} would run to hundreds
     * for a DAG's absurd durations, and none of them would mean anything.
     */
    private static final double EXPONENT_FROM = 1e15;

    /** Bytes as decimal gigabytes, {@code 77.31 GB}. */
    public static String gigabytes(double bytes) {
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }

    /** A time in µs with four significant digits at least and no exponent (below {@link #EXPONENT_FROM}). */
    public static String micros(double timeUs) {
        return Math.abs(timeUs) >= EXPONENT_FROM ? String.format(Locale.ROOT, "%.4e", timeUs)
                : Math.abs(timeUs) >= 1000 ? String.format(Locale.ROOT, "%.1f", timeUs)
                : String.format(Locale.ROOT, "%.4g", timeUs);
    }

    /** A time given in µs, printed in ms with three decimals: {@code 6.169} (an exponent as {@link #micros} has). */
    public static String millis(double timeUs) {
        return Math.abs(timeUs) >= EXPONENT_FROM ? String.format(Locale.ROOT, "%.4e", timeUs / 1000)
                : String.format(Locale.ROOT, "%.3f", timeUs / 1000);
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

    /** An optionally signed run of ASCII digits. */
    public static boolean isInteger(String s) {
        int i = s.startsWith("-") || s.startsWith("+") ? 1 : 0;
        return digitsFrom(s, i) == s.length() && s.length() > i;
    }

    /**
     * A plain decimal such as {@code 12}, {@code -0.5} or {@code 1.5e3}. {@link Double#parseDouble} alone would
     * also take {@code NaN}, {@code 0x1p3}, {@code 1d} and surrounding blanks.
     */
    public static boolean isDecimal(String s) {
        int n = s.length();
        int i = s.startsWith("-") || s.startsWith("+") ? 1 : 0;
        int end = digitsFrom(s, i);
        int digits = end - i;
        i = end;
        if (i < n && s.charAt(i) == '.') {
            end = digitsFrom(s, i + 1);
            digits += end - i - 1;
            i = end;
        }
        if (digits == 0)
            return false;
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '-' || s.charAt(i) == '+'))
                i++;
            end = digitsFrom(s, i);
            if (end == i)
                return false;
            i = end;
        }
        return i == n;
    }

    /** The index of the first non-digit at or after {@code from}. */
    private static int digitsFrom(String s, int from) {
        int i = from;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9')
            i++;
        return i;
    }
}
