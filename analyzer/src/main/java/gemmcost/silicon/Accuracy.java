package gemmcost.silicon;

import gemmcost.table.Quantiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How well one group of rows (or all) is predicted: rows, predicted, and of TPOT and TTFT the median and p90
 * absolute % error and the signed median (bias; positive: predicted too slow). NaN where nothing was predicted.
 */
public record Accuracy(String group, int rows, int predicted, double tpotMedianApePct, double tpotP90ApePct,
                       double tpotBiasPct, double ttftMedianApePct, double ttftP90ApePct, double ttftBiasPct) {
    /** One accuracy per group (model, system, mode), in name order. */
    public static List<Accuracy> byGroup(List<ServingCheck.Outcome> outcomes) {
        Map<String, List<ServingCheck.Outcome>> groups = new TreeMap<>();
        for (ServingCheck.Outcome o : outcomes)
            groups.computeIfAbsent(o.row().group(), g -> new ArrayList<>()).add(o);
        List<Accuracy> result = new ArrayList<>();
        groups.forEach((group, rows) -> result.add(of(group, rows)));
        return result;
    }

    public static Accuracy of(String group, List<ServingCheck.Outcome> outcomes) {
        List<ServingCheck.Outcome> predicted = outcomes.stream().filter(ServingCheck.Outcome::predicted).toList();
        double[] tpot = predicted.stream().mapToDouble(ServingCheck.Outcome::tpotErrorPct).toArray();
        double[] ttft = predicted.stream().mapToDouble(ServingCheck.Outcome::ttftErrorPct).toArray();
        return new Accuracy(group, outcomes.size(), predicted.size(), quantile(abs(tpot), 0.5), quantile(abs(tpot), 0.9),
                quantile(tpot, 0.5), quantile(abs(ttft), 0.5), quantile(abs(ttft), 0.9), quantile(ttft, 0.5));
    }

    private static double[] abs(double[] values) {
        return Arrays.stream(values).map(Math::abs).toArray();
    }

    private static double quantile(double[] values, double q) {
        if (values.length == 0)
            return Double.NaN;
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return Quantiles.of(sorted, q);
    }
}
