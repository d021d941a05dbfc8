package gemmcost.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import gemmcost.cli.CliRun;
import gemmcost.cost.CostModels;
import gemmcost.model.Deployment;
import gemmcost.model.DeploymentReader;
import gemmcost.schedule.CriticalChain;
import gemmcost.schedule.DagAnalysis;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Renders {@code gemmcost report} in headless Chromium, off the network, and checks the DOM the browser built: one
 * timeline row per GPU, the highlighted ops exactly the schedule's critical chain (ending at the makespan), every
 * section reachable from the navigation, axis titles on the charts, a hostile config name shown as
 * text. Leaves {@code target/report-in-browser/report.png} to look at. Skips when Chromium is not installed
 * ({@code .ci/run} installs Debian's {@code chromium}).
 */
class ReportInBrowserTest {
    private static final Path OUT = Path.of("target", "report-in-browser");
    private static final String HOSTILE = "<script>alert(1)</script> & \"TP8\" x 'PP2'";
    private static Path chromium;
    private static Path report;
    private static Path hostileConfig;

    @BeforeAll
    static void render() throws IOException {
        chromium = findChromium();
        Files.createDirectories(OUT);
        String config = Files.readString(Path.of("..", "examples", "seed-baseline-tp8pp2.json"));
        hostileConfig = OUT.resolve("hostile.json");
        Files.writeString(hostileConfig, config.replaceFirst("\"name\": \"[^\"]*\"",
                "\"name\": \"" + HOSTILE.replace("\"", "\\\\\"") + "\""));
        report = OUT.resolve("report.html");
        CliRun run = CliRun.of("report", "--config", hostileConfig.toString(), "--config",
                "../examples/seed-ma-separation.json", "--sweep", "batch=1,64,1024", "--out", report.toString());
        assertThat(run.status()).as(run.err()).isZero();
    }

    @Test
    void timelineHasOneRowPerGpuAndTheSchedulesCriticalChainHighlighted() throws Exception {
        assumeTrue(chromium != null, "chromium not installed: browser test skipped (.ci/run installs it)");
        Document dom = Jsoup.parse(chromium("--dump-dom", report.toUri().toString()));
        List<Path> configs = List.of(hostileConfig, Path.of("..", "examples", "seed-ma-separation.json"));
        for (int i = 0; i < configs.size(); i++) {
            Deployment d = DeploymentReader.read(configs.get(i));
            DagAnalysis a = DagAnalysis.of(d,
                    CostModels.open(CostModels.DEFAULT_PROFILE, d.model().dtype(), d.network()));
            Element gantt = dom.selectFirst("#plan-" + i + " svg.gantt");
            assertThat(gantt).as("plan %d's timeline", i).isNotNull();
            assertThat(gantt.select("g.gpu-row")).hasSize(16);
            assertThat(gantt.select("g.gpu-row").eachAttr("data-gpu"))
                    .containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15");
            Set<String> highlighted = gantt.select("rect.op.critical").eachAttr("data-op-id").stream()
                    .collect(Collectors.toSet());
            List<Integer> chain = CriticalChain.of(a.dag(), a.schedule());
            Set<String> analyzer = chain.stream().filter(v -> a.costing().timeUs(v) > 0)
                    .map(v -> a.dag().id(v)).collect(Collectors.toSet());
            assertThat(highlighted).isEqualTo(analyzer);
            assertThat(a.schedule().finishUs(chain.getLast())).isEqualTo(a.schedule().makespanUs());
            assertThat(gantt.select("rect.op.communication")).isNotEmpty();
        }
    }

    @Test
    void everySectionShouldBeReachableFromTheNavigationAndEveryChartHaveAxisTitles() throws Exception {
        assumeTrue(chromium != null, "chromium not installed: browser test skipped (.ci/run installs it)");
        Document dom = Jsoup.parse(chromium("--dump-dom", report.toUri().toString()));
        List<String> targets = dom.select("nav a").eachAttr("href");
        assertThat(targets).contains("#summary", "#plan-0", "#plan-1", "#sweep-batch", "#profile-chart");
        for (String target : targets)
            assertThat(dom.selectFirst(target)).as(target).isNotNull();
        assertThat(dom.select("#summary tr")).hasSize(3); // a header and one row per plan
        assertThat(dom.select("svg.sweep text.axis-title").eachText()).containsExactly("MA's TPOT reduction");
        assertThat(dom.select("svg.sweep text").eachText()).anySatisfy(t -> assertThat(t).endsWith("(log scale)"));
        assertThat(dom.select("svg.site")).hasSize(1); // no measured table: one roofline panel, not six alike
        assertThat(dom.select("svg.site text.axis-title").eachText()).containsExactly("TFLOP/s");
    }

    @Test
    void hostileNameIsTextNotMarkup() throws Exception {
        assumeTrue(chromium != null, "chromium not installed: browser test skipped (.ci/run installs it)");
        Document dom = Jsoup.parse(chromium("--dump-dom", report.toUri().toString()));
        assertThat(dom.select("script")).isEmpty();
        assertThat(dom.selectFirst("#plan-0 h2").text()).isEqualTo(HOSTILE);
    }

    @Test
    void screenshotIsAPicture() throws Exception {
        assumeTrue(chromium != null, "chromium not installed: browser test skipped (.ci/run installs it)");
        Path png = OUT.resolve("report.png").toAbsolutePath();
        Files.deleteIfExists(png);
        chromium("--window-size=1280,2600", "--screenshot=" + png, report.toUri().toString());
        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes.length).isGreaterThan(20_000);
        assertThat(new String(bytes, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }

    private static String chromium(String... args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(OUT.toAbsolutePath(), "chromium-profile");
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--no-first-run", "--disable-extensions", "--disable-sync",
                "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
                "--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        Path stdout = OUT.resolve("chromium.out");
        Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile())
                .redirectError(OUT.resolve("chromium.err").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 120 s: " + command);
        }
        assertThat(p.exitValue()).as("chromium exit status; see " + OUT.resolve("chromium.err")).isZero();
        return Files.readString(stdout);
    }

    private static Path findChromium() {
        for (String name : List.of("chromium", "chromium-browser", "google-chrome"))
            for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate))
                    return candidate;
            }
        return null;
    }
}
