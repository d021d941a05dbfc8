package gemmcost.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gemmcost.table.GemmShape;
import gemmcost.table.Profile;
import gemmcost.table.ProfileJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class GemmcostTest {
    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;


    @Test
    void shouldPrintHelpWithExamplesAndExitZero() {
        CliRun run = CliRun.of("--help");

        assertThat(run.status()).isZero();
        assertThat(run.out()).startsWith("Usage: gemmcost").contains("import-csv").contains("--debug")
                .contains("Examples:");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void shouldShowAnExampleInEveryCommandsHelp() {
        CommandLine root = Gemmcost.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        assertThat(root.getSubcommands()).containsKeys("import-csv", "test-fail");
        for (CommandLine command : root.getSubcommands().values()) {
            if (command.getCommandName().equals("help"))
                continue;
            CliRun run = CliRun.of(command.getCommandName(), "--help");
            assertThat(run.status()).as(command.getCommandName()).isZero();
            assertThat(run.out()).as(command.getCommandName()).containsPattern("Examples?:" + NL + "  \\S");
        }
    }

    /** picocli reports a bad format string (a lone {@code %} in a description) on System.err, not the command's err. */
    @Test
    void shouldFormatEveryHelpWithoutPicocliWarnings() {
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        PrintStream systemErr = System.err;
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        CommandLine root = Gemmcost.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        try {
            CliRun.of("--help");
            for (String command : root.getSubcommands().keySet())
                CliRun.of(command, "--help");
        } finally {
            System.setErr(systemErr);
        }

        assertThat(warnings.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void shouldPrintTheVersionWithTheGitCommit() {
        CliRun run = CliRun.of("--version");

        assertThat(run.status()).isZero();
        assertThat(run.out()).matches("gemmcost \\S+ \\(git \\S+\\)" + NL);
    }

    @Test
    void shouldExitTwoWithAHintWhenNoCommandIsGiven() {
        CliRun run = CliRun.of();

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("gemmcost: missing command (usage: gemmcost --help)" + NL);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void shouldExitTwoOnAnUnknownOption() {
        CliRun run = CliRun.of("--bogus");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("gemmcost: unknown option '--bogus' (usage: gemmcost --help)" + NL);
    }

    @Test
    void shouldExitTwoWhenARequiredOptionIsMissing() {
        CliRun run = CliRun.of("import-csv", "x.csv", "--gpu", "H100");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("gemmcost: Missing required options: '--dtype=DTYPE', '--out=PROFILE.json'"
                + " (usage: gemmcost import-csv --help)" + NL);
    }

    @Test
    void aMistypedOptionShouldBeNamedWithTheNearestOneNotBlameTheNextArgument() {
        CliRun run = CliRun.of("get-time", "--profle", "h100-sxm", "1", "2", "3");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("gemmcost: unknown option '--profle' (did you mean --profile?) (usage:"
                + " gemmcost get-time --help)" + NL);
    }

    @Test
    void shouldImportACsvAndPrintOneSummaryLine() throws IOException {
        Path csv = Files.writeString(dir.resolve("m.csv"), """
                source,gpu,dtype,m,n,k,time_us,notes
                a,H100,fp16,1,2,3,10,
                a,H100,fp16,1,2,3,20,
                a,H100,fp16,4,5,6,7.5,
                a,A100,fp16,4,5,6,7.5,
                """);
        Path out = dir.resolve("fp16.json");

        CliRun run = CliRun.of("import-csv", csv.toString(), "--gpu", "H100", "--dtype", "fp16", "--out", out.toString(),
                "--device", "h100-sxm");

        assertThat(run.err()).isEmpty();
        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo("wrote " + out + ": 2 shapes from 3 rows (imported, gpu=H100, dtype=fp16)"
                + NL);
        Profile profile = ProfileJson.read(out);
        assertThat(profile.provenance().kind()).isEqualTo(Profile.Kind.IMPORTED);
        assertThat(profile.provenance().source()).isEqualTo("imported from " + csv);
        assertThat(profile.device()).isEqualTo(Profile.Device.named("H100", "h100-sxm"));
        assertThat(profile.entries().getFirst().shape()).isEqualTo(new GemmShape(1, 3, 2));
    }

    @Test
    void importShouldRefuseADeviceTheCatalogLacksOrTheRowsDoNotName() throws IOException {
        Path csv = Files.writeString(dir.resolve("m.csv"),
                "source,gpu,dtype,m,n,k,time_us,notes\na,H100,fp16,1,2,3,10,\n");
        String out = dir.resolve("x.json").toString();
        assertThat(CliRun.of("import-csv", csv.toString(), "--gpu", "H100", "--dtype", "fp16", "--device", "bogus",
                "--out", out).err()).startsWith("gemmcost: --device bogus: unknown device (catalog: ");
        assertThat(CliRun.of("import-csv", csv.toString(), "--gpu", "H100", "--dtype", "fp16", "--device", "H100_SXM",
                "--out", out).err()).startsWith("gemmcost: --device H100_SXM: unknown device: did you mean h100-sxm?"
                + " (catalog: ");
        assertThat(CliRun.of("import-csv", csv.toString(), "--gpu", "H100", "--dtype", "fp16", "--device", "b200",
                "--out", out)).isEqualTo(new CliRun(2, "", "gemmcost: --device b200: --gpu H100 names a h100-sxm; the"
                + " device recorded must be the one the rows were measured on" + NL));
        assertThat(Path.of(out)).doesNotExist();
        assertThat(CliRun.of("import-csv", csv.toString(), "--gpu", "H100", "--dtype", "fp16", "--out", "/"))
                .isEqualTo(new CliRun(2, "", "gemmcost: --out /: a directory, not a file" + NL));
        // review: the CSV itself had been overwritten with the table
        assertThat(CliRun.of("import-csv", csv.toString(), "--gpu", "H100", "--dtype", "fp16", "--out",
                csv.toString())).isEqualTo(new CliRun(2, "", "gemmcost: --out " + csv + ": is one of the inputs (FILE);"
                + " write it elsewhere" + NL));
        assertThat(csv).content().startsWith("source,gpu,dtype");
        // a bare H100 may be recorded as the PCIe one: the name does not say which
        assertThat(CliRun.of("import-csv", csv.toString(), "--gpu", "H100", "--dtype", "fp16", "--device", "h100-pcie",
                "--out", out).status()).isZero();
    }

    /**
     * A name the catalog holds no variant of may be recorded as a device of its chip only: AIConfigurator's A100_SXM
     * as an a100-sxm-80gb, not as a b200; a T4 as nothing in the catalog.
     */
    @Test
    void importShouldRecordANameTheCatalogLacksOnlyAsADeviceOfItsChip() throws IOException {
        Path csv = Files.writeString(dir.resolve("m.csv"), "source,gpu,dtype,m,n,k,time_us,notes\n"
                + "a,A100_SXM,bf16,1,2,3,10,\na,T4,bf16,1,2,3,10,\n");
        String out = dir.resolve("x.json").toString();
        assertThat(CliRun.of("import-csv", csv.toString(), "--gpu", "A100_SXM", "--dtype", "bf16", "--device", "b200",
                "--out", out)).isEqualTo(new CliRun(2, "", "gemmcost: --device b200: --gpu A100_SXM is no b200 by its"
                + " name; the device recorded must be the one the rows were measured on" + NL));
        assertThat(CliRun.of("import-csv", csv.toString(), "--gpu", "T4", "--dtype", "bf16", "--device", "h200",
                "--out", out).err()).startsWith("gemmcost: --device h200: --gpu T4 is no h200 by its name;");
        assertThat(CliRun.of("import-csv", csv.toString(), "--gpu", "A100_SXM", "--dtype", "bf16", "--device",
                "a100-sxm-80gb", "--out", out).status()).isZero();
        // a variant the name spells out, or another chip whose name holds this one's, is none of the catalog's
        for (String other : List.of("A100-SXM4-40GB", "RTX A1000", "H100 NVL")) {
            Path rows = Files.writeString(dir.resolve("o.csv"), "source,gpu,dtype,m,n,k,time_us,notes\na," + other
                    + ",bf16,1,2,3,10,\n");
            String device = other.startsWith("H100") ? "h100-sxm" : "a100-sxm-80gb";
            assertThat(CliRun.of("import-csv", rows.toString(), "--gpu", other, "--dtype", "bf16", "--device", device,
                    "--out", out).err()).as(other).contains("is no " + device + " by its name");
        }
    }

    /**
     * A time no GPU could achieve (1e-6 µs for 128³: 4.19 MFLOP, 49,152 elements; 10× the fastest catalogued GPU
     * needs 0.000614 µs) is refused where it enters, naming the CSV row, not written into a table every reader
     * refuses; a held-out profile's such entry is refused by validate, which would have printed a 10^8 % error.
     */
    @Test
    void anImpossibleTimeShouldBeRefusedAtImportAndAsAReference(@TempDir Path tmp) throws IOException {
        Path csv = Files.writeString(tmp.resolve("tiny.csv"), "source,gpu,dtype,m,n,k,time_us,notes\n"
                + "x,H100,bf16,128,128,128,5,\nx,H100,bf16,128,128,128,0.000001,\n");
        Path out = tmp.resolve("t.json");
        String why = ": time_us 1.0E-6 is under 0.000614 us, the least a GPU 10x the fastest catalogued one"
                + " (4.50e+15 FLOP/s, 8.00e+12 bytes/s) would need: not a measurement" + NL;

        assertThat(CliRun.of("import-csv", csv.toString(), "--gpu", "H100", "--dtype", "bf16", "--out",
                out.toString())).isEqualTo(new CliRun(2, "", "gemmcost: " + csv + ":3: (m=128, k=128, n=128)" + why));
        assertThat(out).doesNotExist();
        assertThat(CliRun.of("validate", "--profile", "h100-sxm", "--against", csv.toString()))
                .isEqualTo(new CliRun(2, "", "gemmcost: " + csv + ":3: (m=128, k=128, n=128)" + why));
    }

    @Test
    void shouldExitTwoWithOneLineOnABadRow() throws IOException {
        Path csv = Files.writeString(dir.resolve("m.csv"), """
                source,gpu,dtype,m,n,k,time_us,notes
                a,H100,fp16,1,2,3,10,
                a,H100,fp16,1,2,3,abc,
                """);
        Path out = dir.resolve("out.json");

        CliRun run = CliRun.of("import-csv", csv.toString(), "--gpu", "H100", "--dtype", "fp16", "--out", out.toString());

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("gemmcost: " + csv + ":3: column time_us: not a number: 'abc'" + NL);
        assertThat(run.out()).isEmpty();
        assertThat(out).doesNotExist();
    }

    @Test
    void shouldExitTwoListingTheGroupsWhenNoRowMatches() throws IOException {
        Path csv = Files.writeString(dir.resolve("m.csv"), """
                source,gpu,dtype,m,n,k,time_us,notes
                a,H100,fp16,1,2,3,10,
                """);

        CliRun run = CliRun.of("import-csv", csv.toString(), "--gpu", "H100", "--dtype", "bf16", "--out", "x.json");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("gemmcost: " + csv + ": no rows with gpu=H100, dtype=bf16; the file has"
                + " gpu/dtype: H100/fp16" + NL);
    }

    @Test
    void shouldExitOneOnAnInternalErrorAndShowTheStackTraceOnlyWithDebug() {
        CliRun plain = CliRun.of("test-fail");
        assertThat(plain.status()).isEqualTo(1);
        assertThat(plain.err()).isEqualTo("gemmcost: internal error: java.lang.IllegalStateException: boom" + NL);

        for (CliRun debug : new CliRun[] {CliRun.of("--debug", "test-fail"), CliRun.of("test-fail", "--debug")}) {
            assertThat(debug.status()).isEqualTo(1);
            assertThat(debug.err()).startsWith("gemmcost: internal error: java.lang.IllegalStateException: boom" + NL
                    + "java.lang.IllegalStateException: boom" + NL + "\tat ");
        }
    }

    @Test
    void shouldExitTwoOnBadInputAndShowTheStackTraceOnlyWithDebug() {
        CliRun plain = CliRun.of("test-fail", "--bad-input");
        assertThat(plain.status()).isEqualTo(2);
        assertThat(plain.err()).isEqualTo("gemmcost: the input is bad" + NL);

        CliRun debug = CliRun.of("test-fail", "--bad-input", "--debug");
        assertThat(debug.status()).isEqualTo(2);
        assertThat(debug.err()).startsWith("gemmcost: the input is bad" + NL
                + "gemmcost.BadInputException: the input is bad" + NL + "\tat ");
    }

    @Test
    void shouldExitThreeWithOneLineOnAResumableFailure() {
        CliRun plain = CliRun.of("test-fail", "--resumable");
        assertThat(plain.status()).isEqualTo(3);
        assertThat(plain.err()).isEqualTo("gemmcost: the GPU is lost; run again to resume" + NL);
    }

    @Test
    void checkClaimShouldSetTheClaimBesideItsSourceAndOurFiguresWithTwoDecimals() {
        CliRun run = CliRun.of("check-claim");

        assertThat(run.status()).as(run.err()).isZero();
        // 1 − 1.82/2.76 = 34.0580 %: the source table's figure, which one decimal would round to 34.1 %
        assertThat(run.out())
                .containsPattern("source Table 1: 1 - 1\\.82/2\\.76 ms +2\\.760 +1\\.820 +34\\.06%  claimed")
                .containsPattern("claimed by the seed report +34\\.20%  claimed")
                .containsPattern("DAG decode TPOT \\(m=1024\\), dense baseline +\\d+\\.\\d{3} +\\d+\\.\\d{3}"
                        + " +-?\\d+\\.\\d{2}%  modeled");
    }

    /** The seed's MA config with each regex of {@code edits} replaced by the text after it, written to ma.json. */
    private Path seedMa(String... edits) throws IOException {
        String seed = Files.readString(Path.of("../examples/seed-ma-separation.json"));
        for (int i = 0; i < edits.length; i += 2)
            seed = seed.replaceFirst(edits[i], edits[i + 1]);
        return Files.writeString(dir.resolve("ma.json"), seed);
    }

    @Test
    void checkClaimShouldSayHowTheConfiguredPlansRouteAndOverlap() throws IOException {
        Path skewed = seedMa("\"imbalance\": *1(\\.0)?", "\"imbalance\": 1.5", "\"micro_batches\": *1",
                "\"micro_batches\": 2");

        assertThat(CliRun.of("check-claim").out()).contains("; uniform top-2 routing; no micro-batch overlap.");
        assertThat(CliRun.of("check-claim", "--ma", skewed.toString()).out()).contains("; top-2 routing, the busiest"
                + " expert getting 1.50x its share; up to 2 micro-batches, list-scheduled.");
    }

    /**
     * The seed plans' fullest GPUs at 16 and 32 times the tokens: the baseline's 8 heads' cache of a 2-layer stage,
     * 8 x 1.07 GB a 2,048 tokens, MA's 12 (3 heads, 4 layers): at 16,384 tokens 68.7 + 1.2 GB and 103.1 + 0.9 GB, at
     * 32,768 137.4 + 1.2 and 206.2 + 0.9 GB, against the 77.31 GB usable of an H100 SXM.
     */
    @Test
    void checkClaimsSweepShouldSayWhichPlansFitTheirGpus() {
        CliRun run = CliRun.of("check-claim", "--sweep", "seq=8192,16384,32768");

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains("memory (fullest GPU's weights and KV cache, modeled): baseline with experts"
                + " 9.75 GB, MA 13.76 GB, of the 77.31 GB usable on a h100-sxm" + NL)
                .containsPattern(" 8192( +\\S+){5}  both +modeled")
                .containsPattern(" 16384( +\\S+){5}  baseline +modeled")
                .containsPattern(" 32768( +\\S+){5}  neither +modeled")
                .contains("  fits: which plans (the baseline with experts, MA) have their fullest GPU's weights and KV"
                        + " cache within the 77.31 GB usable on a h100-sxm (modeled); where one does not, its row is a"
                        + " what-if of a GPU with more memory");
    }

    @Test
    void analyzeShouldSayWhatItsFullestGpuHoldsAndRefuseATableOfAnotherDtype() throws IOException {
        Path longer = seedMa("\"seq_len\": *2048", "\"seq_len\": 32768");

        assertThat(CliRun.of("analyze", "--config", "../examples/seed-ma-separation.json").out()).contains("memory: the"
                + " fullest GPU, 0, holds 13.76 GB (0.87 GB of weights + 12.88 GB of KV cache) of the 77.31 GB usable"
                + " on a h100-sxm [modeled]" + NL);
        assertThat(CliRun.of("analyze", "--config", longer.toString()).out()).contains("memory: the fullest GPU, 0,"
                + " holds 207.03 GB (0.87 GB of weights + 206.16 GB of KV cache) of the 77.31 GB usable on a h100-sxm:"
                + " it does not fit [modeled]" + NL);
        String golden = "src/test/resources/golden/profile-v1.json";
        Path table = Files.writeString(dir.resolve("fp16.json"), Files.readString(Path.of(golden))
                .replace("\"dtype\": \"bf16\"", "\"dtype\": \"fp16\""));
        CliRun other = CliRun.of("analyze", "--config", "../examples/seed-ma-separation.json", "--profile",
                table.toString());
        assertThat(other).isEqualTo(new CliRun(2, "", "gemmcost: " + table + ": $.dtype: a fp16 table, but the"
                + " model's GEMMs are bf16 ($.model.dtype of the config)" + NL));
    }

    /**
     * A config that names no tiers communicates over its device's links: a B200's NVLink5 (682 GB/s all-reduce busbw),
     * not the H100's NVLink4 it had been given whatever the profile; an L40S's PCIe is not modeled, so a plan over
     * several GPUs is refused there, and a DAG's communication too; tiers of the config's own are costed as given.
     */
    @Test
    void aConfigsCollectivesShouldRunOnItsDevicesLinks() throws IOException {
        String baseline = "../examples/seed-baseline-tp8pp2.json";
        assertThat(CliRun.of("analyze", "--config", baseline, "--profile", "b200").out())
                .contains("over 8 GPUs on nvlink5 (α–β: 7.60 µs + 682.0 GB/s busbw)").doesNotContain("on nvlink (");
        String refused = "gemmcost: --profile l40s: its links are not modeled (NVLink4 of h100-sxm and h200, NVLink5 of"
                + " b200), so communication among %d GPUs is not costed on it" + NL;
        assertThat(CliRun.of("analyze", "--config", baseline, "--profile", "l40s"))
                .isEqualTo(new CliRun(2, "", refused.formatted(16)));
        assertThat(CliRun.of("critical-path", "--dag", "../examples/diamond.json", "--profile", "l40s"))
                .isEqualTo(new CliRun(2, "", refused.formatted(2)));
        // a JSON DAG gives its costs: no inference to list (it had ended in an internal error)
        assertThat(CliRun.of("critical-path", "--dag", "../examples/diamond.json", "--import-notes"))
                .isEqualTo(new CliRun(2, "", "gemmcost: --import-notes: applies to a DOT file, whose nodes' costs are"
                        + " inferred from their labels; ../examples/diamond.json is a JSON DAG, its costs given" + NL));
        Path own = Files.writeString(dir.resolve("own.json"), Files.readString(Path.of(baseline)).replaceFirst(
                "\"network\": *\\{", "\"network\": {\"intra_node\": {\"name\": \"pcie\", \"busbw_gb_per_s\":"
                        + " {\"all_reduce\": 20}}, \"inter_node\": {\"name\": \"roce\"},"));
        CliRun given = CliRun.of("analyze", "--config", own.toString(), "--profile", "l40s");
        assertThat(given.status()).as(given.err()).isZero();
        assertThat(given.out()).contains("over 8 GPUs on pcie (α–β: 4.30 µs + 20.00 GB/s busbw)");
    }

    /**
     * Tiers a config writes are its own even with the H100 defaults' values; a plan that does not communicate (tp 1,
     * pp 1) runs on an L40S; `report` leaves the seed's 16-GPU claim out there rather than cost it on NVLink4; a
     * profile of a device the catalog lacks has no modeled links either.
     */
    @Test
    void onlyWorkThatCommunicatesShouldNeedModeledLinks() throws IOException {
        String baseline = Files.readString(Path.of("../examples/seed-baseline-tp8pp2.json"));
        Path explicit = Files.writeString(dir.resolve("explicit.json"), baseline.replaceFirst("\"network\": *\\{",
                "\"network\": {\"intra_node\": {\"name\": \"nvlink\"},"));
        assertThat(CliRun.of("analyze", "--config", explicit.toString(), "--profile", "b200").out())
                .contains("over 8 GPUs on nvlink (α–β: 4.30 µs + 370.0 GB/s busbw)");
        // a tier left out is the device's even where the other is written: NVLink5 on B200, none on L40S
        Path interOnly = Files.writeString(dir.resolve("inter.json"), baseline.replaceFirst("\"network\": *\\{",
                "\"network\": {\"inter_node\": {\"name\": \"roce\"},"));
        assertThat(CliRun.of("analyze", "--config", interOnly.toString(), "--profile", "b200").out())
                .contains("over 8 GPUs on nvlink5 (");
        assertThat(CliRun.of("analyze", "--config", interOnly.toString(), "--profile", "l40s").status()).isEqualTo(2);
        // check-claim prices both plans on one network: one that writes its tiers and one that leaves them are two
        assertThat(CliRun.of("check-claim", "--profile", "b200", "--baseline", explicit.toString()).err())
                .contains("their $.network differ");
        Path alone = Files.writeString(dir.resolve("alone.json"), baseline.replaceFirst("\"tp\": 8, \"pp\": 2",
                "\"tp\": 1, \"pp\": 1"));
        assertThat(CliRun.of("analyze", "--config", alone.toString(), "--profile", "l40s").status()).isZero();
        Path page = dir.resolve("r.html");
        assertThat(CliRun.of("report", "--config", alone.toString(), "--profile", "l40s", "--out", page.toString())
                .out()).isEqualTo("wrote " + page + " (1 plans; the seed's claim left out: its 16 GPUs' links on l40s"
                + " are not modeled; open it in a browser)" + NL);
        assertThat(Files.readString(page)).doesNotContain("Does MA-separation cut TPOT");
        assertThat(CliRun.of("report", "--config", alone.toString(), "--profile", "l40s", "--sweep", "batch=1",
                "--out", page.toString()).err()).isEqualTo("gemmcost: --sweep batch=1: sweeps the seed's claim, whose"
                + " plans communicate among 16 GPUs, and their links on --profile l40s are not modeled" + NL);
        Path mystery = Files.writeString(dir.resolve("mystery.json"), Files.readString(Path.of(
                "../profiles/nvidia-h200/bf16.json")).replaceFirst("\"catalog_id\": *\"h200\",", "")
                .replace("NVIDIA H200", "Mystery GPU"));
        assertThat(CliRun.of("analyze", "--config", "../examples/seed-baseline-tp8pp2.json", "--profile",
                mystery.toString()).err()).isEqualTo("gemmcost: --profile " + mystery + " (a device the catalog does"
                + " not hold): its links are not modeled (NVLink4 of h100-sxm and h200, NVLink5 of b200), so"
                + " communication among 16 GPUs is not costed on it" + NL);
    }

    /** search ranks no plan whose fullest GPU cannot hold it; the seed's MA plan stays beside the ranking, marked. */
    @Test
    void searchShouldRankOnlyPlansThatFit() throws IOException {
        Path longer = seedMa("\"seq_len\": *2048", "\"seq_len\": 16384");

        String out = CliRun.of("search", "--config", longer.toString(), "--gpus", "16").out();

        assertThat(out).containsPattern("\\d+ more plans do not fit: their fullest GPU's weights and KV cache are over"
                + " the 77\\.31 GB usable on a h100-sxm \\(modeled\\); neither evaluated nor ranked")
                .containsPattern("-  +\\d+\\.\\d{3}  modeled +MA 12\\+4, .*<- seed MA-separation; does not fit,"
                        + " not ranked");
        assertThat(out.lines().filter(l -> l.matches(" +\\d+ +\\d+\\.\\d{3} .*")).toList())
                .allSatisfy(l -> assertThat(l).doesNotContain("MA 12+4"));
        // where no plan fits, nothing is ranked: refused, not an empty table
        Path none = seedMa("\"seq_len\": *2048", "\"seq_len\": 18300");
        assertThat(CliRun.of("search", "--config", none.toString(), "--gpus", "16").err()).isEqualTo("gemmcost:"
                + " --gpus 16: no plan of " + none + " fits: the fullest GPU of the least loaded holds 77.91 GB of"
                + " weights and KV cache, more than the 77.31 GB usable on a h100-sxm [modeled]" + NL);
    }

    @Test
    void checkClaimShouldRefuseAPlanOfTheWrongKindOnEitherSide() {
        CliRun ma = CliRun.of("check-claim", "--ma", "../examples/seed-baseline-tp8pp2.json");
        assertThat(ma.status()).isEqualTo(2);
        assertThat(ma.err()).isEqualTo("gemmcost: --ma ../examples/seed-baseline-tp8pp2.json: $.plan.kind: the MA side"
                + " must be an ma_separation plan, this is tp_pp" + NL);

        CliRun baseline = CliRun.of("check-claim", "--baseline", "../examples/seed-ma-separation.json");
        assertThat(baseline.status()).isEqualTo(2);
        assertThat(baseline.err()).isEqualTo("gemmcost: --baseline ../examples/seed-ma-separation.json: $.plan.kind:"
                + " the baseline must be a tp_pp plan, this is ma_separation" + NL);
    }

    @Test
    void aDtypeGivenWithATableOfAnotherDtypeShouldBeRefusedNotIgnored() {
        String golden = "src/test/resources/golden/profile-v1.json";
        CliRun run = CliRun.of("get-time", "--profile", golden, "--dtype", "fp16", "1", "2", "3");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("gemmcost: --dtype fp16: " + golden + " is a bf16 table; --dtype chooses a"
                + " catalog device's dtype and cannot change a table's" + NL);
        assertThat(CliRun.of("get-time", "--profile", golden, "--dtype", "bf16", "1", "2", "3").status()).isZero();
        assertThat(CliRun.of("critical-path", "--profile", golden, "--dtype", "fp16", "--dag",
                "../examples/diamond.json").err()).isEqualTo(run.err());
        // the table's own dtype given: the same answer as without --dtype
        CliRun same = CliRun.of("critical-path", "--profile", golden, "--dtype", "bf16", "--dag",
                "../examples/diamond.json");
        assertThat(same.status()).isZero();
        assertThat(same.out()).isEqualTo(CliRun.of("critical-path", "--profile", golden, "--dag",
                "../examples/diamond.json").out()).contains(golden);
    }

    @Test
    void searchShouldBoundItsThreadsAndBlameMicroBatchesThatDivideNothing() {
        int cores = Runtime.getRuntime().availableProcessors();
        CliRun threads = CliRun.of("search", "--config", "../examples/seed-ma-separation.json", "--threads", "10000");
        assertThat(threads.status()).isEqualTo(2);
        assertThat(threads.err()).isEqualTo("gemmcost: --threads 10000: must be from 1 to " + 4 * cores + " (4 per"
                + " core; this machine has " + cores + ")" + NL);

        CliRun micro = CliRun.of("search", "--config", "../examples/seed-ma-separation.json", "--micro-batches", "3");
        assertThat(micro.status()).isEqualTo(2);
        assertThat(micro.err()).isEqualTo("gemmcost: --micro-batches 3: none divides the model's batch of 1024"
                + " sequences" + NL);
        // one that divides and one that does not: the other is named, not dropped in silence
        CliRun some = CliRun.of("search", "--config", "../examples/seed-ma-separation.json", "--micro-batches", "1,3",
                "--top", "1");
        assertThat(some.out()).contains("micro-batches [1]) evaluated in")
                .contains("micro-batches [3] left out: they do not divide the batch of 1024 sequences" + NL);
    }

    @Test
    void searchShouldRankNoPlanWhereTheKvCacheAloneOverflowsEveryGpu() {
        // 1024 sequences x 2048 tokens x 4 layers x (K, V) x 32 heads x 128 x 2 B = 137.4 GB; an H100 SXM's usable
        // memory is 90 % of 80 GiB = 77.31 GB: on one GPU the cache alone does not fit, with TP1 x PP1's weights
        // (4 layers of 32 heads' Q, K, V, O and 16 experts of 2 x 4096 x 16384, the embedding and LM head: 18.54 GB)
        // 155.98 GB; on two it would (68.7 GB a GPU), but not with the weights each GPU holds; on four it does
        CliRun one = CliRun.of("search", "--config", "../examples/seed-ma-separation.json", "--gpus", "1");
        assertThat(one).isEqualTo(new CliRun(2, "", "gemmcost: --gpus 1: no plan of"
                + " ../examples/seed-ma-separation.json fits: the fullest GPU of the least loaded holds 155.98 GB of"
                + " weights and KV cache, more than the 77.31 GB usable on a h100-sxm [modeled]" + NL));
        assertThat(CliRun.of("search", "--config", "../examples/seed-ma-separation.json", "--gpus", "2").err())
                .startsWith("gemmcost: --gpus 2: no plan of ../examples/seed-ma-separation.json fits: the fullest GPU");
        assertThat(CliRun.of("search", "--config", "../examples/seed-ma-separation.json", "--gpus", "4").status())
                .isZero();
    }

    @Test
    void reportShouldRefuseConfigsOfTwoDtypesAndAnOutputThatIsAnInput() throws IOException {
        Path bf16 = Path.of("../examples/seed-baseline-tp8pp2.json");
        Path fp8 = Files.writeString(dir.resolve("fp8.json"), Files.readString(bf16)
                .replace("\"dtype\": \"bf16\"", "\"dtype\": \"fp8\""));
        Path html = dir.resolve("r.html");
        assertThat(CliRun.of("report", "--config", bf16.toString(), "--config", fp8.toString(), "--out",
                html.toString())).isEqualTo(new CliRun(2, "", "gemmcost: " + fp8 + ": $.model.dtype: fp8, but " + bf16
                + " is bf16; one report costs one GEMM dtype (one profile): write one report per dtype" + NL));
        Path copy = Files.copy(bf16, dir.resolve("copy.json"));
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), copy);
        assertThat(CliRun.of("report", "--config", copy.toString(), "--out", link.toString())).isEqualTo(new CliRun(2,
                "", "gemmcost: --out " + link + ": is one of the inputs (--config, --profile); write it"
                + " elsewhere" + NL));
        assertThat(Files.readString(copy)).isEqualTo(Files.readString(bf16));
        Path table = Files.copy(Path.of("../profiles/nvidia-h200/bf16.json"), dir.resolve("bf16.json"));
        assertThat(CliRun.of("report", "--config", bf16.toString(), "--profile", table.toString(), "--out",
                table.toString()).status()).isEqualTo(2);
        assertThat(Files.readString(table)).isEqualTo(Files.readString(Path.of("../profiles/nvidia-h200/bf16.json")));
        assertThat(Files.exists(html)).isFalse();
    }

    /** Review: the chart called an imported table's entries "measured", in its caption and then its tooltips. */
    @Test
    void theReportsChartShouldNameItsTablesEntriesAsTheTableDoes() throws IOException {
        Path config = Path.of("../examples/seed-baseline-tp8pp2.json");
        String measured = Files.readString(Path.of("../profiles/nvidia-h200/bf16.json"));
        Path imported = Files.writeString(dir.resolve("imported.json"),
                measured.replaceFirst("\"kind\": *\"measured\"", "\"kind\": \"imported\""));
        for (var table : Map.of("../profiles/nvidia-h200/bf16.json", "measured", imported.toString(), "imported")
                .entrySet()) {
            Path page = dir.resolve(table.getValue() + ".html");
            CliRun run = CliRun.of("report", "--config", config.toString(), "--profile", table.getKey(), "--out",
                    page.toString());
            assertThat(run.status()).as(run.err()).isZero();
            String other = table.getValue().equals("measured") ? "imported" : "measured";
            // each dot's tooltip says it too, and the panels are the plan's own GEMM sites
            assertThat(Files.readString(page)).contains("Dots: the table&#39;s entries (" + table.getValue() + ").")
                    .doesNotContain("measured entries").contains("TFLOP/s [" + table.getValue() + "]</title></circle>")
                    .doesNotContain("TFLOP/s [" + other + "]</title></circle>")
                    .contains("Panels: the (k, n) the plans above spend the most GEMM time in.");
        }
    }

    @Test
    void everyJsonOutputShouldListItsLabelsAsAnArrayOfIdsInDeclarationOrder() throws IOException {
        String config = "../examples/seed-ma-separation.json";
        JsonNode search = lastLineJson("search", "--config", config, "--json");
        JsonNode analyze = lastLineJson("analyze", "--config", config, "--json");
        JsonNode seed = lastLineJson("seed-formulas", "--json", "--profile",
                "src/test/resources/golden/profile-v1.json");

        assertThat(search.at("/top/0/labels").toString()).isEqualTo("[\"modeled\"]");
        assertThat(search.at("/seed_plans/0/labels").toString()).isEqualTo("[\"modeled\"]");
        assertThat(analyze.get("makespan_labels").toString()).isEqualTo("[\"modeled\"]");
        // the golden profile's five shapes: the seed's GEMMs hit some, fall between others and outside the rest
        assertThat(seed.get("labels").toString()).isEqualTo("[\"measured\",\"interpolated\",\"extrapolated\"]");
    }

    private static JsonNode lastLineJson(String... args) throws IOException {
        CliRun run = CliRun.of(args);
        assertThat(run.status()).as(run.err()).isZero();
        return new ObjectMapper().readTree(run.out().lines().toList().getLast());
    }

    /**
     * The overhead is the user's number, given, not the Get_Time's labels (it had read "[measured]" or
     * "[extrapolated]" by the profile); the results carry both, each on its line.
     */
    @Test
    void seedFormulasShouldLabelTheOverheadGivenAndEachResult() throws IOException {
        String out = CliRun.of("seed-formulas", "--comm-us", "5").out();

        assertThat(out).contains("Communication_Overhead = 5.000 us [given]" + NL)
                .containsPattern("baseline \"Total Critical Path Time\" +\\d+\\.\\d us  \\[modeled\\+given\\]")
                .containsPattern("reduction vs Total -?\\d+\\.\\d%, vs Optimized -?\\d+\\.\\d%  \\[modeled\\+given\\]");
        assertThat(lastLineJson("seed-formulas", "--comm-us", "5", "--json").get("labels").toString())
                .isEqualTo("[\"modeled\",\"given\"]");
        // the JSON's reduction in % as the text's: 1 − MA / baseline, × 100
        JsonNode json = lastLineJson("seed-formulas", "--json");
        assertThat(json.get("reduction_vs_total_pct").asDouble()).isCloseTo(100 * (1 - json.get("ma_us").asDouble()
                / json.get("baseline_total_us").asDouble()), within(1e-9));
        assertThat(CliRun.of("seed-formulas").out()).contains("Communication_Overhead = 0.000 us [given]" + NL)
                .containsPattern("MA-separation +\\d+\\.\\d us .* per layer\\)  \\[modeled\\]");
    }

    /**
     * A DOT node not understood is costed 0 and labelled uncosted, not modeled, on its line and in the path's shares.
     */
    @Test
    void aDotNodeNotUnderstoodShouldBeUncostedNotModeled() throws IOException {
        Path dot = Files.writeString(dir.resolve("g.dot"), """
                digraph g {
                  a [label="Mystery op\\nGPU: 0"];
                  b [label="LayerNorm\\nInput: [batch_size=1024, seq_len=1, hidden_dim=4096]\\nOutput: \
                [batch_size=1024, seq_len=1, hidden_dim=4096]\\nGPU: 0"];
                  a -> b;
                }
                """);

        CliRun run = CliRun.of("critical-path", "--dag", dot.toString());

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("0\\.000  uncosted +0 +a ")
                .contains("critical path (unlimited resources):   5.008 us  [modeled 100.0%, uncosted 0.0%]")
                .contains("schedule makespan (GPUs shared):       5.008 us  [modeled+uncosted]");
    }

    /** A path that takes no time names its labels, not "empty" (an all-reduce over one GPU). */
    @Test
    void aPathOfNoTimeShouldNameItsLabels() throws IOException {
        Path file = Files.writeString(dir.resolve("one.json"), """
                {"schema": "gemmcost.dag/1", "nodes": [{"id": "x", "gpus": [0],
                  "comm": {"collective": "all_reduce", "bytes": 1000000}}], "edges": []}
                """);

        CliRun run = CliRun.of("critical-path", "--dag", file.toString());

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains("critical path (unlimited resources):   0.000 us  [modeled]" + NL)
                .contains("all_reduce of 1.000e+06 bytes over 1 GPU: nothing to exchange, 0 us (modeled)");
        // after 10 us given, the all-reduce of no time ends the path, and its label takes no share of it
        Path after = Files.writeString(dir.resolve("after.json"), """
                {"schema": "gemmcost.dag/1", "nodes": [{"id": "a", "gpu": 0, "duration_us": 10},
                  {"id": "x", "gpus": [0], "comm": {"collective": "all_reduce", "bytes": 1000000}}],
                  "edges": [["a", "x"]]}
                """);
        CliRun ended = CliRun.of("critical-path", "--dag", after.toString());
        assertThat(ended.out()).contains("critical path (unlimited resources):   10.00 us  [given 100.0%]" + NL)
                .contains("ops on the critical path (2):");
    }

    /** A file named .json that is not JSON is a JSON fault ("not valid DOT" named a format it was never meant in). */
    @Test
    void aDagNamedJsonShouldBeReadAsJson() throws IOException {
        Path file = Files.writeString(dir.resolve("notjson.json"), "not json\n");

        assertThat(CliRun.of("critical-path", "--dag", file.toString())).isEqualTo(new CliRun(2, "",
                "gemmcost: " + file + ":1:1: not valid JSON: Unrecognized token 'not'" + NL));
    }

    @Test
    void seedFormulasShouldRefuseACommunicationTimeThatOverflowsThem() {
        CliRun run = CliRun.of("seed-formulas", "--comm-us", "1e308");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("gemmcost: --comm-us 1.0E308: the seed's expressions overflow a 64-bit"
                + " float with it" + NL);
        assertThat(run.out()).doesNotContain("Infinity");
        assertThat(CliRun.of("seed-formulas", "--comm-us", "-0").out()).contains("0.000").doesNotContain("-0.0");
    }

    @Test
    void everyExampleShouldStandWholeOnItsLineInTheHelpAndTheCommandListShowWholeSentences() {
        CommandLine root = Gemmcost.commandLine(new java.io.PrintWriter(java.io.Writer.nullWriter()),
                new java.io.PrintWriter(java.io.Writer.nullWriter()));
        for (var command : root.getSubcommands().entrySet()) {
            if (command.getKey().equals("help") || command.getValue().getCommandSpec().usageMessage().hidden())
                continue;
            CliRun help = CliRun.of(command.getKey(), "--help");
            assertThat(help.out().lines()).as(command.getKey())
                    .containsAll(List.of(command.getValue().getCommandSpec().usageMessage().footer()).stream()
                            .filter(line -> line.startsWith("  scripts/")).toList());
            String header = String.join(" ", command.getValue().getCommandSpec().usageMessage().header());
            assertThat(header).as(command.getKey()).endsWith(".").doesNotContain("\n");
        }
    }

    @Test
    void theHelpWidthShouldFollowColumnsButNeverCutAnExample() {
        CommandLine root = Gemmcost.commandLine(new java.io.PrintWriter(java.io.Writer.nullWriter()),
                new java.io.PrintWriter(java.io.Writer.nullWriter()));
        int longest = root.getSubcommands().values().stream()
                .flatMap(c -> List.of(c.getCommandSpec().usageMessage().footer()).stream())
                .mapToInt(String::length).max().orElseThrow();

        assertThat(Gemmcost.usageWidth(root, "300")).isEqualTo(300);
        assertThat(Gemmcost.usageWidth(root, "60")).isEqualTo(Math.max(60, longest + 1));
        assertThat(Gemmcost.usageWidth(root, null)).isEqualTo(Math.max(80, longest + 1));
    }

    @Test
    void typedOptionsShouldBeConvertedOnceWithOneLineForABadValue() {
        CliRun phase = CliRun.of("analyze", "--config", "../examples/seed-ma-separation.json", "--phase", "bogus");
        assertThat(phase.status()).isEqualTo(2);
        assertThat(phase.err()).isEqualTo("gemmcost: Invalid value for option '--phase': bogus: must be prefill or"
                + " decode (usage: gemmcost analyze --help)" + NL);

        CliRun dtype = CliRun.of("get-time", "--profile", "h100-sxm", "--dtype", "fp9", "1", "2", "3");
        assertThat(dtype.status()).isEqualTo(2);
        assertThat(dtype.err()).isEqualTo("gemmcost: Invalid value for option '--dtype': fp9: unknown dtype (bf16,"
                + " fp16, tf32, fp32, fp8, fp8_block) (usage: gemmcost get-time --help)" + NL);
    }
}
