package gemmcost.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gemmcost.Numbers;
import gemmcost.cost.CostModel;
import gemmcost.dag.Dag;
import gemmcost.gettime.Label;
import gemmcost.schedule.DagAnalysis;
import gemmcost.schedule.Schedule;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Renders a {@link DagAnalysis}: critical path, makespan, the ops on the path and per-GPU busy time. */
public final class DagReport {
    /** Paths longer than this are abbreviated in text output (JSON always has the whole path). */
    private static final int TEXT_PATH_OPS = 60;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DagReport() {
    }

    public static ObjectNode json(DagAnalysis a) {
        Dag dag = a.dag();
        CostModel model = a.costing().model();
        ObjectNode root = MAPPER.createObjectNode()
                .put("source", model.getTime().source())
                .put("nodes", dag.size()).put("edges", dag.edgeCount()).put("gpus", dag.gpuCount())
                .put("critical_path_us", a.criticalPath().lengthUs())
                .put("makespan_us", a.schedule().makespanUs());
        Label.ids(a.labels()).forEach(root.putArray("makespan_labels")::add);
        root.put("contention_us", a.contentionUs());
        ArrayNode path = root.putArray("path");
        a.criticalPath().path().forEach(v -> path.add(dag.id(v)));
        ObjectNode byLabel = root.putObject("critical_path_us_by_label");
        a.criticalPathByLabel().forEach((label, us) -> byLabel.put(label.id(), us));
        ArrayNode ops = root.putArray("path_ops");
        for (int v : a.criticalPath().path())
            ops.add(op(a, v));
        ArrayNode gpus = root.putArray("per_gpu");
        Schedule s = a.schedule();
        for (int g = 0; g < s.gpuCount(); g++)
            gpus.addObject().put("gpu", g).put("compute_busy_us", s.computeBusyUs(g))
                    .put("comm_busy_us", s.commBusyUs(g))
                    .put("compute_utilisation", s.makespanUs() > 0 ? s.computeBusyUs(g) / s.makespanUs() : 0);
        return root;
    }

    private static ObjectNode op(DagAnalysis a, int v) {
        Dag dag = a.dag();
        ObjectNode op = MAPPER.createObjectNode().put("id", dag.id(v)).put("name", dag.name(v));
        ArrayNode gpus = op.putArray("gpus");
        for (int g : dag.gpus(v))
            gpus.add(g);
        return op.put("time_us", a.costing().timeUs(v)).put("label", a.costing().label(v).id())
                .put("start_us", a.schedule().startUs(v)).put("how", a.costing().model().explain(dag, v));
    }

    public static void text(DagAnalysis a, PrintWriter out) {
        Dag dag = a.dag();
        out.printf(Locale.ROOT, "costs: %s%n", a.costing().model().getTime().source());
        out.printf(Locale.ROOT, "critical path (unlimited resources):   %s us  [%s]%n",
                Numbers.micros(a.criticalPath().lengthUs()), labelShares(a.criticalPathByLabel()));
        double cp = a.criticalPath().lengthUs();
        out.printf(Locale.ROOT, "schedule makespan (GPUs shared):       %s us  [%s]  (%s us = %s more: ops that share"
                        + " a GPU run one after another)%n", Numbers.micros(a.schedule().makespanUs()),
                Label.join(a.labels()), Numbers.micros(a.contentionUs()),
                cp > 0 ? Numbers.percent(a.contentionUs() / cp) : "n/a");
        var path = a.criticalPath().path();
        out.printf(Locale.ROOT, "%nops on the critical path (%d):%n", path.size());
        out.printf(Locale.ROOT, "  %12s  %-12s  %-9s  %-28s  %s%n", "time_us", "label", "gpus", "id", "how");
        for (int i = 0; i < path.size(); i++) {
            if (path.size() > TEXT_PATH_OPS && i == TEXT_PATH_OPS / 2) {
                out.printf(Locale.ROOT, "  … %d more (--json lists them all)%n", path.size() - TEXT_PATH_OPS);
                i = path.size() - TEXT_PATH_OPS / 2;
            }
            int v = path.get(i);
            out.printf(Locale.ROOT, "  %12s  %-12s  %-9s  %-28s  %s%n", Numbers.micros(a.costing().timeUs(v)),
                    a.costing().label(v).id(), Dag.describeGpus(dag.gpus(v)), dag.id(v), a.costing().model().explain(dag, v));
        }
        Schedule s = a.schedule();
        out.printf(Locale.ROOT, "%nper-GPU busy time (makespan %s us) [%s]:%n", Numbers.micros(s.makespanUs()),
                Label.join(a.labels()));
        out.printf(Locale.ROOT, "  %4s  %14s  %14s  %11s%n", "gpu", "compute_us", "comm_us", "compute_util");
        for (int g = 0; g < s.gpuCount(); g++)
            out.printf(Locale.ROOT, "  %4d  %14s  %14s  %11s%n", g, Numbers.micros(s.computeBusyUs(g)),
                    Numbers.micros(s.commBusyUs(g)),
                    s.makespanUs() > 0 ? Numbers.percent(s.computeBusyUs(g) / s.makespanUs()) : "n/a");
    }

    /**
     * {@code interpolated 80.0%, modeled 20.0%}, without labels of no time but {@code uncosted} (ops not understood);
     * a path that takes no time: its labels, {@code modeled}.
     */
    static String labelShares(Map<Label, Double> byLabel) {
        double total = byLabel.values().stream().mapToDouble(Double::doubleValue).sum();
        if (total <= 0)
            return Label.join(byLabel.keySet());
        return byLabel.entrySet().stream().filter(e -> e.getValue() > 0 || e.getKey() == Label.UNCOSTED)
                .map(e -> e.getKey().id() + " " + Numbers.percent(e.getValue() / total))
                .collect(Collectors.joining(", "));
    }
}
