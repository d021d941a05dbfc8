package gemmcost.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A linear axis from 0 to a maximum, with round tick values (1, 2 or 5 × a power of ten). */
record Axis(double max, double step) {
    static Axis upTo(double max, int ticks) {
        double span = max > 0 ? max : 1;
        double raw = span / ticks;
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw <= power ? power : raw <= 2 * power ? 2 * power : raw <= 5 * power ? 5 * power : 10 * power;
        return new Axis(Math.ceil(span / step) * step, step);
    }

    List<Double> ticks() {
        List<Double> ticks = new ArrayList<>();
        for (int i = 0; i * step <= max * (1 + 1e-9); i++)
            ticks.add(i * step);
        return ticks;
    }

    /** A tick's time: {@code 1500 µs} or {@code 2.5 ms}, as short as the step allows. */
    String label(double us) {
        if (step >= 1000)
            return trim(us / 1000) + " ms";
        return trim(us) + " µs";
    }

    private static String trim(double v) {
        String text = String.format(Locale.ROOT, "%.3f", v);
        return text.contains(".") ? text.replaceAll("0+$", "").replaceAll("\\.$", "") : text;
    }

    /** The position of {@code value} on an axis {@code lengthPx} long. */
    double px(double value, double lengthPx) {
        return value / max * lengthPx;
    }
}
