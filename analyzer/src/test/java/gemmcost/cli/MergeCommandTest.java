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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergeCommandTest {
    @TempDir
    Path dir;

    private Path table(String name, double timeUs) {
        Profile p = new Profile(Profile.Device.named("NVIDIA H100 80GB HBM3", "h100-sxm"), Profile.Host.UNKNOWN,
                Profile.Timing.UNKNOWN, "bf16", "fp32", new Profile.Provenance(Profile.Kind.MEASURED, null, "0.1.0",
                null, Instant.parse("2026-11-24T00:00:00Z")),
                List.of(new ProfileEntry(new GemmShape(64, 128, 256), timeUs, 10)));
        Path file = dir.resolve(name);
        ProfileJson.write(file, p);
        return file;
    }

    @Test
    void theSameTableTwiceShouldBeRefusedNotCountedTwice() {
        Path a = table("a.json", 10);

        CliRun run = CliRun.of("merge", "--out", dir.resolve("m.json").toString(), a.toString(), a.toString());

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("gemmcost: merge: " + a + " has the same entries as " + a + " (the same"
                + " measurements, given twice or copied, would be counted twice)" + System.lineSeparator());
    }

    /** A copy with only its creation time changed holds the same measurements: refused as the same table is. */
    @Test
    void aCopyWithAnotherTimestampShouldBeRefusedToo() throws IOException {
        Path a = table("a.json", 10);
        Path c = Files.writeString(dir.resolve("c.json"), Files.readString(a).replace("2026-11-24T00:00:00Z",
                "2026-11-25T00:00:00Z"));
        assertThat(Files.readString(c)).isNotEqualTo(Files.readString(a));

        CliRun run = CliRun.of("merge", "--out", dir.resolve("m.json").toString(), a.toString(), c.toString());

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).startsWith("gemmcost: merge: " + c + " has the same entries as " + a);
        assertThat(CliRun.of("merge", "--out", dir.resolve("m.json").toString(), a.toString(),
                table("b.json", 11).toString()).status()).isZero();
    }

    @Test
    void anOutputInAFolderThatDoesNotExistShouldBeRefusedNotCreated() {
        Path out = dir.resolve("no/such/folder/m.json");

        CliRun run = CliRun.of("merge", "--out", out.toString(), table("a.json", 10).toString(),
                table("b.json", 12).toString());

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("gemmcost: --out " + out + ": no folder " + out.getParent()
                + " (create it first)" + System.lineSeparator());
        assertThat(dir.resolve("no")).doesNotExist();
    }

    /** Review: merge --out a.json a.json b.json had replaced one of its inputs. */
    @Test
    void anOutputThatIsOneOfTheTablesShouldBeRefused() throws IOException {
        Path a = table("a.json", 10);
        String before = Files.readString(a);

        CliRun run = CliRun.of("merge", "--out", a.toString(), a.toString(), table("b.json", 12).toString());

        assertThat(run).isEqualTo(new CliRun(2, "", "gemmcost: --out " + a + ": is one of the inputs (TABLE); write it"
                + " elsewhere" + System.lineSeparator()));
        assertThat(a).hasContent(before);
    }

    @Test
    void shouldWriteTheMergedTable() {
        Path out = dir.resolve("bf16.json");

        CliRun run = CliRun.of("merge", "--out", out.toString(), table("a.json", 10).toString(),
                table("b.json", 12).toString());

        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo("wrote " + out + ": 1 shapes from 2 tables (NVIDIA H100 80GB HBM3, bf16)"
                + System.lineSeparator());
        assertThat(ProfileJson.read(out).entries().getFirst().timeUs()).isEqualTo(11.0); // median of 10 and 12
    }

    @Test
    void shouldNameAMalformedTable() throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{");

        CliRun run = CliRun.of("merge", "--out", dir.resolve("m.json").toString(), table("a.json", 10).toString(),
                bad.toString());

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).startsWith("gemmcost: " + bad + ":1:2: not valid JSON: ");
        assertThat(dir.resolve("m.json")).doesNotExist();
    }
}
