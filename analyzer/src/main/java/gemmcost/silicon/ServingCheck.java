package gemmcost.silicon;

import gemmcost.BadInputException;
import gemmcost.cost.CostModels;
import gemmcost.model.hf.Architecture;
import gemmcost.model.hf.HfConfigReader;
import gemmcost.model.hf.UnmodeledException;
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

        /** Whether the row could not be read (a field out of its format or range): a fault of the input. */
        public boolean badRow() {
            return RowSetup.BAD_ROW.equals(refusal);
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
        Map<Path, Read> models = new HashMap<>();
        List<Outcome> outcomes = new ArrayList<>(rows.size());
        for (SiliconRow row : rows) {
            Read[] read = new Read[1];
            RowSetup setup = RowSetup.of(row, modelDir, config -> {
                read[0] = models.computeIfAbsent(config, ServingCheck::read);
                return read[0].model();
            });
            outcomes.add(switch (setup) {
                case RowSetup.Refused r -> refused(row, r.reason(), r.detail());
                case RowSetup.Setup s -> predict(row, s, tables, read[0].note());
            });
        }
        return outcomes;
    }

    /** A config as read once for every row of its model: the model and a note on how, or why it cannot be. */
    private record Read(Architecture model, String note, BadInputException failure) {
        @Override
        public Architecture model() {
            if (failure != null)
                throw failure;
            return model;
        }
    }

    /**
     * The model of {@code config}; where only its weight format is one gemmcost does not read (a checkpoint quantised
     * by another tool, an fp16 dtype), its architecture alone: a row's recorded quant mode says the format its GEMMs
     * ran in.
     */
    private static Read read(Path config) {
        try {
            return new Read(HfConfigReader.read(config), null, null);
        } catch (UnmodeledException e) {
            if (e.kind() != UnmodeledException.Kind.QUANTIZATION)
                return new Read(null, null, e);
            try {
                return new Read(HfConfigReader.readArchitecture(config), "the config's weight format is not read ("
                        + e.getMessage() + "): the row's quant mode sets the GEMM format", null);
            } catch (BadInputException other) {
                return new Read(null, null, other);
            }
        } catch (BadInputException e) {
            return new Read(null, null, e);
        }
    }

    private static Outcome predict(SiliconRow row, RowSetup.Setup s, GemmTables tables, String note) {
        try {
            Optional<CostModels.Opened> costs = tables.costs(s.device(), s.gemmDtype(), s.engine().id());
            if (costs.isEmpty())
                return refused(row, "no GEMM table of the device and dtype", s.device().id() + " " + s.gemmDtype());
            ServingModel.Estimate e = ServingModel.predict(s.model(), s.mode(), s.prefill(), s.decode(), s.request(),
                    s.kvBytes(), costs.get().model());
            return new Outcome(row, e, costs.get().model().getTime().source(), null, note, s.request().concurrency());
        } catch (BadInputException | ArithmeticException e) {
            return refused(row, "step not costed", row.where() + ": " + e.getMessage());
        }
    }

    private static Outcome refused(SiliconRow row, String reason, String detail) {
        return new Outcome(row, null, null, reason, detail, 0);
    }
}
