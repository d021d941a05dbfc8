package gemmcost.gettime;

import gemmcost.table.Measurement;
import java.util.List;

/** Predicts measurements made elsewhere and summarises the error. */
public final class Validation {
    private Validation() {
    }

    /** One predicted measurement. */
    public record Row(Measurement measurement, Estimate estimate, double apePct) {
    }

    /** Every row predicted, and their error statistics. */
    public record Result(List<Row> rows, ErrorStats stats) {
        public Result {
            rows = List.copyOf(rows);
        }
    }

    /** Predicts every measurement (at least one); the caller chooses which rows belong together. */
    public static Result run(GetTime getTime, List<Measurement> measurements) {
        List<Row> rows = measurements.stream().map(m -> {
            Estimate e = getTime.estimate(m.shape());
            return new Row(m, e, ErrorStats.apePct(e.timeUs(), m.timeUs()));
        }).toList();
        return new Result(rows, ErrorStats.of(rows.stream().mapToDouble(Row::apePct).toArray()));
    }
}
