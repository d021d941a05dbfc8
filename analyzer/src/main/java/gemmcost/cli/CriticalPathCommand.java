package gemmcost.cli;

import gemmcost.BadInputException;
import gemmcost.comm.Network;
import gemmcost.cost.CostModel;
import gemmcost.dag.Dag;
import gemmcost.dag.DagFiles;
import gemmcost.dag.ImportedDag;
import gemmcost.report.DagReport;
import gemmcost.schedule.DagAnalysis;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gemmcost critical-path}: critical path and per-GPU schedule of a JSON or DOT DAG. */
@Command(name = "critical-path",
        header = "Cost a DAG file: its critical path and per-GPU schedule.",
        description = {
                "Cost every node of a DAG (GEMMs by Get_Time, memory-bound ops by bandwidth, communication by an",
                "alpha-beta model), then print the critical path with unlimited resources and the makespan of a",
                "schedule in which ops on one GPU share it. FILE is the JSON DAG format or Graphviz DOT."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  scripts/gemmcost critical-path --dag examples/diamond.json",
                "  scripts/gemmcost critical-path --dag ../shared/data/agent-dags/2025-10-16-20-29-23/baseline_dag.dot --json"})
final class CriticalPathCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dag", required = true, paramLabel = "FILE", description = "A JSON DAG or a Graphviz DOT file.")
    Path dag;

    @Mixin
    Options.Profile profile;

    @Mixin
    Options.CatalogDtype dtype;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--allow-dangling", description = "DOT: cost nodes that only an edge names as 0 instead of refusing.")
    boolean allowDangling;

    @Option(names = "--import-notes", description = "DOT: print what was inferred for every node.")
    boolean importNotes;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        ImportedDag imported = DagFiles.read(dag, allowDangling);
        if (importNotes && imported.notes().isEmpty())
            throw new BadInputException("--import-notes: applies to a DOT file, whose nodes' costs are inferred from"
                    + " their labels; " + dag + " is a JSON DAG, its costs given");
        Dag graph = imported.dag();
        long t1 = System.nanoTime();
        boolean communicates = IntStream.range(0, graph.size()).anyMatch(graph::communication);
        CostModel model = dtype.costModel(profile.fileOrDevice, Network.h100Default(),
                communicates ? graph.gpuCount() : 1);
        long analysing = System.nanoTime();
        DagAnalysis analysis;
        try {
            analysis = DagAnalysis.of(graph, model);
        } catch (BadInputException e) {
            throw new BadInputException(dag + ": " + e.getMessage(), e);
        }
        long t2 = System.nanoTime();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            var root = DagReport.json(analysis);
            root.putObject("timings_ms").put("read", (t1 - t0) / 1e6).put("analyse", (t2 - analysing) / 1e6);
            if (!imported.notes().isEmpty()) {
                var notes = root.putObject("import").put("not_understood", imported.notUnderstood()).putArray("nodes");
                for (int v = 0; v < graph.size(); v++)
                    notes.addObject().put("id", graph.id(v)).put("note", imported.notes().get(v));
            }
            out.println(root);
        } else {
            out.printf(Locale.ROOT, "DAG %s: %d nodes, %d edges, %d GPUs%n", dag, graph.size(), graph.edgeCount(),
                    graph.gpuCount());
            if (!imported.notes().isEmpty())
                out.printf(Locale.ROOT, "imported from DOT: %d of %d nodes not understood (costed 0); shapes are as the"
                        + " labels write them (per GPU or global is not marked)%s%n", imported.notUnderstood(),
                        graph.size(), importNotes ? "" : "; --import-notes lists every node");
            if (importNotes)
                for (int v = 0; v < graph.size(); v++)
                    out.printf(Locale.ROOT, "  %-32s %s%n", graph.id(v), imported.notes().get(v));
            DagReport.text(analysis, out);
        }
        return Gemmcost.OK;
    }
}
