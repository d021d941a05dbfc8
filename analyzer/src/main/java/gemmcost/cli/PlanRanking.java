package gemmcost.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gemmcost.BadInputException;
import gemmcost.deploy.Parallelism;
import gemmcost.gettime.Label;
import gemmcost.search.ServingPlans;
import gemmcost.serving.Mode;
import gemmcost.serving.ServingModel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The plans {@code predict --gpus} predicted (agg or disaggregated), those within the TTFT and TPOT limits ranked by
 * output tokens/s/GPU (every plan uses all the GPUs, so it is also the rank by throughput), and the plans that cannot
 * run counted by why.
 */
final class PlanRanking {
    /** Why a plan is counted, not predicted (the first reason that holds): its key in JSON and its words in text. */
    enum Refusal {
        CANNOT_SPLIT("cannot_split", "not splitting the model (its heads, widths, experts or layers)"),
        PREFILL_BATCH("prefill_batch_over_engine_limit",
                "with --prefill-batch over what an attention replica of the prefill workers runs at once"),
        DOES_NOT_FIT("does_not_fit", "too small to hold the weights and the sequences the engine runs at once"),
        NO_LINKS("links_not_modeled", "communicating over links the model lacks"),
        STRADDLES("workers_span_nodes_unlike_the_first",
                "with workers spanning nodes unlike the first (which each is costed as)");

        private final String key;
        private final String words;

        Refusal(String key, String words) {
            this.key = key;
            this.words = words;
        }
    }

    /** The plan column's width at least: an agg plan of several workers fits, a disaggregated one widens it. */
    private static final int PLAN_WIDTH = 36;

    private final Double maxTtftMs;
    private final Double maxTpotMs;
    /** Which plans the ranking holds: agg, disagg or both. */
    private final PredictCommand.Modes modes;
    private final String weights;
    private final String overBudget;
    private final List<Ranked> predicted = new ArrayList<>();
    private final Map<Refusal, Integer> refused = new EnumMap<>(Refusal.class);

    /**
     * What a ranked plan shows: a few numbers, not the estimate's costed DAGs (thousands of plans may be ranked);
     * {@code overBudget}: whether a prompt does not fit whole in a step (in disagg a prefill worker's); of a
     * disaggregated plan, {@code prefillFirst}: whether its prefill workers sit on the first GPUs.
     */
    private record Ranked(ServingPlans.Choice plan, double ttftMs, double tpotMs, double tokensPerSecPerGpu,
                          Set<Label> labels, Set<Label> tpotLabels, int promptChunks, int running, boolean waits,
                          int prefillBatch, int promptsPerStep, double prefillUtilisation, boolean prefillFirst,
                          boolean overBudget) {
        Ranked(ServingPlans.Choice plan, ServingModel.Estimate e, int perWorker, boolean prefillFirst,
               boolean overBudget) {
            this(plan, e.ttftMs(), e.tpotMs(), e.tokensPerSecPerGpu(), e.labels(), e.tpotLabels(), e.promptChunks(),
                    e.running(), e.running() < perWorker, e.prefillBatch(), e.promptsPerStep(),
                    e.prefillUtilisation(), prefillFirst, overBudget);
        }
    }

    /**
     * {@code null}: no limit; {@code modes}: the plans' ({@code agg}, {@code disagg} or {@code both}); {@code weights}:
     * what the model's weights alone need, said where no plan holds them and the sequences; {@code overBudget}: what
     * the engine does with a prompt that does not fit whole in a step, said where a listed plan has one.
     */
    PlanRanking(Double maxTtftMs, Double maxTpotMs, PredictCommand.Modes modes, String weights, String overBudget) {
        this.maxTtftMs = maxTtftMs;
        this.maxTpotMs = maxTpotMs;
        this.modes = modes;
        this.weights = weights;
        this.overBudget = overBudget;
    }

    void refuse(Refusal reason) {
        refused.merge(reason, 1, Integer::sum);
    }

    /**
     * {@code perWorker}: the requests each of the plan's workers has, of which the estimate's run at once;
     * {@code overBudget}: whether a prompt does not fit whole in a step.
     */
    void add(ServingPlans.Plan plan, ServingModel.Estimate estimate, int perWorker, boolean overBudget) {
        predicted.add(new Ranked(plan, estimate, perWorker, false, overBudget));
    }

    /**
     * {@code perWorker}: a decode worker's requests; {@code prefillFirst}: whether the prefill workers go first;
     * {@code overBudget}: whether a prompt does not fit whole in a prefill worker's step.
     */
    void add(ServingPlans.Split plan, ServingModel.Estimate estimate, int perWorker, boolean prefillFirst,
             boolean overBudget) {
        predicted.add(new Ranked(plan, estimate, perWorker, prefillFirst, overBudget));
    }

    private boolean within(Ranked r) {
        return (maxTtftMs == null || r.ttftMs() <= maxTtftMs) && (maxTpotMs == null || r.tpotMs() <= maxTpotMs);
    }

    /** Within the limits, the most output tokens/s/GPU first; ties keep the enumeration's order. */
    private List<Ranked> ranked() {
        return predicted.stream().filter(this::within)
                .sorted(Comparator.comparingDouble(Ranked::tokensPerSecPerGpu).reversed()).toList();
    }

    /** {@code 31 predicted, 7 too small to hold the weights and the sequences the engine runs at once}. */
    private String counts() {
        return predicted.size() + " predicted" + (refused.isEmpty() ? "" : ", " + refusals());
    }

    private String refusals() {
        List<String> parts = new ArrayList<>();
        refused.forEach((reason, n) -> parts.add(n + " " + reason.words));
        return String.join(", ", parts);
    }

    private String limits() {
        List<String> limits = new ArrayList<>();
        if (maxTtftMs != null)
            limits.add(String.format(Locale.ROOT, "TTFT <= %s ms", number(maxTtftMs)));
        if (maxTpotMs != null)
            limits.add(String.format(Locale.ROOT, "TPOT <= %s ms", number(maxTpotMs)));
        return String.join(", ", limits);
    }

    private static String number(double value) {
        return value == Math.rint(value) ? String.format(Locale.ROOT, "%.0f", value) : Double.toString(value);
    }

    /**
     * Refused (exit 2) where no plan could be predicted: the question has no answer on these GPUs; where plans were too
     * small, {@code weights} says what the weights alone need.
     */
    private void requireSome(int gpus) {
        if (predicted.isEmpty())
            throw new BadInputException("--gpus " + gpus + ": no plan to predict: " + refusals()
                    + (refused.containsKey(Refusal.DOES_NOT_FIT) ? "; " + weights : "") + " [modeled]");
    }

    void text(PrintWriter out, String header, int gpus, int top) {
        requireSome(gpus);
        List<Ranked> ranked = ranked();
        out.println(header);
        out.printf(Locale.ROOT, "plans:     %d %s plans on %d GPUs: %s%n", predicted.size() + refusedCount(),
                modes.words(), gpus, counts());
        if (!limits().isEmpty())
            out.printf(Locale.ROOT, "limits:    %s: %d of the %d predicted within them%n", limits(), ranked.size(),
                    predicted.size());
        out.println();
        if (ranked.isEmpty()) {
            out.printf(Locale.ROOT, "none within the limits: the shortest TTFT is %s, the shortest TPOT %s%n",
                    shortest(Ranked::ttftMs, "%.2f ms", Ranked::labels), shortest(Ranked::tpotMs, "%.3f ms",
                            Ranked::tpotLabels));
            return;
        }
        List<Ranked> listed = ranked.subList(0, Math.min(top, ranked.size()));
        String plan = "%-" + listed.stream().mapToInt(r -> planText(r).length()).reduce(PLAN_WIDTH, Math::max) + "s";
        out.printf(Locale.ROOT, "%4s  %12s  %10s  %9s  " + plan + "  %s%n", "rank", "tokens/s/GPU", "TTFT ms",
                "TPOT ms", "plan", "labels");
        boolean anyWaits = false;
        boolean anyOverBudget = false;
        for (int i = 0; i < listed.size(); i++) {
            Ranked r = listed.get(i);
            out.printf(Locale.ROOT, "%4d  %12.1f  %10.2f  %9.3f  " + plan + "  [%s]%n", i + 1,
                    r.tokensPerSecPerGpu(), r.ttftMs(), r.tpotMs(), planText(r), Label.join(r.labels()));
            anyWaits |= r.waits();
            anyOverBudget |= r.overBudget();
        }
        if (anyOverBudget)
            out.println("^: a prompt does not fit whole in a " + disaggSide("prefill worker's") + "step (predict's"
                    + " chunked: line): " + overBudget);
        if (anyWaits)
            out.println("*: the engine runs fewer requests a " + disaggSide("decode") + "worker at once"
                    + " than it has (its batch limit, or the step budget that holds each one's decode token); the"
                    + " others wait for a place, which TTFT holds");
    }

    /** {@code side + " "} of a disaggregated ranking, said as disagg's in one of both modes; nothing in agg. */
    private String disaggSide(String side) {
        return switch (modes) {
            case AGG -> "";
            case DISAGG -> side + " ";
            case BOTH -> "(disagg: " + side + ") ";
        };
    }

    private static String planText(Ranked r) {
        return r.plan() + (r.overBudget() ? " ^" : "") + (r.waits() ? " *" : "");
    }

    /**
     * The plan with the least of {@code metric} (of several, the most tokens/s/GPU), e.g. {@code 123.45 ms (tp=8,
     * pp=1, ep=8, dp=8) [modeled]}.
     */
    private String shortest(ToDoubleFunction<Ranked> metric, String format, Function<Ranked, Set<Label>> labels) {
        Ranked best = shortest(metric);
        return String.format(Locale.ROOT, format, metric.applyAsDouble(best)) + " (" + best.plan() + ") ["
                + Label.join(labels.apply(best)) + "]";
    }

    /** {@link #shortest(ToDoubleFunction)} into {@code node}: its time, mode, plan and labels. */
    private void shortest(ObjectNode node, ToDoubleFunction<Ranked> metric, Function<Ranked, Set<Label>> labels) {
        Ranked best = shortest(metric);
        node.put("ms", metric.applyAsDouble(best)).put("mode", mode(best.plan())).put("plan", best.plan().toString());
        Label.ids(labels.apply(best)).forEach(node.putArray("labels")::add);
    }

    /** The plan with the least of {@code metric}; of several, the most tokens/s/GPU. */
    private Ranked shortest(ToDoubleFunction<Ranked> metric) {
        return predicted.stream().min(Comparator.comparingDouble(metric)
                .thenComparing(Comparator.comparingDouble(Ranked::tokensPerSecPerGpu).reversed())).orElseThrow();
    }

    private int refusedCount() {
        return refused.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** One object: the inputs ({@code header}), the counts and the top plans within the limits. */
    String json(ObjectNode header, int gpus, int top) {
        requireSome(gpus);
        List<Ranked> ranked = ranked();
        header.put("plans", predicted.size() + refusedCount()).put("predicted", predicted.size())
                .put("within_limits", ranked.size());
        ObjectNode reasons = header.putObject("refused");
        for (Refusal reason : Refusal.values()) // every reason, 0 where none: a reader need not know which may be
            reasons.put(reason.key, refused.getOrDefault(reason, 0));
        if (ranked.isEmpty()) { // what the text says then: the shortest of each, and its plan
            shortest(header.putObject("shortest_ttft"), Ranked::ttftMs, Ranked::labels);
            shortest(header.putObject("shortest_tpot"), Ranked::tpotMs, Ranked::tpotLabels);
        }
        ArrayNode list = header.putArray("ranked");
        for (int i = 0; i < Math.min(top, ranked.size()); i++) {
            Ranked r = ranked.get(i);
            ObjectNode node = list.addObject().put("rank", i + 1).put("mode", mode(r.plan()))
                    .put("plan", r.plan().toString())
                    .put("options", (modes == PredictCommand.Modes.BOTH ? "--mode " + mode(r.plan()) + " " : "")
                            + options(r.plan()));
            switch (r.plan()) {
                case ServingPlans.Plan agg -> layout(node, agg);
                case ServingPlans.Split split -> {
                    layout(node.putObject("prefill"), split.prefill());
                    layout(node.putObject("decode"), split.decode());
                    node.put("first_gpus", r.prefillFirst() ? "prefill" : "decode")
                            .put("prefill_batch", r.prefillBatch()).put("prompts_per_step", r.promptsPerStep())
                            .put("prefill_utilisation", r.prefillUtilisation());
                }
            }
            node.put("prompt_over_step_budget", r.overBudget())
                    .put("tokens_per_s_per_gpu", r.tokensPerSecPerGpu()).put("ttft_ms", r.ttftMs())
                    .put("tpot_ms", r.tpotMs()).put("prompt_chunks", r.promptChunks())
                    .put("running_per_worker", r.running());
            Label.ids(r.labels()).forEach(node.putArray("labels")::add);
            Label.ids(r.tpotLabels()).forEach(node.putArray("tpot_labels")::add);
        }
        return header.toString();
    }

    private static String mode(ServingPlans.Choice plan) {
        return switch (plan) {
            case ServingPlans.Plan agg -> Mode.AGG.id();
            case ServingPlans.Split split -> Mode.DISAGG.id();
        };
    }

    /**
     * The options that make {@code predict} predict {@code plan} alone, e.g. {@code --tp 8 --pp 1 --ep 8 --dp 4
     * --decode-workers 2}, after {@code --prefill-tp …} for a disaggregated one (in a ranking of both modes after
     * {@code --mode agg} or {@code --mode disagg}, which replaces {@code --mode both}).
     */
    static String options(ServingPlans.Choice plan) {
        return switch (plan) {
            case ServingPlans.Plan agg -> options("--", agg, "--decode-workers");
            case ServingPlans.Split split -> options("--prefill-", split.prefill(), "--prefill-workers") + " "
                    + options("--", split.decode(), "--decode-workers");
        };
    }

    private static String options(String prefix, ServingPlans.Plan plan, String workers) {
        Parallelism layout = plan.layout();
        return String.format(Locale.ROOT, "%1$stp %2$d %1$spp %3$d %1$sep %4$d %1$sdp %5$d %6$s %7$d", prefix,
                layout.tp(), layout.pp(), layout.ep(), layout.dp(), workers, plan.workers());
    }

    private static void layout(ObjectNode node, ServingPlans.Plan plan) {
        node.put("workers", plan.workers()).put("tp", plan.layout().tp()).put("pp", plan.layout().pp())
                .put("ep", plan.layout().ep()).put("dp", plan.layout().dp());
    }
}
