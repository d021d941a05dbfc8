package gemmcost.report;

import gemmcost.Numbers;
import gemmcost.dag.Dag;
import gemmcost.dag.Work;
import gemmcost.dag.WorkKind;
import gemmcost.gettime.Label;
import gemmcost.schedule.DagAnalysis;
import gemmcost.schedule.Schedule;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A plan's schedule as SVG: a Gantt chart with one row per GPU (compute lane above, communication lane below,
 * the schedule's critical chain in red, a hover title per op), and per-GPU busy time by op kind with utilisation.
 */
final class PlanCharts {
    private static final double LEFT_PX = 64;
    private static final double WIDTH_PX = 1000;
    private static final double ROW_PX = 26;
    private static final double COMPUTE_PX = 15;
    private static final double COMM_PX = 7;

    /** What the breakdown calls each kind of work; it stacks them in {@link WorkKind}'s order. */
    static String title(WorkKind kind) {
        return switch (kind) {
            case GEMM -> "GEMM";
            case ATTENTION -> "attention";
            case MEMORY -> "memory-bound";
            case COMMUNICATION -> "communication";
            case GIVEN -> "given";
            case NONE -> "no work";
            case UNKNOWN -> "not understood";
        };
    }

    private PlanCharts() {
    }

    /** The per-GPU timeline, the ops of the schedule's critical {@code chain} in red. */
    static void gantt(Html html, DagAnalysis a, List<Integer> chain) {
        Dag dag = a.dag();
        Schedule s = a.schedule();
        Axis axis = Axis.upTo(s.makespanUs(), 10);
        Set<Integer> critical = new HashSet<>(chain);
        double height = dag.gpuCount() * ROW_PX + 30;
        html.open("svg", "class", "gantt", "width", LEFT_PX + WIDTH_PX + 20, "height", height, "role", "img",
                "aria-label", "per-GPU timeline");
        timeAxis(html, axis, WIDTH_PX, dag.gpuCount() * ROW_PX);
        for (int g = 0; g < dag.gpuCount(); g++) {
            double y = g * ROW_PX;
            html.open("g", "class", "gpu-row", "data-gpu", g);
            html.element("text", "GPU " + g, "x", 4.0, "y", y + 13, "class", "row-label");
            html.empty("rect", "class", "lane", "x", LEFT_PX, "y", y, "width", WIDTH_PX, "height", COMPUTE_PX + COMM_PX + 1);
            html.close("g");
        }
        for (int v = 0; v < dag.size(); v++) {
            if (a.costing().timeUs(v) <= 0)
                continue;
            for (int i = 0; i < dag.gpuCountOf(v); i++)
                op(html, a, v, dag.gpu(v, i), axis, critical.contains(v));
        }
        html.close("svg");
    }

    private static void op(Html html, DagAnalysis a, int v, int gpu, Axis axis, boolean critical) {
        Dag dag = a.dag();
        boolean comm = dag.communication(v);
        double x = LEFT_PX + axis.px(a.schedule().startUs(v), WIDTH_PX);
        double w = Math.max(0.6, axis.px(a.costing().timeUs(v), WIDTH_PX));
        double y = gpu * ROW_PX + (comm ? COMPUTE_PX + 1 : 0);
        String css = "op " + WorkKind.of(dag.work(v)).id() + (critical ? " critical" : "");
        html.open("rect", "class", css, "data-op-id", dag.id(v), "data-gpu", gpu, "x", x, "y", y, "width", w,
                "height", comm ? COMM_PX : COMPUTE_PX);
        html.element("title", String.format(Locale.ROOT, "%s (%s)%n%s%n%s µs from %s µs [%s]%s", dag.name(v), dag.id(v),
                a.costing().model().explain(dag, v), Numbers.micros(a.costing().timeUs(v)),
                Numbers.micros(a.schedule().startUs(v)), a.costing().label(v).id(),
                critical ? "\non the schedule's critical chain" : ""));
        html.close("rect");
    }

    /** Per GPU: busy time by kind as a stacked bar against the makespan, and the compute utilisation. */
    static void breakdown(Html html, DagAnalysis a, KindTimes times) {
        int gpus = a.dag().gpuCount();
        Schedule s = a.schedule();
        double most = 0;
        for (double[] row : times.gpuUs()) {
            double sum = 0;
            for (double us : row)
                sum += us;
            most = Math.max(most, sum);
        }
        Axis axis = Axis.upTo(Math.max(most, s.makespanUs()), 8);
        double width = 640;
        double row = 18;
        html.open("svg", "class", "breakdown", "width", LEFT_PX + width + 220, "height", gpus * row + 30, "role", "img",
                "aria-label", "busy time per GPU by op kind");
        timeAxis(html, axis, width, gpus * row);
        for (int g = 0; g < gpus; g++) {
            double y = g * row;
            html.open("g", "class", "bar", "data-gpu", g);
            html.element("text", "GPU " + g, "x", 4.0, "y", y + 12, "class", "row-label");
            double x = LEFT_PX;
            Set<Label> compute = EnumSet.noneOf(Label.class);
            for (WorkKind k : WorkKind.values()) {
                double us = times.gpuUs()[g][k.ordinal()];
                if (us <= 0)
                    continue;
                if (k != WorkKind.COMMUNICATION)
                    compute.addAll(times.gpuLabels().get(g).get(k.ordinal()));
                double w = axis.px(us, width);
                html.open("rect", "class", "op " + k.id(), "x", x, "y", y + 2, "width", w, "height", row - 5);
                html.element("title", String.format(Locale.ROOT, "GPU %d: %s %s µs [%s]", g, title(k),
                        Numbers.micros(us), Label.join(times.gpuLabels().get(g).get(k.ordinal()))));
                html.close("rect");
                x += w;
            }
            double utilisation = s.makespanUs() > 0 ? s.computeBusyUs(g) / s.makespanUs() : 0;
            html.element("text", "compute " + Numbers.percent(utilisation) + " [" + Label.join(compute) + "]",
                    "x", LEFT_PX + width + 8, "y", y + 12, "class", "row-label");
            html.close("g");
        }
        double makespanX = LEFT_PX + axis.px(s.makespanUs(), width);
        html.empty("line", "class", "makespan", "x1", makespanX, "x2", makespanX, "y1", 0.0, "y2", gpus * row);
        html.close("svg");
    }

    private static void timeAxis(Html html, Axis axis, double widthPx, double bottomPx) {
        html.open("g", "class", "axis");
        for (double t : axis.ticks()) {
            double x = LEFT_PX + axis.px(t, widthPx);
            html.empty("line", "x1", x, "x2", x, "y1", 0.0, "y2", bottomPx + 4);
            html.element("text", axis.label(t), "x", x, "y", bottomPx + 18, "text-anchor", "middle");
        }
        html.close("g");
    }

    /**
     * Time by op kind with the labels of the ops summed: per GPU (an op spanning several GPUs counts on each) and
     * over the plan (each op once).
     */
    record KindTimes(double[][] gpuUs, List<List<Set<Label>>> gpuLabels, double[] totalUs, List<Set<Label>> labels) {
        static KindTimes of(DagAnalysis a) {
            Dag dag = a.dag();
            int kinds = WorkKind.values().length;
            double[][] gpuUs = new double[dag.gpuCount()][kinds];
            double[] totalUs = new double[kinds];
            List<Set<Label>> labels = emptySets(kinds);
            List<List<Set<Label>>> gpuLabels = new ArrayList<>();
            for (int g = 0; g < dag.gpuCount(); g++)
                gpuLabels.add(emptySets(kinds));
            for (int v = 0; v < dag.size(); v++) {
                double us = a.costing().timeUs(v);
                if (us <= 0)
                    continue;
                int k = WorkKind.of(dag.work(v)).ordinal();
                totalUs[k] += us;
                labels.get(k).add(a.costing().label(v));
                for (int i = 0; i < dag.gpuCountOf(v); i++) {
                    gpuUs[dag.gpu(v, i)][k] += us;
                    gpuLabels.get(dag.gpu(v, i)).get(k).add(a.costing().label(v));
                }
            }
            return new KindTimes(gpuUs, gpuLabels, totalUs, labels);
        }

        private static List<Set<Label>> emptySets(int count) {
            List<Set<Label>> sets = new ArrayList<>();
            for (int i = 0; i < count; i++)
                sets.add(EnumSet.noneOf(Label.class));
            return sets;
        }
    }
}
