package gemmcost.cli.table;

import com.fasterxml.jackson.databind.ObjectMapper;
import gemmcost.BadInputException;
import gemmcost.InputFiles;
import gemmcost.cli.Gemmcost;
import gemmcost.cli.Options;
import gemmcost.device.DeviceCatalog;
import gemmcost.gettime.ErrorStats;
import gemmcost.gettime.Estimate;
import gemmcost.gettime.GetTime;
import gemmcost.gettime.GetTimes;
import gemmcost.gettime.Label;
import gemmcost.gettime.Validation;
import gemmcost.table.Measurement;
import gemmcost.table.MeasurementCsv;
import gemmcost.table.Profile;
import gemmcost.table.ProfileEntry;
import gemmcost.table.ProfileJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gemmcost validate}: predict independent measurements and report the error. */
@Command(name = "validate",
        header = "Predict independent measurements with Get_Time; report the error.",
        description = {
                "Predict every row of a measurements CSV (neutral format; the rows of one GPU: --gpu picks",
                "it from a file of several; the rows of the table's dtype, where the file holds several),",
                "or every entry of another profile (e.g. shapes held out of a sweep), with Get_Time from",
                "PROFILE, and print the count, median, p90 and max absolute percentage error."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  scripts/gemmcost validate --profile h100-sxm --against ../shared/data/gemm-public/llmcompass.csv",
                "  scripts/gemmcost validate --profile a100-sxm-80gb --against ../shared/data/gemm-public/llmcompass.csv --json --report /tmp/rows.csv"})
public final class ValidateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--profile", required = true, paramLabel = "PROFILE",
            description = "A profile file, or a catalog device id (modeled roofline).")
    String profile;

    @Mixin
    Options.CatalogDtype dtype;

    @Option(names = "--against", required = true, paramLabel = "MEASUREMENTS.csv|PROFILE.json",
            description = "Measurements in the neutral CSV (source,gpu,dtype,m,n,k,time_us,notes), or a profile"
                    + " (.json) whose entries are the measurements (the report's line is the entry's number).")
    Path against;

    @Option(names = "--gpu", paramLabel = "NAME", description = "Only the CSV's rows of this gpu (as its gpu column"
            + " names it); needed where the file holds several.")
    String gpu;

    @Option(names = "--json", description = "Print exactly one JSON object: count, the reference times' label,"
            + " the predictions' labels, median/p90/max APE in %%, whether the rows are of the table's GPU, the rows"
            + " left out for their dtype.")
    boolean json;

    @Option(names = "--report", paramLabel = "ROWS.csv", description = "Also write every row's prediction.")
    Path report;

    @Override
    public Integer call() throws IOException {
        Options.requireOutput("--report", report, "--against, --profile", List.of(against, Path.of(profile)));
        GetTimes.Typed opened = dtype.open(profile);
        GetTime getTime = opened.getTime();
        boolean held = against.toString().toLowerCase(Locale.ROOT).endsWith(".json");
        if (held && gpu != null)
            throw new BadInputException("--gpu " + gpu + ": picks the rows of a measurements CSV; " + against
                    + " is a profile, of one device");
        Reference reference = held ? entriesOf(against, opened.dtype()) : rowsOf(against, opened.dtype());
        List<Measurement> rows = reference.rows();
        if (rows.isEmpty()) {
            throw new BadInputException(against + ": no measurement rows to validate against");
        }
        // an impossible reference time would make every error meaningless; the CUDA stand-in's are simulated, no
        // measurement (its tiniest shapes take less than any GPU could), and not checked
        if (reference.label() != Label.SIMULATED)
            for (Measurement r : rows)
                GetTimes.requirePossible(against + (held ? ": $.entries " : ":" + r.line() + ": ") + r.shape(),
                        r.shape(), r.timeUs());
        Validation.Result result = Validation.run(getTime, rows);
        if (report != null) {
            writeReport(result, reference.label());
        }
        PrintWriter out = spec.commandLine().getOut();
        ErrorStats s = result.stats();
        if (json) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("count", s.count());
            node.put("reference_label", reference.label().id());
            node.put("prediction_labels", Label.ids(result.rows().stream().map(r -> r.estimate().label()).toList()));
            node.put("median_ape_pct", s.medianApePct());
            node.put("p90_ape_pct", s.p90ApePct());
            node.put("max_ape_pct", s.maxApePct());
            node.put("same_gpu", otherGpu(opened, rows.getFirst().gpu()).isEmpty());
            node.put("rows_of_other_dtypes", reference.otherDtypes().values().stream().mapToInt(n -> n).sum());
            out.println(new ObjectMapper().writeValueAsString(node));
        } else {
            out.printf(Locale.ROOT, "%d rows of %s (%s) predicted from %s%n", s.count(), against,
                    reference.label().id(), getTime.source());
            out.printf(Locale.ROOT, "absolute error: median %.2f %%, p90 %.2f %%, max %.2f %%%n",
                    s.medianApePct(), s.p90ApePct(), s.maxApePct());
            out.println("predictions: " + labelCounts(result));
            otherGpu(opened, rows.getFirst().gpu()).ifPresent(out::println);
            if (!reference.otherDtypes().isEmpty())
                out.println("left out: " + reference.otherDtypes().entrySet().stream()
                        .map(e -> e.getValue() + (e.getValue() == 1 ? " row of " : " rows of ") + e.getKey())
                        .collect(Collectors.joining(", ")) + " (the table is " + opened.dtype() + ")");
            long exact = result.rows().stream().filter(r -> r.estimate().method() == Estimate.Method.EXACT).count();
            if (exact > 0)
                out.printf(Locale.ROOT, "%d of the %d rows are shapes the table holds, answered as it holds them, not"
                        + " predicted%n", exact, s.count());
        }
        return Gemmcost.OK;
    }

    /**
     * A note where the rows are of another GPU than the one the table is of (as far as the catalog tells the two
     * apart, or their names do): their error then says how far one GPU's table is from another's times.
     */
    private static Optional<String> otherGpu(GetTimes.Typed table, String rowsGpu) {
        // out of the catalog, by name: "NVIDIA GeForce RTX 4090" is an "RTX 4090"
        String a = table.gpu().toLowerCase(Locale.ROOT);
        String b = rowsGpu.toLowerCase(Locale.ROOT);
        boolean same = table.device().map(d -> DeviceCatalog.mayName(rowsGpu, d))
                .orElse(a.contains(b) || b.contains(a));
        return same ? Optional.empty() : Optional.of("note: the rows are of " + rowsGpu + ", the table of "
                + table.gpu() + ": the error is how far one GPU's times are from another's");
    }

    /**
     * The times predictions are checked against, and what they are: a held-out profile's kind (measured, simulated,
     * imported), or {@code imported} for a CSV of someone's measurements; and the rows of other dtypes than the
     * table's that were left out, by dtype.
     */
    private record Reference(List<Measurement> rows, Label label, Map<String, Integer> otherDtypes) {
    }

    /** The entries of a held-out profile as measurements, refused when its dtype is not the one predicted. */
    private Reference entriesOf(Path file, String predictedDtype) {
        Profile held = ProfileJson.read(file);
        if (!predictedDtype.equals(held.dtype())) {
            throw new BadInputException("--against " + file + ": dtype " + held.dtype() + ", but " + profile + " is "
                    + predictedDtype + ": compare like with like");
        }
        List<ProfileEntry> entries = held.entries();
        return new Reference(IntStream.range(0, entries.size()).mapToObj(i -> new Measurement(file.toString(),
                held.device().name(), held.dtype(), entries.get(i).shape(), entries.get(i).timeUs(), "", i + 1))
                .toList(), GetTimes.verbatim(held.provenance().kind()), Map.of());
    }

    /**
     * The rows of a measurements CSV of one GPU ({@code --gpu}'s, needed where it holds several: a median over several
     * GPUs' rows says nothing of any one) and of the dtype predicted: where the GPU's rows hold several dtypes (XLA's
     * bf16 and tf32 of one GPU), those of the others are left out and counted; where none is of it, refused.
     */
    private Reference rowsOf(Path file, String predictedDtype) {
        List<Measurement> all = MeasurementCsv.read(file);
        Set<String> gpus = all.stream().map(Measurement::gpu).collect(Collectors.toCollection(TreeSet::new));
        if (gpu != null && !gpus.contains(gpu))
            throw new BadInputException("--gpu " + gpu + ": no row of " + file + " is of it (its gpus: "
                    + String.join(", ", gpus) + ")");
        if (gpu == null && gpus.size() > 1)
            throw new BadInputException("--against " + file + ": rows of " + gpus.size() + " GPUs ("
                    + String.join(", ", gpus) + "): pick one with --gpu");
        List<Measurement> ofGpu = gpu == null ? all : all.stream().filter(r -> r.gpu().equals(gpu)).toList();
        Map<String, Integer> otherDtypes = new TreeMap<>();
        ofGpu.stream().filter(r -> !predictedDtype.equals(r.dtype()))
                .forEach(r -> otherDtypes.merge(r.dtype(), 1, Integer::sum));
        List<Measurement> rows = ofGpu.stream().filter(r -> predictedDtype.equals(r.dtype())).toList();
        if (rows.isEmpty() && otherDtypes.size() == 1) {
            Measurement first = ofGpu.getFirst();
            throw new BadInputException("--against " + file + ":" + first.line() + ": dtype " + first.dtype()
                    + ", but " + profile + " is " + predictedDtype + ": compare like with like");
        }
        if (rows.isEmpty() && !ofGpu.isEmpty())
            throw new BadInputException("--against " + file + ": no row of dtype " + predictedDtype + ", the dtype of "
                    + profile + " (its dtypes: " + String.join(", ", otherDtypes.keySet()) + "): compare like with"
                    + " like");
        return new Reference(rows, Label.IMPORTED, otherDtypes);
    }

    private static String labelCounts(Validation.Result result) {
        Map<Label, Integer> counts = new EnumMap<>(Label.class);
        result.rows().forEach(r -> counts.merge(r.estimate().label(), 1, Integer::sum));
        StringBuilder text = new StringBuilder();
        counts.forEach((label, count) -> text.append(text.isEmpty() ? "" : ", ").append(count).append(' ')
                .append(label.id()));
        return text.toString();
    }

    private void writeReport(Validation.Result result, Label referenceLabel) {
        try (Writer w = Files.newBufferedWriter(report)) {
            w.write("line,m,k,n,reference_us,reference_label,predicted_us,label,ape_pct,method\n");
            for (Validation.Row r : result.rows()) {
                var s = r.measurement().shape();
                w.write(String.format(Locale.ROOT, "%d,%d,%d,%d,%s,%s,%s,%s,%.4f,%s\n", r.measurement().line(),
                        s.m(), s.k(), s.n(), r.measurement().timeUs(), referenceLabel.id(), r.estimate().timeUs(),
                        r.estimate().label().id(), r.apePct(), r.estimate().method().name().toLowerCase(Locale.ROOT)));
            }
        } catch (IOException e) {
            throw InputFiles.cannotWrite("--report " + report, e);
        }
    }
}
