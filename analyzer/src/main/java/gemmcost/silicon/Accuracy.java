package gemmcost.silicon;

import static java.lang.Double.NaN;

import gemmcost.gettime.ErrorStats;
import gemmcost.table.Quantiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * How well one group of rows (or all) is predicted: rows, predicted, and of TPOT and TTFT the median and p90
 * absolute % error and the signed median (bias; positive: predicted too slow). NaN where nothing was predicted.
 */
public record Accuracy(String group, int rows, int predicted, double tpotMedianApePct, double tpotP90ApePct,
                       double tpotBiasPct, double ttftMedianApePct, double ttftP90ApePct, double ttftBiasPct) {
    /** One accuracy per group (model, system, mode), in name order. */
    public static List<Accuracy> byGroup(List<ServingCheck.Outcome> outcomes) {
        return by(outcomes, o -> o.row().group());
    }

    /** One accuracy per engine (the rows' {@code backend}, its name), in name order. */
    public static List<Accuracy> byEngine(List<ServingCheck.Outcome> outcomes) {
        return by(outcomes, o -> o.row().text("backend"));
    }

    /** The client concurrencies whose predicted rows {@link #byEngineAndLoad} gathers: up to each bound. */
    private static final int[] LOAD_BOUNDS = {4, 32, 128, Integer.MAX_VALUE};

    /**
     * One accuracy per engine and load (the client concurrency: 1-4, 5-32, 33-128, above), of the predicted rows
     * only, engines in name order and loads ascending; loads without a row are left out.
     */
    public static List<Accuracy> byEngineAndLoad(List<ServingCheck.Outcome> outcomes) {
        Map<String, Map<Integer, List<ServingCheck.Outcome>>> byEngine = new TreeMap<>();
        for (ServingCheck.Outcome o : outcomes)
            if (o.predicted())
                byEngine.computeIfAbsent(o.row().text("backend"), e -> new TreeMap<>())
                        .computeIfAbsent(load(o.concurrency()), b -> new ArrayList<>()).add(o);
        List<Accuracy> result = new ArrayList<>();
        byEngine.forEach((engine, loads) -> loads.forEach((load, rows) -> result.add(of(engine + " "
                + loadName(load), rows))));
        return result;
    }

    /** The load band of a client concurrency: 0 for 1-4, 1 for 5-32, 2 for 33-128, 3 above. */
    static int load(int concurrency) {
        int band = 0;
        while (concurrency > LOAD_BOUNDS[band])
            band++;
        return band;
    }

    static String loadName(int band) {
        int low = band == 0 ? 1 : LOAD_BOUNDS[band - 1] + 1;
        return band == LOAD_BOUNDS.length - 1 ? "c>" + LOAD_BOUNDS[band - 1] : "c" + low + "-" + LOAD_BOUNDS[band];
    }

    /** The same figures under another name. */
    public Accuracy named(String name) {
        return new Accuracy(name, rows, predicted, tpotMedianApePct, tpotP90ApePct, tpotBiasPct, ttftMedianApePct,
                ttftP90ApePct, ttftBiasPct);
    }

    private static List<Accuracy> by(List<ServingCheck.Outcome> outcomes, Function<ServingCheck.Outcome, String> key) {
        Map<String, List<ServingCheck.Outcome>> groups = new TreeMap<>();
        for (ServingCheck.Outcome o : outcomes)
            groups.computeIfAbsent(key.apply(o), g -> new ArrayList<>()).add(o);
        List<Accuracy> result = new ArrayList<>();
        groups.forEach((group, rows) -> result.add(of(group, rows)));
        return result;
    }

    public static Accuracy of(String group, List<ServingCheck.Outcome> outcomes) {
        List<ServingCheck.Outcome> predicted = outcomes.stream().filter(ServingCheck.Outcome::predicted).toList();
        if (predicted.isEmpty())
            return new Accuracy(group, outcomes.size(), 0, NaN, NaN, NaN, NaN, NaN, NaN);
        double[] tpot = predicted.stream().mapToDouble(ServingCheck.Outcome::tpotErrorPct).toArray();
        double[] ttft = predicted.stream().mapToDouble(ServingCheck.Outcome::ttftErrorPct).toArray();
        ErrorStats tpotApe = ErrorStats.of(abs(tpot));
        ErrorStats ttftApe = ErrorStats.of(abs(ttft));
        return new Accuracy(group, outcomes.size(), predicted.size(), tpotApe.medianApePct(), tpotApe.p90ApePct(),
                median(tpot), ttftApe.medianApePct(), ttftApe.p90ApePct(), median(ttft));
    }

    private static double[] abs(double[] values) {
        return Arrays.stream(values).map(Math::abs).toArray();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return Quantiles.of(sorted, 0.5);
    }
}
