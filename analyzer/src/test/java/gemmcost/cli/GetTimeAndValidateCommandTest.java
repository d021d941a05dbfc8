package gemmcost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import gemmcost.table.GemmShape;
import gemmcost.table.Profile;
import gemmcost.table.ProfileEntry;
import gemmcost.table.ProfileJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GetTimeAndValidateCommandTest {
    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;
    private Path profile;


    @BeforeEach
    void writeProfile() {
        profile = dir.resolve("table.json");
        ProfileJson.write(profile, new Profile(Profile.Device.named("Test GPU", null), Profile.Host.UNKNOWN,
                Profile.Timing.UNKNOWN, "bf16", null,
                new Profile.Provenance(Profile.Kind.IMPORTED, "imported from test", "0", "unknown", Instant.EPOCH),
                List.of(new ProfileEntry(new GemmShape(1024, 1024, 1024), 20.0, 3),
                        new ProfileEntry(new GemmShape(4096, 1024, 1024), 50.0, 3))));
    }

    @Test
    void shouldPrintTheModeledRooflineOfACatalogDevice() {
        CliRun run = CliRun.of("get-time", "--profile", "h100-sxm", "8192", "8192", "8192");

        // 2·8192³ FLOP at the dense 989.4 TFLOP/s = 1111.31 µs (compute-bound)
        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo("Get_Time(8192, 8192, 8192) = 1111.3 us  [modeled] roofline speed of light"
                + " from datasheet peaks (no efficiency loss)" + NL
                + "source: modeled: NVIDIA H100 SXM5 80GB (h100-sxm), bf16, dense datasheet roofline with a 2.4 us kernel"
                + " floor, no measured table" + NL);
    }

    @Test
    void aRooflineBelowTheKernelFloorShouldSayTheFloorAnswers() {
        CliRun run = CliRun.of("get-time", "--profile", "h100-sxm", "1", "2", "3");

        // 11 bf16 elements, 22 B at 3.35 TB/s: 7e-6 µs, far under the 2.4 µs no GEMM kernel beats
        assertThat(run.out().lines().findFirst()).hasValue("Get_Time(1, 2, 3) = 2.400 us  [modeled] the 2.4 us kernel"
                + " floor (the shape's own estimate is below it)");
    }

    @Test
    void blockScaledFp8ShouldRunAtTheFp8PeakOfACatalogDevice() {
        CliRun run = CliRun.of("get-time", "--profile", "h200", "--dtype", "fp8_block", "8192", "8192", "8192");

        // 2·8192³ FLOP at H200's dense fp8 1,979 TFLOP/s = 555.6 µs: block scales use the same tensor cores
        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo("Get_Time(8192, 8192, 8192) = 555.6 us  [modeled] roofline speed of light"
                + " from datasheet peaks (no efficiency loss)" + NL
                + "source: modeled: NVIDIA H200 SXM 141GB (h200), fp8_block (fp8 tensor cores), dense datasheet roofline"
                + " with a 2.4 us kernel floor, no measured table" + NL);
    }

    @Test
    void aTinyModeledGemmShouldTakeTheKernelFloorNotNothing() {
        CliRun run = CliRun.of("get-time", "--profile", "h100-sxm", "--json", "1", "1", "1");

        // the roofline gives 2 FLOP / 989.4e12 FLOP/s ≈ 2e-6 µs; no kernel runs in under 2.4 µs
        assertThat(run.status()).isZero();
        assertThat(run.out()).contains("\"time_us\":2.4,\"label\":\"modeled\"");
    }

    @Test
    void shouldPrintAnImportedEntryAsJsonLabelledImported() {
        CliRun run = CliRun.of("get-time", "--profile", profile.toString(), "--json", "4096", "1024", "1024");

        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo("{\"m\":4096,\"k\":1024,\"n\":1024,\"time_us\":50.0,\"label\":\"imported\","
                + "\"method\":\"exact\",\"explain\":\"exact table hit\",\"source\":\"imported: " + profile
                + " (Test GPU, bf16, 2 shapes, device not in the catalog)\","
                + "\"datasheet_roofline_us\":null,\"faster_than_datasheet\":false}" + NL);
    }

    /** Review: an answer faster than the GPU's datasheet allows was said only as a count on the source line. */
    @Test
    void anAnswerFasterThanTheDatasheetAllowsShouldSaySo() {
        Path table = importedTable("h100.json", Profile.Device.named("H100 SXM", "h100-sxm"), "bf16",
                new ProfileEntry(new GemmShape(1, 8192, 8192), 10.0, 3),
                new ProfileEntry(new GemmShape(8192, 8192, 8192), 1500.0, 3));

        CliRun fast = CliRun.of("get-time", "--profile", table.toString(), "1", "8192", "8192");
        CliRun json = CliRun.of("get-time", "--profile", table.toString(), "--json", "1", "8192", "8192");
        CliRun slow = CliRun.of("get-time", "--profile", table.toString(), "8192", "8192", "8192");

        // (8192 + 8192² + 8192) bf16 elements, 134,250,496 B at 3.35 TB/s: 40.07 µs, where the table says 10
        assertThat(fast.out().lines().toList().getLast()).isEqualTo("note: faster than the h100-sxm datasheet's"
                + " roofline for this shape, 40.07 us [modeled]: the table's times beat its DRAM bandwidth or peak here"
                + " (operands held in L2, a boost clock)");
        assertThat(json.out()).contains(",\"faster_than_datasheet\":true}").contains("\"datasheet_roofline_us\":40.07");
        // 2·8192³ FLOP at 989.4 TFLOP/s: 1111.3 µs, under the 1500 measured
        assertThat(slow.out()).doesNotContain("note:");
    }

    /** A stand-in's times are no measurement: its source line counts none beyond the datasheet, nor does an answer. */
    @Test
    void aSimulatedAnswerFasterThanTheDatasheetShouldNotBeNoted() {
        Path table = table("standin.json", Profile.Kind.SIMULATED, Profile.Device.named("H100 SXM", "h100-sxm"), "bf16",
                new ProfileEntry(new GemmShape(1, 8192, 8192), 10.0, 3));

        CliRun run = CliRun.of("get-time", "--profile", table.toString(), "--json", "1", "8192", "8192");

        assertThat(run.out()).contains("\"label\":\"simulated\"").contains("\"datasheet_roofline_us\":40.07")
                .endsWith(",\"faster_than_datasheet\":false}" + NL);
    }

    @Test
    void aCatalogDeviceWithoutAPeakForTheDtypeShouldSaySoNotThatTheDeviceIsUnknown() {
        Path table = importedTable("fp8e5.json", Profile.Device.named("B200", "b200"), "fp8_e4m3xe4m3",
                new ProfileEntry(new GemmShape(1024, 1024, 1024), 20.0, 3));
        assertThat(CliRun.of("get-time", "--profile", table.toString(), "1024", "1024", "1024").out())
                .endsWith("source: imported: " + table + " (B200, fp8_e4m3xe4m3, 1 shapes, no datasheet peak for"
                        + " fp8_e4m3xe4m3)" + NL);
    }

    @Test
    void shouldRejectBadShapesAndUnknownProfilesWithOneLine() {
        assertThat(CliRun.of("get-time", "--profile", "h100-sxm", "0", "512", "4096"))
                .isEqualTo(new CliRun(2, "", "gemmcost: must be > 0: m=0, k=512, n=4096" + NL));
        assertThat(CliRun.of("get-time", "--profile", "h300", "1", "2", "3").err()).isEqualTo(
                "gemmcost: --profile h300: no such file, and not a catalog device (a100-sxm-80gb, h100-sxm, h100-pcie,"
                        + " h200, l40s, b200)" + NL);
        assertThat(CliRun.of("get-time", "--profile", "/dev/null", "1", "2", "3").err()).isEqualTo(
                "gemmcost: --profile /dev/null: not a regular file (a profile is a table's .json)" + NL);
    }

    @Test
    void shouldSummariseAbsolutePercentageErrorsAsOneJsonObject() throws IOException {
        Path csv = dir.resolve("m.csv");
        // predictions are the table's 20 and 50 µs: errors |20-25|/25 = 20 % and |50-40|/40 = 25 %
        Files.writeString(csv, "source,gpu,dtype,m,n,k,time_us,notes\n"
                + "x,G,bf16,1024,1024,1024,25,\n"
                + "x,G,bf16,4096,1024,1024,40,\n");
        Path rows = dir.resolve("rows.csv");

        CliRun run = CliRun.of("validate", "--profile", profile.toString(), "--against", csv.toString(), "--json",
                "--report", rows.toString());

        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo(
                "{\"count\":2,\"reference_label\":\"imported\",\"prediction_labels\":[\"imported\"],"
                        + "\"median_ape_pct\":22.5,\"p90_ape_pct\":24.5,\"max_ape_pct\":25.0,\"same_gpu\":true,"
                        + "\"rows_of_other_dtypes\":0}" + NL);
        assertThat(Files.readAllLines(rows)).containsExactly(
                "line,m,k,n,reference_us,reference_label,predicted_us,label,ape_pct,method",
                "2,1024,1024,1024,25.0,imported,20.0,imported,20.0000,exact",
                "3,4096,1024,1024,40.0,imported,50.0,imported,25.0000,exact");
    }

    @Test
    void shouldTakeAnotherProfilesEntriesAsTheMeasurements() {
        // measured 25 µs where the table holds 20: |20-25|/25 = 20 %
        Path heldOut = heldOut("bf16");

        CliRun run = CliRun.of("validate", "--profile", profile.toString(), "--against", heldOut.toString(), "--json");

        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo(
                "{\"count\":1,\"reference_label\":\"measured\",\"prediction_labels\":[\"imported\"],"
                        + "\"median_ape_pct\":20.0,\"p90_ape_pct\":20.0,\"max_ape_pct\":20.0,\"same_gpu\":true,"
                        + "\"rows_of_other_dtypes\":0}" + NL);
    }

    @Test
    void theSummaryShouldSayWhatKindOfTableTheHeldOutRowsCameFrom() {
        Path heldOut = heldOut("bf16");

        CliRun run = CliRun.of("validate", "--profile", profile.toString(), "--against", heldOut.toString());

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out().lines().findFirst()).hasValueSatisfying(line -> assertThat(line)
                .startsWith("1 rows of " + heldOut + " (measured) predicted from imported: "));
        // 1024³ is an entry of the table: its answer is the table's own, which says nothing of the predictions
        assertThat(run.out().lines().toList().getLast()).isEqualTo("1 of the 1 rows are shapes the table holds,"
                + " answered as it holds them, not predicted");
    }

    @Test
    void shouldRefuseAHeldOutProfileOrMeasurementRowsOfAnotherDtype() throws IOException {
        Path heldOut = heldOut("fp16");
        Path csv = dir.resolve("m.csv");
        Files.writeString(csv, "source,gpu,dtype,m,n,k,time_us,notes\n"
                + "x,G,fp8,1024,1024,1024,25,\n"
                + "x,G,fp8,4096,1024,1024,40,\n");
        Path mixed = dir.resolve("mixed.csv");
        Files.writeString(mixed, "source,gpu,dtype,m,n,k,time_us,notes\n"
                + "x,G,fp8,1024,1024,1024,25,\n"
                + "x,G,tf32,4096,1024,1024,40,\n");

        assertThat(CliRun.of("validate", "--profile", profile.toString(), "--against", heldOut.toString()))
                .isEqualTo(new CliRun(2, "", "gemmcost: --against " + heldOut + ": dtype fp16, but " + profile
                        + " is bf16: compare like with like" + NL));
        // a CSV's rows all of one other dtype: the first is named
        assertThat(CliRun.of("validate", "--profile", profile.toString(), "--against", csv.toString()))
                .isEqualTo(new CliRun(2, "", "gemmcost: --against " + csv + ":2: dtype fp8, but " + profile
                        + " is bf16: compare like with like" + NL));
        assertThat(CliRun.of("validate", "--profile", profile.toString(), "--against", mixed.toString()))
                .isEqualTo(new CliRun(2, "", "gemmcost: --against " + mixed + ": no row of dtype bf16, the dtype of "
                        + profile + " (its dtypes: fp8, tf32): compare like with like" + NL));
    }

    /** Review: XLA's table holds one GPU's bf16 and tf32 rows; they could not be validated from the one file. */
    @Test
    void rowsOfSeveralDtypesShouldBeComparedWhereTheyAreTheTablesAndTheOthersCounted() throws IOException {
        Path csv = dir.resolve("m.csv");
        Files.writeString(csv, "source,gpu,dtype,m,n,k,time_us,notes\n"
                + "x,G,tf32,1024,1024,1024,99,\n"
                + "x,G,bf16,4096,1024,1024,40,\n"
                + "x,G,fp8,4096,1024,1024,11,\n"
                + "x,G,tf32,4096,1024,1024,12,\n");

        CliRun text = CliRun.of("validate", "--profile", profile.toString(), "--against", csv.toString());
        CliRun json = CliRun.of("validate", "--profile", profile.toString(), "--against", csv.toString(), "--json");

        // the bf16 row alone: 50 µs in the table against 40 measured, 25 %
        assertThat(text.status()).as(text.err()).isZero();
        assertThat(text.out()).startsWith("1 rows of " + csv + " (imported) predicted from ")
                .contains("absolute error: median 25.00 %, p90 25.00 %, max 25.00 %" + NL)
                .contains("left out: 1 row of fp8, 2 rows of tf32 (the table is bf16)" + NL);
        assertThat(json.out()).startsWith("{\"count\":1,").contains("\"median_ape_pct\":25.0,")
                .endsWith("\"rows_of_other_dtypes\":3}" + NL);
    }

    /** A median over several GPUs' rows says nothing of any one: --gpu picks one, and is needed to. */
    @Test
    void measurementRowsOfSeveralGpusShouldNeedGpuToPickOne() throws IOException {
        Path csv = dir.resolve("m.csv");
        Files.writeString(csv, "source,gpu,dtype,m,n,k,time_us,notes\n"
                + "x,H100,bf16,1024,1024,1024,25,\n"
                + "x,A100,bf16,4096,1024,1024,40,\n");

        assertThat(CliRun.of("validate", "--profile", profile.toString(), "--against", csv.toString()))
                .isEqualTo(new CliRun(2, "", "gemmcost: --against " + csv + ": rows of 2 GPUs (A100, H100): pick one"
                        + " with --gpu" + NL));
        assertThat(CliRun.of("validate", "--profile", profile.toString(), "--against", csv.toString(), "--gpu", "L4"))
                .isEqualTo(new CliRun(2, "", "gemmcost: --gpu L4: no row of " + csv + " is of it (its gpus: A100,"
                        + " H100)" + NL));
        // the A100 row alone: 4096 x 1024 x 1024, 50 µs in the table against 40 measured, 25 %
        CliRun run = CliRun.of("validate", "--profile", profile.toString(), "--against", csv.toString(), "--gpu",
                "A100", "--json");
        assertThat(run.out()).startsWith("{\"count\":1,").contains("\"median_ape_pct\":25.0,");
    }

    /** Review: rows of another GPU than the table's were compared without a word. */
    @Test
    void rowsOfAnotherGpuThanTheTablesShouldBeSaidSo() throws IOException {
        Path csv = dir.resolve("a100.csv");
        Files.writeString(csv, "source,gpu,dtype,m,n,k,time_us,notes\nx,A100,bf16,4096,1024,1024,40,\n");
        String note = "note: the rows are of A100, the table of %s: the error is how far one GPU's times are from"
                + " another's";
        assertThat(CliRun.of("validate", "--profile", profile.toString(), "--against", csv.toString()).out().lines())
                .contains(note.formatted("Test GPU"));
        assertThat(CliRun.of("validate", "--profile", "h100-sxm", "--against", csv.toString()).out().lines())
                .contains(note.formatted("h100-sxm"));
        assertThat(CliRun.of("validate", "--profile", "h100-sxm", "--against", csv.toString(), "--json").out())
                .contains(",\"same_gpu\":false,");
        // a bare chip name may be any of its variants: no note
        assertThat(CliRun.of("validate", "--profile", "a100-sxm-80gb", "--against", csv.toString()).out())
                .doesNotContain("note:");
        assertThat(CliRun.of("validate", "--profile", "a100-sxm-80gb", "--against", csv.toString(), "--json").out())
                .contains(",\"same_gpu\":true,");
        Path own = dir.resolve("own.csv");
        // out of the catalog, by name (one holding the other, whatever the case)
        Files.writeString(own, "source,gpu,dtype,m,n,k,time_us,notes\nx,test gpu,bf16,4096,1024,1024,40,\n");
        assertThat(CliRun.of("validate", "--profile", profile.toString(), "--against", own.toString()).out())
                .doesNotContain("note:");
    }

    @Test
    void shouldNeverWriteTheReportOverAnInput() throws IOException {
        Path csv = dir.resolve("m.csv");
        Files.writeString(csv, "source,gpu,dtype,m,n,k,time_us,notes\nx,G,bf16,1024,1024,1024,25,\n");
        String before = Files.readString(csv);

        CliRun run = CliRun.of("validate", "--profile", profile.toString(), "--against", csv.toString(), "--report",
                csv.toString());

        assertThat(run).isEqualTo(new CliRun(2, "", "gemmcost: --report " + csv + ": is one of the inputs (--against,"
                + " --profile); write it elsewhere" + NL));
        assertThat(Files.readString(csv)).isEqualTo(before);
    }

    @Test
    void shouldReadAHeldOutProfileWhateverTheCaseOfItsExtension() throws IOException {
        Path upper = Files.copy(heldOut("bf16"), dir.resolve("held-out.JSON"));

        CliRun run = CliRun.of("validate", "--profile", profile.toString(), "--against", upper.toString(), "--json");

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("{\"count\":1,\"reference_label\":\"measured\"");
    }

    /** An imported table of {@code entries} on {@code device}, written to {@code name} in the test's folder. */
    private Path importedTable(String name, Profile.Device device, String dtype, ProfileEntry... entries) {
        return table(name, Profile.Kind.IMPORTED, device, dtype, entries);
    }

    /** A table of {@code kind} of {@code entries} on {@code device}, written to {@code name} in the test's folder. */
    private Path table(String name, Profile.Kind kind, Profile.Device device, String dtype, ProfileEntry... entries) {
        Path file = dir.resolve(name);
        ProfileJson.write(file, new Profile(device, Profile.Host.UNKNOWN, Profile.Timing.UNKNOWN, dtype, null,
                new Profile.Provenance(kind, "made by test", "0", "unknown", Instant.EPOCH), List.of(entries)));
        return file;
    }

    /** A measured profile of one shape, 1024³ in 25 µs, in DTYPE. */
    private Path heldOut(String dtype) {
        Path file = dir.resolve(dtype + "-held-out.json");
        ProfileJson.write(file, new Profile(Profile.Device.named("Test GPU", null), Profile.Host.UNKNOWN,
                Profile.Timing.UNKNOWN, dtype, null,
                new Profile.Provenance(Profile.Kind.MEASURED, "held out", "0", "unknown", Instant.EPOCH),
                List.of(new ProfileEntry(new GemmShape(1024, 1024, 1024), 25.0, 3))));
        return file;
    }

    @Test
    void shouldRefuseAnEmptyMeasurementsFile() throws IOException {
        Path csv = dir.resolve("empty.csv");
        Files.writeString(csv, "source,gpu,dtype,m,n,k,time_us,notes\n");

        CliRun run = CliRun.of("validate", "--profile", profile.toString(), "--against", csv.toString());

        assertThat(run).isEqualTo(new CliRun(2, "", "gemmcost: " + csv + ": no measurement rows to validate against" + NL));
    }
}
