package gemmcost.claim;

import gemmcost.BadInputException;
import gemmcost.cost.CostModel;
import gemmcost.gettime.Label;
import gemmcost.model.Deployment;
import gemmcost.model.Phase;
import gemmcost.model.PlanMemory;
import gemmcost.model.Workload;
import gemmcost.schedule.DagAnalysis;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decode TPOT of the baseline (dense as the seed costs it, and with the model's experts) and of MA-separation as
 * the batch or the sequence length varies, everything else as configured: where, if anywhere, MA-separation wins.
 */
public record ClaimSweep(Axis axis, List<Point> points) {
    public ClaimSweep {
        points = List.copyOf(points);
    }

    /** What is varied. */
    public enum Axis {
        BATCH("batch", "sequences per decode step"),
        SEQ("seq", "KV-cache length (tokens)");

        private final String id;
        private final String meaning;

        Axis(String id, String meaning) {
            this.id = id;
            this.meaning = meaning;
        }

        public String id() {
            return id;
        }

        public String meaning() {
            return meaning;
        }

        Workload apply(Workload workload, int value) {
            return this == BATCH ? workload.withBatch(value) : workload.withSeqLen(value);
        }
    }

    /**
     * TPOTs in µs at one value of the axis, and the fullest GPU's weights and KV cache of the baseline with experts
     * and of MA-separation ({@link PlanMemory}, modeled).
     */
    public record Point(int value, double denseUs, double expertsUs, double maUs, String labels,
                        double baselineBytes, double maBytes) {
        /** {@link Fits#of} at this point. */
        public Fits fits(double usableBytes) {
            return Fits.of(baselineBytes, maBytes, usableBytes);
        }

        /** 1 − MA / baseline with the model's experts: positive when MA-separation is faster. */
        public double reduction() {
            return SeedFormulas.reduction(expertsUs, maUs);
        }

        public double reductionAgainstDense() {
            return SeedFormulas.reduction(denseUs, maUs);
        }
    }

    /** Which plans' fullest GPU holds its weights and KV cache in a GPU's usable memory. */
    public enum Fits {
        BOTH("both"), BASELINE("baseline"), MA("MA"), NEITHER("neither");

        private final String id;

        Fits(String id) {
            this.id = id;
        }

        public static Fits of(double baselineBytes, double maBytes, double usableBytes) {
            boolean baseline = baselineBytes <= usableBytes;
            boolean split = maBytes <= usableBytes;
            return baseline && split ? BOTH : baseline ? BASELINE : split ? MA : NEITHER;
        }

        /** {@code both}, {@code baseline}, {@code MA} or {@code neither}, as the sweep's column prints it. */
        @Override
        public String toString() {
            return id;
        }
    }

    /**
     * Parses {@code batch=1,8,64} or {@code seq=512,2048}.
     *
     * @throws BadInputException naming the bad part
     */
    public static ClaimSweep.Spec parse(String text) {
        int eq = text.indexOf('=');
        String name = eq < 0 ? text : text.substring(0, eq);
        Axis axis = switch (name) {
            case "batch" -> Axis.BATCH;
            case "seq" -> Axis.SEQ;
            default -> throw new BadInputException("--sweep " + text + ": must be batch=N,N,… or seq=N,N,…");
        };
        if (eq < 0 || eq == text.length() - 1)
            throw new BadInputException("--sweep " + text + ": no values after " + name + "=");
        List<Integer> values = new ArrayList<>();
        for (String part : text.substring(eq + 1).split(",", -1)) {
            try {
                int value = Integer.parseInt(part.strip());
                if (value < 1)
                    throw new NumberFormatException();
                values.add(value);
            } catch (NumberFormatException e) {
                throw new BadInputException("--sweep " + text + ": '" + part + "' is not an integer from 1 to "
                        + Integer.MAX_VALUE);
            }
            if (values.size() > 1 && values.getLast() <= values.get(values.size() - 2))
                throw new BadInputException("--sweep " + text + ": the values must increase (the chart's axis runs"
                        + " from the first to the last)");
        }
        return new Spec(axis, values);
    }

    /** Every {@code --sweep}, each axis at most once (a second table of the same axis would split one sweep in two). */
    public static List<Spec> parseAll(List<String> texts) {
        List<Spec> specs = texts.stream().map(ClaimSweep::parse).toList();
        for (int i = 1; i < specs.size(); i++)
            for (int j = 0; j < i; j++)
                if (specs.get(i).axis() == specs.get(j).axis())
                    throw new BadInputException("--sweep " + texts.get(i) + ": the " + texts.get(i).split("=")[0]
                            + " axis is swept by --sweep " + texts.get(j) + " too; give all its values in one");
        return specs;
    }

    /** An axis and its values, as given on the command line. */
    public record Spec(Axis axis, List<Integer> values) {
        public Spec {
            values = List.copyOf(values);
        }
    }

    public static ClaimSweep run(Spec spec, CostModel model, Deployment dense, Deployment experts, Deployment ma) {
        List<Point> points = new ArrayList<>();
        for (int value : spec.values()) {
            Set<Label> labels = EnumSet.noneOf(Label.class);
            double denseUs = tpot(dense, spec, value, model, labels);
            double expertsUs = tpot(experts, spec, value, model, labels);
            double maUs = tpot(ma, spec, value, model, labels);
            points.add(new Point(value, denseUs, expertsUs, maUs, Label.join(labels), memory(experts, spec, value),
                    memory(ma, spec, value)));
        }
        return new ClaimSweep(spec.axis(), points);
    }

    private static double memory(Deployment d, Spec spec, int value) {
        return PlanMemory.of(d.withWorkload(spec.axis().apply(d.workload(), value))).totalBytes();
    }

    private static double tpot(Deployment d, Spec spec, int value, CostModel model, Set<Label> labels) {
        Deployment at = d.withWorkload(spec.axis().apply(d.workload(), value)).withPhase(Phase.DECODE);
        if (at.workload().batch() % at.plan().microBatches() != 0)
            throw new BadInputException(String.format(Locale.ROOT, "--sweep %s=%d: %s has %d micro-batches, which do"
                    + " not divide a batch of %d", spec.axis().id(), value, d.name(), at.plan().microBatches(),
                    at.workload().batch()));
        DagAnalysis analysis = DagAnalysis.of(at, model);
        labels.addAll(analysis.labels());
        return analysis.schedule().makespanUs();
    }
}
