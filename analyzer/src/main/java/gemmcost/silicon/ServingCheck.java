package gemmcost.silicon;

import gemmcost.BadInputException;
import gemmcost.cost.CostModels;
import gemmcost.model.hf.Architecture;
import gemmcost.model.hf.HfConfigReader;
import gemmcost.serving.ServingModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Predicts every measured run it can express with {@link ServingModel}, and says why it refuses the others. */
public final class ServingCheck {
    private ServingCheck() {
    }

    /** One row: its prediction (and the GEMM table behind it, and the client's concurrency), or why it was refused. */
    public record Outcome(SiliconRow row, ServingModel.Estimate estimate, String gemmSource, String refusal,
                          String detail, int concurrency) {
        public Outcome {
            Objects.requireNonNull(row, "row");
            if ((estimate == null) == (refusal == null))
                throw new IllegalArgumentException("an outcome is a prediction or a refusal");
            if ((estimate != null) != (concurrency >= 1))
                throw new IllegalArgumentException("a prediction has a concurrency >= 1, a refusal 0: " + concurrency);
        }

        public boolean predicted() {
            return estimate != null;
        }

        /** Signed error of the predicted TPOT, in % of the measured one. */
        public double tpotErrorPct() {
            return (estimate.tpotMs() - row.tpotMs()) / row.tpotMs() * 100;
        }

        public double ttftErrorPct() {
            return (estimate.ttftMs() - row.ttftMs()) / row.ttftMs() * 100;
        }
    }

    /** Whether a refusal puts its run outside what predict models: a GPU, architecture or precision it lacks. */
    public static boolean outOfScope(String reason) {
        return RowSetup.OUT_OF_SCOPE.contains(reason);
    }

    /** Every row of {@code rows}, models from {@code modelDir}, GEMMs from the {@code gemmCsvs} files. */
    public static List<Outcome> run(List<SiliconRow> rows, Path modelDir, List<Path> gemmCsvs) {
        GemmTables tables = new GemmTables(gemmCsvs);
        Map<Path, Architecture> models = new HashMap<>();
        Map<Path, BadInputException> unreadable = new HashMap<>();
        List<Outcome> outcomes = new ArrayList<>(rows.size());
        for (SiliconRow row : rows) {
            RowSetup setup = RowSetup.of(row, modelDir, config -> read(config, models, unreadable));
            outcomes.add(switch (setup) {
                case RowSetup.Refused r -> refused(row, r.reason(), r.detail());
                case RowSetup.Setup s -> predict(row, s, tables);
            });
        }
        return outcomes;
    }

    private static Architecture read(Path config, Map<Path, Architecture> models, Map<Path, BadInputException> bad) {
        if (bad.containsKey(config))
            throw bad.get(config);
        try {
            return models.computeIfAbsent(config, HfConfigReader::read);
        } catch (BadInputException e) {
            bad.put(config, e);
            throw e;
        }
    }

    private static Outcome predict(SiliconRow row, RowSetup.Setup s, GemmTables tables) {
        try {
            Optional<CostModels.Opened> costs = tables.costs(s.device(), s.gemmDtype(), s.engine().id());
            if (costs.isEmpty())
                return refused(row, "no GEMM table of the device and dtype", s.device().id() + " " + s.gemmDtype());
            ServingModel.Estimate e = ServingModel.predict(s.model(), s.mode(), s.prefill(), s.decode(), s.request(),
                    s.kvBytes(), costs.get().model());
            return new Outcome(row, e, costs.get().model().getTime().source(), null, null, s.request().concurrency());
        } catch (BadInputException | ArithmeticException e) {
            return refused(row, "step not costed", row.where() + ": " + e.getMessage());
        }
    }

    private static Outcome refused(SiliconRow row, String reason, String detail) {
        return new Outcome(row, null, null, reason, detail, 0);
    }
}
