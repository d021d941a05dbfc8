package gemmcost.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import gemmcost.BadInputException;
import gemmcost.InputFiles;
import gemmcost.Numbers;
import gemmcost.comm.CommCheck;
import gemmcost.gettime.Label;
import gemmcost.serving.ServingModel;
import gemmcost.silicon.Accuracy;
import gemmcost.silicon.Repeats;
import gemmcost.silicon.RowFilter;
import gemmcost.silicon.ServingCheck;
import gemmcost.silicon.SiliconCsv;
import gemmcost.silicon.SiliconRow;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gemmcost validate-serving}: predict's TTFT and TPOT against measured serving runs. */
@Command(name = "validate-serving",
        header = "Check predict's TTFT and TPOT against measured serving runs.",
        description = {
                "Read measured serving runs (AIConfigurator's silicon_sample.csv columns), model each one as predict",
                "does (its model from --model-dir, its plan from the plan columns, its GEMMs from the --gemm-csv table",
                "of its GPU, dtype and, where there is one, engine) or refuse it with a reason, and print per model,",
                "system and mode and overall: rows, predicted, median and p90 absolute %% error of TPOT and TTFT and",
                "their signed median (bias: positive = predicted too slow). Refusals are counted by reason."},
        footerHeading = "%nExamples:%n",
        footer = {"  scripts/gemmcost validate-serving --against ../shared/data/serving/silicon.csv"
                + " --model-dir ../shared/data/model-configs --gemm-csv ../shared/data/gemm-public/aiconfigurator-trtllm.csv"
                + " --gemm-csv ../shared/data/gemm-public/aiconfigurator-vllm.csv"})
final class ValidateServingCommand implements Callable<Integer> {
    /** Bad rows named on stderr; the rest are counted. */
    private static final int SHOWN_BAD_ROWS = 5;

    @Spec
    CommandSpec spec;

    @Option(names = "--against", required = true, paramLabel = "ROWS.csv", description = "Measured serving runs,"
            + " columns by name in any order (others ignored; id, silicon_data_source, backend_version and precision"
            + " may be left out), fields with commas quoted.")
    Path against;

    @Option(names = "--model-dir", required = true, paramLabel = "DIR",
            description = "HuggingFace configs, DIR/<org>--<name>.config.json for model_path <org>/<name>.")
    Path modelDir;

    @Option(names = "--gemm-csv", required = true, paramLabel = "FILE",
            description = "GEMM measurements in the neutral CSV; repeatable.")
    List<Path> gemmCsvs;

    @Option(names = "--comm-csv", paramLabel = "FILE",
            description = "nccl-tests rows (check-comm's CSV): also print how far the NVLink tier is from the H100 rows.")
    Path commCsv;

    @Option(names = "--report", paramLabel = "FILE", description = "Also write every row: prediction, error,"
            + " labels, the two step times, the prompts prefilled together and the TTFT's parts (steady, burst, which"
            + " rounds the burst weighs).")
    Path report;

    @Option(names = "--json", description = "End with one JSON object (the last line).")
    boolean json;

    @Option(names = "--where", paramLabel = "COLUMN=VALUE[,VALUE...]", description = "Only the rows whose COLUMN is"
            + " one of the values as written (backend=vllm, system=h100_sxm,h200_sxm, mode=disagg); repeatable: rows"
            + " that match every one.")
    List<String> where = List.of();

    /** RFC 4180: a field holding a comma, a quote or a line break is quoted. */
    private static final ObjectWriter REPORT_CSV =
            CsvMapper.builder().enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING).build().writer();

    private static final String[] REPORT_HEADER = ("id,group,backend,status,reason,imported_ttft_ms,predicted_ttft_ms,"
            + "ttft_error_pct,imported_tpot_ms,predicted_tpot_ms,tpot_error_pct,decode_step_ms,prefill_step_ms,"
            + "prefill_batch,steady_ttft_ms,burst_ttft_ms,ttft_weighs,labels,tpot_labels,gemm_source,detail")
            .split(",");

    @Override
    public Integer call() {
        List<Path> inputs = new ArrayList<>(gemmCsvs);
        inputs.add(against);
        if (commCsv != null)
            inputs.add(commCsv);
        Options.requireOutput("--report", report, "--against, --gemm-csv, --comm-csv", inputs);
        if (!Files.isDirectory(modelDir))
            throw new BadInputException("--model-dir " + modelDir + (Files.exists(modelDir) ? ": not a folder"
                    : ": no such folder"));
        List<RowFilter> filters = where.stream().map(w -> RowFilter.parse("--where", w)).toList();
        String comm = commCsv == null ? null : commLine(); // a bad file refused before the rows' long run
        long start = System.nanoTime();
        List<SiliconRow> rows = SiliconCsv.read(against).stream()
                .filter(row -> filters.stream().allMatch(f -> f.matches(row))).toList();
        if (rows.isEmpty())
            throw new BadInputException("--where " + String.join(" --where ", where) + ": no row of " + against
                    + " matches");
        List<ServingCheck.Outcome> outcomes = ServingCheck.run(rows, modelDir, gemmCsvs);
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Accuracy> groups = Accuracy.byGroup(outcomes);
        List<Accuracy> engines = Accuracy.byEngine(outcomes);
        List<Accuracy> loads = Accuracy.byEngineAndLoad(outcomes);
        Accuracy all = Accuracy.of("all", outcomes);
        Map<String, Integer> refused = new TreeMap<>();
        for (ServingCheck.Outcome o : outcomes)
            if (!o.predicted())
                refused.merge(o.refusal(), 1, Integer::sum);
        if (report != null)
            writeReport(outcomes);
        PrintWriter out = spec.commandLine().getOut();
        Set<Label> labels = EnumSet.noneOf(Label.class);
        for (ServingCheck.Outcome o : outcomes)
            if (o.predicted())
                labels.addAll(o.estimate().labels());
        Repeats repeats = Repeats.of(rows);
        text(out, all, groups, engines, loads, refused, labels, seconds, filters, repeats);
        badRows(outcomes);
        sharedIds(rows);
        if (comm != null)
            out.println(comm);
        if (json)
            out.println(json(all, groups, engines, loads, refused, labels, filters, repeats));
        return Gemmcost.OK;
    }

    /** A row that could not be read is an input fault: named on stderr (the first few), not only in --report. */
    private void badRows(List<ServingCheck.Outcome> outcomes) {
        List<String> bad = outcomes.stream().filter(ServingCheck.Outcome::badRow)
                .map(ServingCheck.Outcome::detail).toList();
        PrintWriter err = spec.commandLine().getErr();
        bad.stream().limit(SHOWN_BAD_ROWS).forEach(detail -> err.println("gemmcost: bad row: " + detail));
        if (bad.size() > SHOWN_BAD_ROWS)
            err.printf(Locale.ROOT, "gemmcost: ... and %d more bad rows%s%n", bad.size() - SHOWN_BAD_ROWS,
                    report == null ? " (--report lists them all)" : " (in " + report + ")");
    }

    /** An id given to several rows: said on stderr (the first few), every row read and reported under it. */
    private void sharedIds(List<SiliconRow> rows) {
        Map<String, List<String>> at = new LinkedHashMap<>();
        for (SiliconRow row : rows)
            at.computeIfAbsent(row.id(), id -> new ArrayList<>()).add(row.where());
        List<String> shared = at.entrySet().stream().filter(e -> e.getValue().size() > 1)
                .map(e -> "id " + e.getKey() + " names " + e.getValue().size() + " rows (" + String.join(", ",
                        e.getValue()) + "): each is read and reported under it").toList();
        PrintWriter err = spec.commandLine().getErr();
        shared.stream().limit(SHOWN_BAD_ROWS).forEach(line -> err.println("gemmcost: note: " + line));
        if (shared.size() > SHOWN_BAD_ROWS)
            err.printf(Locale.ROOT, "gemmcost: note: ... and %d more ids given to several rows%n",
                    shared.size() - SHOWN_BAD_ROWS);
    }

    private void text(PrintWriter out, Accuracy all, List<Accuracy> groups, List<Accuracy> engines,
                      List<Accuracy> loads, Map<String, Integer> refused, Set<Label> labels, double seconds,
                      List<RowFilter> filters, Repeats repeats) {
        out.printf(Locale.ROOT, "%s%s: %d rows, %d predicted, %d refused (%.1f s)%n", against, filters.isEmpty() ? ""
                : " where " + filters.stream().map(RowFilter::toString).collect(Collectors.joining(" and ")),
                all.rows(), all.predicted(), all.rows() - all.predicted(), seconds);
        refused.forEach((reason, n) -> out.printf(Locale.ROOT, "  refused %5d: %s%n", n, reason));
        int inScope = inScope(all, refused);
        out.printf(Locale.ROOT, "in scope (measured, a catalog GPU, bf16/fp8/fp8_block, no architecture known to be"
                + " unmodeled): %d rows, %s predicted%n", inScope,
                inScope == 0 ? "-" : pct(100.0 * all.predicted() / inScope));
        if (repeats.rows() > 0)
            out.printf(Locale.ROOT, "repeats: %d rows repeat an earlier row's measurement (model, system, engine, mode,"
                    + " isl, osl, TTFT and TPOT alike: one run under another id), %d of them under another plan; every"
                    + " row counts below%n", repeats.rows(), repeats.underAnotherPlan());
        out.println("errors of the predictions [" + Label.join(labels) + "]: absolute % error median and p90, signed"
                + " median (bias)");
        String row = "%-52s %5s %5s  %8s %8s %8s  %8s %8s %8s%n";
        out.printf(Locale.ROOT, row, "model system mode", "rows", "pred", "TPOT_med", "TPOT_p90", "TPOT_bias",
                "TTFT_med", "TTFT_p90", "TTFT_bias");
        for (Accuracy a : groups)
            line(out, row, a);
        for (Accuracy a : engines)
            line(out, row, a.named("engine " + a.group()));
        for (Accuracy a : loads)
            line(out, row, a.named("engine " + a.group() + " (predicted rows)"));
        line(out, row, all);
    }

    /** Rows of a GPU, architecture and precision predict models: the share of these predicted is the coverage. */
    private static int inScope(Accuracy all, Map<String, Integer> refused) {
        int out = 0;
        for (var e : refused.entrySet())
            if (ServingCheck.outOfScope(e.getKey()))
                out += e.getValue();
        return all.rows() - out;
    }

    /** The communication model's error against nccl-tests rows of H100 SXM: the range of the groups' medians. */
    private String commLine() {
        List<CommCheck.Group> groups = CommCheck.ofNccl(commCsv, "H100_SXM");
        DoubleSummaryStatistics medians = groups.stream().mapToDouble(CommCheck.Group::medianApePct)
                .summaryStatistics();
        return String.format(Locale.ROOT, "communication: the %s tier (modeled) against %d imported H100_SXM rows of %s:"
                + " median |error| %.1f-%.1f%% per collective and rank count (check-comm shows them)",
                CommCheck.ncclOf("H100_SXM").intraNode().name(), groups.stream().mapToInt(CommCheck.Group::rows).sum(),
                commCsv, medians.getMin(), medians.getMax());
    }

    private static void line(PrintWriter out, String row, Accuracy a) {
        out.printf(Locale.ROOT, row, a.group(), a.rows(), a.predicted(), pct(a.tpotMedianApePct()),
                pct(a.tpotP90ApePct()), signed(a.tpotBiasPct()), pct(a.ttftMedianApePct()), pct(a.ttftP90ApePct()),
                signed(a.ttftBiasPct()));
    }

    private static String pct(double value) {
        return Double.isNaN(value) ? "-" : Numbers.percent(value / 100);
    }

    /** A report field: {@code value} with {@code decimals} decimals. */
    private static String fixed(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static String signed(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%+.1f%%", value);
    }

    private static String json(Accuracy all, List<Accuracy> groups, List<Accuracy> engines, List<Accuracy> loads,
                               Map<String, Integer> refused, Set<Label> labels, List<RowFilter> filters,
                               Repeats repeats) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode node = mapper.createObjectNode();
        ArrayNode chosen = node.putArray("where");
        filters.forEach(f -> chosen.add(f.toString()));
        node.put("rows", all.rows())
                .put("predicted", all.predicted())
                .put("refused", all.rows() - all.predicted())
                .put("in_scope", inScope(all, refused))
                .put("repeated_rows", repeats.rows())
                .put("repeated_under_another_plan", repeats.underAnotherPlan());
        Label.ids(labels).forEach(node.putArray("labels")::add);
        put(node, all);
        ObjectNode reasons = node.putObject("refused_by_reason");
        refused.forEach(reasons::put);
        putGroups(node.putArray("groups"), "group", groups);
        putGroups(node.putArray("engines"), "engine", engines);
        putGroups(node.putArray("engine_loads"), "engine_load", loads);
        return node.toString();
    }

    private static void putGroups(ArrayNode list, String name, List<Accuracy> groups) {
        for (Accuracy a : groups) {
            ObjectNode g = list.addObject().put(name, a.group()).put("rows", a.rows()).put("predicted", a.predicted());
            put(g, a);
        }
    }

    private static void put(ObjectNode node, Accuracy a) {
        putNumber(node, "tpot_median_ape_pct", a.tpotMedianApePct());
        putNumber(node, "tpot_p90_ape_pct", a.tpotP90ApePct());
        putNumber(node, "tpot_bias_pct", a.tpotBiasPct());
        putNumber(node, "ttft_median_ape_pct", a.ttftMedianApePct());
        putNumber(node, "ttft_p90_ape_pct", a.ttftP90ApePct());
        putNumber(node, "ttft_bias_pct", a.ttftBiasPct());
    }

    private static void putNumber(ObjectNode node, String key, double value) {
        if (Double.isNaN(value))
            node.putNull(key);
        else
            node.put(key, value);
    }

    private void writeReport(List<ServingCheck.Outcome> outcomes) {
        List<String[]> rows = new ArrayList<>();
        rows.add(REPORT_HEADER);
        for (ServingCheck.Outcome o : outcomes) {
            SiliconRow r = o.row();
            List<String> fields = new ArrayList<>(List.of(r.id(), r.group(), r.text("backend"),
                    o.predicted() ? "predicted" : "refused", o.predicted() ? "" : o.refusal()));
            ServingModel.Estimate e = o.estimate();
            if (o.predicted())
                fields.addAll(List.of(fixed(r.ttftMs(), 4), fixed(e.ttftMs(), 4), fixed(o.ttftErrorPct(), 2),
                        fixed(r.tpotMs(), 4), fixed(e.tpotMs(), 4), fixed(o.tpotErrorPct(), 2),
                        fixed(e.decode().stepUs() / 1e3, 4), fixed(e.prefill().stepUs() / 1e3, 4),
                        String.valueOf(e.prefillBatch()), fixed(e.start().steadyTtftUs() / 1e3, 4),
                        fixed(e.start().burstTtftUs() / 1e3, 4)));
            else
                fields.addAll(List.of(r.text("silicon_ttft_ms"), "", "", r.text("silicon_tpot_ms"), "", "", "", "", "",
                        "", ""));
            fields.addAll(o.predicted()
                    ? List.of(e.start().weighs().id(), Label.join(e.labels()), Label.join(e.tpotLabels()))
                    : List.of("", "", ""));
            fields.add(o.gemmSource() == null ? "" : o.gemmSource());
            fields.add(o.detail() == null ? "" : o.detail());
            rows.add(fields.toArray(String[]::new));
        }
        try {
            Files.writeString(report, REPORT_CSV.writeValueAsString(rows), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw InputFiles.cannotWrite(report, e);
        }
    }
}
