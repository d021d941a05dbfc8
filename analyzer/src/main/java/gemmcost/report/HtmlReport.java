package gemmcost.report;

import gemmcost.InputFiles;
import gemmcost.Numbers;
import gemmcost.ToolVersion;
import gemmcost.claim.ClaimCheck;
import gemmcost.claim.ClaimSweep;
import gemmcost.cost.CostModels;
import gemmcost.deploy.MemoryFootprint;
import gemmcost.device.Device;
import gemmcost.dag.Work;
import gemmcost.dag.WorkKind;
import gemmcost.gettime.Label;
import gemmcost.gettime.RooflineGetTime;
import gemmcost.model.Deployment;
import gemmcost.model.Phase;
import gemmcost.schedule.CriticalChain;
import gemmcost.schedule.DagAnalysis;
import gemmcost.table.Profile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One self-contained HTML page (inline CSS and SVG, no script, nothing fetched): the profile's provenance, the
 * claim check, sweeps, each plan's per-GPU timeline and breakdown, and the profile's TFLOP/s against m.
 */
public final class HtmlReport {
    /**
     * A step's DAG on {@code gpus} GPUs and its analysis; {@code source} is the config file, or what built it.
     * {@code steady}: how a serving model costs the step in steady state, where that is not the makespan of the
     * schedule drawn (which starts every micro-batch on idle GPUs: a pipeline's fill and drain); null where the
     * makespan is the step.
     */
    public record PlanView(String source, String name, Phase phase, int gpus, DagAnalysis analysis,
                           SteadyStep steady) {
        public PlanView {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(analysis, "analysis");
        }

        public static PlanView of(String source, Deployment deployment, DagAnalysis analysis) {
            return new PlanView(source, deployment.name(), deployment.phase(), deployment.gpus(), analysis, null);
        }

        /** The step's time: the steady state's where given, else the schedule's makespan. */
        double stepUs() {
            return steady == null ? analysis.schedule().makespanUs() : steady.stepUs();
        }
    }

    /** A step in steady state: {@code symbol} (T_d), its time, and how it was reached ({@code explained}, in µs). */
    public record SteadyStep(String symbol, double stepUs, String explained) {
        public SteadyStep {
            Objects.requireNonNull(symbol, "symbol");
            Objects.requireNonNull(explained, "explained");
        }
    }

    /** What the page shows; {@code claim} may be null, the lists empty. */
    public record Input(String title, CostModels.Opened costs, ClaimCheck claim, List<ClaimSweep> sweeps,
                        List<PlanView> plans) {
        public Input {
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(costs, "costs");
            sweeps = List.copyOf(sweeps);
            plans = List.copyOf(plans);
        }
    }

    private static final int PROFILE_SITES = 12;

    private HtmlReport() {
    }

    /** Writes the page; an unwritable path is bad input. */
    public static void write(Path out, Input input) {
        try {
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null)
                Files.createDirectories(parent);
            Files.writeString(out, render(input), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw InputFiles.cannotWrite(out, e);
        }
    }

    public static String render(Input in) {
        Html html = new Html();
        html.constant("<!DOCTYPE html>\n");
        html.open("html", "lang", "en").open("head").empty("meta", "charset", "utf-8");
        html.empty("meta", "http-equiv", "Content-Security-Policy", "content", "default-src 'none'; style-src 'unsafe-inline'");
        html.element("title", in.title()).open("style").constant(Style.CSS).close("style").close("head");
        html.open("body").element("h1", in.title());
        html.open("p", "class", "meta").text("gemmcost " + ToolVersion.current() + ". Every number is labelled: ")
                .element("b", "measured").text(" (read from a table), ").element("b", "imported")
                .text(" (someone else's measurement), ").element("b", "interpolated").text(" / ")
                .element("b", "extrapolated").text(" (Get_Time between or beyond measurements), ")
                .element("b", "modeled").text(" (datasheet roofline, " + RooflineGetTime.KERNEL_FLOOR_US + " µs kernel floor, α–β network), ")
                .element("b", "measured_bandwidth").text(" (bytes over the table's measured bandwidth), ")
                .element("b", "simulated").text(" (the CUDA stand-in: never a measurement), ").element("b", "claimed")
                .text(" (the seed report's), ").element("b", "given").text(" (a duration in the input).").close("p");
        List<PlanCharts.KindTimes> times = in.plans().stream().map(v -> PlanCharts.KindTimes.of(v.analysis())).toList();
        navigation(html, in);
        summary(html, in, times);
        provenance(html, in.costs());
        if (in.claim() != null)
            claim(html, in.claim());
        for (ClaimSweep sweep : in.sweeps())
            sweep(html, sweep, in.costs().catalogDevice());
        for (int i = 0; i < in.plans().size(); i++)
            plan(html, in.plans().get(i), times.get(i), i);
        profile(html, in);
        html.close("body").close("html");
        return html.toString();
    }

    /** Links to every section: the page is long. */
    private static void navigation(Html html, Input in) {
        html.open("nav");
        html.element("a", "Summary", "href", "#summary").element("a", "Costs", "href", "#profile-provenance");
        if (in.claim() != null)
            html.element("a", "The claim", "href", "#claim");
        for (ClaimSweep sweep : in.sweeps())
            html.element("a", "Sweep: " + sweep.axis().id(), "href", "#sweep-" + sweep.axis().id());
        for (int i = 0; i < in.plans().size(); i++)
            html.element("a", "Plan " + (i + 1), "href", "#plan-" + i);
        html.element("a", "TFLOP/s", "href", "#profile-chart").close("nav");
    }

    /** One line per plan: its step time and what sets it. */
    private static void summary(Html html, Input in, List<PlanCharts.KindTimes> kindTimes) {
        html.open("section", "id", "summary").element("h2", "Summary");
        html.open("table", "class", "summary").open("tr").element("th", "plan").element("th", "step")
                .element("th", "ms").element("th", "label").element("th", "most time in").close("tr");
        for (int i = 0; i < in.plans().size(); i++) {
            PlanView view = in.plans().get(i);
            DagAnalysis a = view.analysis();
            PlanCharts.KindTimes times = kindTimes.get(i);
            WorkKind most = WorkKind.GEMM;
            for (WorkKind k : WorkKind.values())
                if (times.totalUs()[k.ordinal()] > times.totalUs()[most.ordinal()])
                    most = k;
            String step = view.steady() != null ? view.steady().symbol() : view.phase() == Phase.DECODE ? "TPOT"
                    : "prefill";
            html.open("tr").element("td", view.name()).element("td", step)
                    .element("td", Numbers.millis(view.stepUs())).element("td", Label.join(a.labels()))
                    .element("td", PlanCharts.title(most)).close("tr");
        }
        html.close("table");
        if (in.claim() != null) {
            ClaimCheck.Row decode = in.claim().rows().getLast();
            html.element("p", decode.what() + ": MA-separation " + Numbers.claimPercent(decode.reduction())
                    + " [" + decode.labels() + "]; claimed by the seed report " + Numbers.claimPercent(ClaimCheck.CLAIMED)
                    + ".");
        }
        html.close("section");
    }

    private static void provenance(Html html, CostModels.Opened costs) {
        html.open("section", "id", "profile-provenance").element("h2", "Costs: where the numbers come from");
        html.element("p", costs.model().getTime().source());
        Profile t = costs.table();
        Map<String, Object> rows = new LinkedHashMap<>();
        if (t == null) {
            rows.put("kind", "modeled: no measured table; GEMMs at the datasheet roofline (speed of light)");
        } else {
            Profile.Device d = t.device();
            rows.put("kind", t.provenance().kind().jsonName());
            rows.put("GPU", d.name() + (d.catalogId() == null ? "" : " (" + d.catalogId() + ")"));
            rows.put("driver", d.driverVersion());
            rows.put("CUDA runtime", d.cudaRuntimeVersion());
            rows.put("cuBLAS", d.cublasVersion());
            rows.put("SM clock start/end (MHz)", d.clocks().smMhzStart() + " / " + d.clocks().smMhzEnd());
            rows.put("throttle reasons", String.join(", ", d.clocks().throttleReasons()));
            rows.put("dtype", t.dtype() + (t.computeType() == null ? "" : ", compute " + t.computeType()));
            rows.put("timing", t.timing().timer() + ", " + t.timing().statistic() + ", L2 flush " + t.timing().l2Flush()
                    + ", backend " + t.timing().backend());
            rows.put("source", t.provenance().source());
            rows.put("created (UTC)", t.provenance().createdUtc());
            rows.put("written by", "gemmcost " + t.provenance().toolVersion() + " @ " + t.provenance().gitCommit());
            rows.put("entries", t.entries().size());
        }
        if (costs.roofline() != null)
            rows.put("datasheet roofline", String.format(Locale.ROOT, "%.0f TFLOP/s, %.0f GB/s (modeled bound)",
                    costs.roofline().peakFlopsPerSec() / 1e12, costs.roofline().bandwidthBytesPerSec() / 1e9));
        html.open("table", "class", "kv");
        rows.forEach((k, v) -> html.open("tr").element("th", k).element("td", v == null ? "unknown" : v).close("tr"));
        html.close("table").close("section");
    }

    private static void claim(Html html, ClaimCheck check) {
        html.open("section", "id", "claim").element("h2", "Does MA-separation cut TPOT by 34.2%?");
        html.open("table", "class", "claim").open("tr");
        for (String h : List.of("", "baseline ms", "MA ms", "reduction", "label"))
            html.element("th", h);
        html.close("tr");
        for (ClaimCheck.Row r : check.rows())
            claimRow(html, r.what(), Numbers.millis(r.baselineUs()), Numbers.millis(r.maUs()), r.reduction(), r.labels());
        claimRow(html, "claimed by the seed report", "", "", ClaimCheck.CLAIMED, Label.CLAIMED.id());
        claimRow(html, "source Table 1: 1 - 1.82/2.76 ms", "2.760", "1.820", ClaimCheck.SOURCE_TABLE, Label.CLAIMED.id());
        html.close("table");
        html.element("h3", "What the seed's expressions get wrong (" + check.flawLabels() + ")");
        html.open("ol");
        check.flaws().forEach(f -> html.element("li", f.description()));
        html.close("ol").close("section");
    }

    private static void claimRow(Html html, String what, String base, String ma, double reduction, String labels) {
        html.open("tr", "class", reduction < 0 ? "worse" : "better").element("td", what).element("td", base)
                .element("td", ma).element("td", Numbers.claimPercent(reduction)).element("td", labels).close("tr");
    }

    private static void sweep(Html html, ClaimSweep sweep, Optional<Device> device) {
        html.open("section", "class", "sweep-section", "id", "sweep-" + sweep.axis().id()).element("h2",
                "Decode TPOT reduction against " + sweep.axis().id() + " (" + sweep.axis().meaning() + ")");
        SweepChart.render(html, sweep);
        html.open("table", "class", "claim").open("tr");
        String fitsOn = device.map(d -> "fits (" + Numbers.gigabytes(MemoryFootprint.usableBytes(d)) + " usable on a "
                + d.id() + "; modeled)").orElse("fits (device not in the catalog)");
        for (String h : List.of(sweep.axis().id(), "baseline dense ms", "baseline experts ms", "MA ms",
                "MA vs experts", "MA vs dense", fitsOn, "label"))
            html.element("th", h);
        html.close("tr");
        for (ClaimSweep.Point p : sweep.points())
            html.open("tr").element("td", p.value()).element("td", Numbers.millis(p.denseUs()))
                    .element("td", Numbers.millis(p.expertsUs())).element("td", Numbers.millis(p.maUs()))
                    .element("td", Numbers.percent(p.reduction()))
                    .element("td", Numbers.percent(p.reductionAgainstDense()))
                    .element("td", device.map(d -> p.fits(MemoryFootprint.usableBytes(d)).toString()).orElse("-"))
                    .element("td", p.labels()).close("tr");
        html.close("table").close("section");
    }

    private static void plan(Html html, PlanView view, PlanCharts.KindTimes times, int index) {
        DagAnalysis a = view.analysis();
        List<Integer> chain = CriticalChain.of(a.dag(), a.schedule());
        html.open("section", "class", "plan", "id", "plan-" + index).element("h2", view.name());
        String step = view.phase() == Phase.DECODE ? "TPOT (makespan of one decode step)" : "prefill makespan";
        String makespan = Numbers.micros(a.schedule().makespanUs()) + " µs";
        String labels = " [" + Label.join(a.labels()) + "]";
        html.open("p").text(view.source() + ": " + view.gpus() + " GPUs, phase " + view.phase().id() + ", "
                + a.dag().size() + " ops, " + a.dag().edgeCount() + " edges. ");
        if (view.steady() == null)
            html.element("b", step + " " + makespan + labels);
        else if (a.schedule().makespanUs() <= view.steady().stepUs() * (1 + 1e-9))
            html.element("b", view.steady().symbol() + " " + view.steady().explained() + labels).text(": the step,"
                    + " the schedule's makespan below");
        else
            html.element("b", view.steady().symbol() + " " + view.steady().explained() + labels).text(": the step in"
                    + " steady state. The schedule below starts every micro-batch's step on idle GPUs, so its"
                    + " makespan, " + makespan + ", adds the pipeline's fill and drain");
        html.text(". In red: the schedule's critical chain, the " + chain.size()
                        + " ops whose runs and waits (for inputs or for a GPU) end at the makespan. The critical path with"
                        + " unlimited resources, what the DAG would take if no op ever waited for a GPU, is "
                        + Numbers.micros(a.criticalPath().lengthUs()) + " µs [" + Label.join(a.criticalPathByLabel().keySet())
                        + "], " + a.criticalPath().path().size() + " ops.").close("p");
        legend(html);
        html.open("div", "class", "scroll");
        PlanCharts.gantt(html, a, chain);
        html.close("div");
        html.element("h3", "Busy time per GPU by op kind (line: makespan)");
        PlanCharts.breakdown(html, a, times);
        double total = 0;
        for (double us : times.totalUs())
            total += us;
        html.open("table", "class", "kinds").open("tr").element("th", "op kind")
                .element("th", "total op time µs (an op on several GPUs counted once)")
                .element("th", "share").element("th", "label").close("tr");
        for (WorkKind k : WorkKind.values()) {
            double us = times.totalUs()[k.ordinal()];
            if (us > 0)
                html.open("tr").element("td", PlanCharts.title(k)).element("td", Numbers.micros(us))
                        .element("td", Numbers.percent(us / total))
                        .element("td", Label.join(times.labels().get(k.ordinal()))).close("tr");
        }
        html.close("table").close("section");
    }

    private static void legend(Html html) {
        html.open("p", "class", "legend");
        for (WorkKind k : List.of(WorkKind.GEMM, WorkKind.ATTENTION, WorkKind.MEMORY, WorkKind.COMMUNICATION))
            html.open("span", "class", "swatch " + k.id()).close("span").text(PlanCharts.title(k) + "  ");
        html.open("span", "class", "swatch critical").close("span")
                .text("on the schedule's critical chain (compute lane above, communication lane below; hover for"
                        + " details)");
        html.close("p");
    }

    private static void profile(Html html, Input in) {
        html.open("section", "id", "profile-chart").element("h2", "Achieved TFLOP/s against m, per (k, n)");
        Profile table = in.costs().table();
        // without a table every site shows the same roofline: one panel, the site the plans spend most time in
        List<ProfileChart.Site> sites = ProfileChart.gemmSites(gemmTimeUs(in.plans()), table,
                table == null ? 1 : PROFILE_SITES);
        boolean planSites = !sites.isEmpty();
        if (!planSites && table != null)
            sites = ProfileChart.tableSites(table, PROFILE_SITES);
        html.element("p", table != null
                ? (planSites ? "Panels: the (k, n) the plans above spend the most GEMM time in. " : "")
                + "Dots: the table's entries (" + table.provenance().kind().jsonName() + ")."
                + " Line: Get_Time, coloured by its label (interpolated between them, extrapolated beyond them)."
                + " Grey: the datasheet roofline (modeled)."
                : "No measured table: Get_Time is the datasheet roofline (modeled), the same shape at every (k, n); shown"
                + " for the site the plans above spend the most GEMM time in. A measured profile (--profile FILE) shows"
                + " its measurements here, one panel per site.");
        html.open("div", "class", "sites");
        for (ProfileChart.Site site : sites)
            ProfileChart.render(html, site, 1, 1 << 21, in.costs().model().getTime(), in.costs().roofline());
        html.close("div").close("section");
    }

    /** The plans' GEMM time per (k, n). */
    private static Map<List<Long>, Double> gemmTimeUs(List<PlanView> plans) {
        Map<List<Long>, Double> time = new LinkedHashMap<>();
        for (PlanView p : plans)
            for (int v = 0; v < p.analysis().dag().size(); v++)
                if (p.analysis().dag().work(v) instanceof Work.Gemm g)
                    time.merge(List.of(g.shape().k(), g.shape().n()), p.analysis().costing().timeUs(v), Double::sum);
        return time;
    }

}
