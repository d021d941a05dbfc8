package gemmcost.table;

import gemmcost.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** These tests seal the profile format: changing what they assert means a new schema version. */
class ProfileJsonTest {
    @TempDir
    Path dir;

    @Test
    void shouldKeepReadingTheGoldenV1File() throws URISyntaxException {
        Profile profile = ProfileJson.read(golden());

        assertThat(profile.dtype()).isEqualTo("bf16");
        assertThat(profile.computeType()).isEqualTo("fp32");
        Profile.Device device = profile.device();
        assertThat(device.name()).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(device.catalogId()).isEqualTo("h100-sxm");
        assertThat(device.computeCapability()).isEqualTo("9.0");
        assertThat(device.smCount()).isEqualTo(132);
        assertThat(device.memoryBytes()).isEqualTo(85_520_809_984L);
        assertThat(device.l2Bytes()).isEqualTo(52_428_800L);
        assertThat(device.clocks()).isEqualTo(new Profile.Clocks(1980, 1755, 2619, 2619, List.of("SwPowerCap")));
        assertThat(device.driverVersion()).isEqualTo("550.54.15");
        assertThat(device.cudaRuntimeVersion()).isEqualTo("12.4");
        assertThat(device.cublasVersion()).isEqualTo("12.4.5.8");
        assertThat(profile.host()).isEqualTo(new Profile.Host("gpu-node-7", "Linux 5.15.0 amd64",
                "AMD EPYC 9454 48-Core Processor"));
        assertThat(profile.timing()).isEqualTo(new Profile.Timing("cuda_event", 5, true, "median",
                "rel_stdev <= 0.5% after >= 10 samples, or 15 s", "cublasLt"));
        assertThat(profile.provenance()).isEqualTo(new Profile.Provenance(Profile.Kind.MEASURED,
                "scripts/gemmcost measure", "0.1.0", "685e225", Instant.parse("2025-01-31T12:34:56Z")));

        assertThat(profile.entries()).extracting(ProfileEntry::shape).containsExactly(
                new GemmShape(1, 4096, 1024), new GemmShape(1, 4096, 4096), new GemmShape(16, 16, 16),
                new GemmShape(4096, 4096, 4096), new GemmShape(2_097_152, 512, 4096));
        ProfileEntry big = profile.entries().get(4);
        assertThat(big.timeUs()).isEqualTo(12_345_678.9);
        assertThat(big.p10Us()).isEqualTo(12_300_000.0);
        assertThat(big.p90Us()).isEqualTo(12_400_000.125);
        assertThat(big.samples()).isEqualTo(10);
        assertThat(big.flags()).containsExactly(new EntryFlag.MChunked(), new EntryFlag.Throttled(List.of()));
        ProfileEntry tiny = profile.entries().get(2);
        assertThat(tiny.timeUs()).isEqualTo(0.000125);
        assertThat(tiny.hasSpread()).isFalse();
        assertThat(profile.entries().get(0).timeUs()).isEqualTo(7.0);

        assertThat(profile).isEqualTo(ExampleProfiles.full());
    }

    @Test
    void shouldWriteTheGoldenFileByteForByte() throws IOException, URISyntaxException {
        assertThat(ProfileJson.toJson(ExampleProfiles.full())).isEqualTo(Files.readString(golden()));
    }

    @Test
    void shouldWriteTheSameTextUnderAnyDefaultLocale() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            String german = ProfileJson.toJson(ExampleProfiles.full());
            Locale.setDefault(Locale.forLanguageTag("ar-EG"));
            assertThat(ProfileJson.toJson(ExampleProfiles.full())).isEqualTo(german);
        } finally {
            Locale.setDefault(before);
        }
        assertThat(ProfileJson.toJson(ExampleProfiles.full())).contains("\"time_us\": 180.25,");
    }

    @Test
    void shouldRoundTripEveryField() {
        for (Profile profile : List.of(ExampleProfiles.full(), ExampleProfiles.minimal())) {
            Path file = dir.resolve("round-trip.json");
            ProfileJson.write(file, profile);
            assertThat(ProfileJson.read(file)).isEqualTo(profile);
        }
    }

    /** Review: a rename over the path had replaced a link with a file, and /dev/full with a regular file (as root). */
    @Test
    void shouldWriteThroughALinkAndIntoADevice() throws IOException {
        Path target = dir.resolve("tables/h100.json");
        Files.createDirectories(target.getParent());
        Path link = Files.createSymbolicLink(dir.resolve("latest.json"), Path.of("tables/h100.json"));

        ProfileJson.write(link, ExampleProfiles.minimal());

        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(ProfileJson.read(target)).isEqualTo(ExampleProfiles.minimal());
        Path devNull = Path.of("/dev/null");
        assumeTrue(Files.exists(devNull) && !Files.isRegularFile(devNull));
        ProfileJson.write(devNull, ExampleProfiles.minimal());
        assertThat(Files.isRegularFile(devNull)).isFalse();
        assertThat(Files.size(devNull)).isZero();
    }

    @Test
    void shouldRoundTripAwkwardDoublesExactly() {
        double[] times = {0.1 + 0.2, 1e-9, 123456789.123456789, 1e15 + 0.5, Double.MIN_NORMAL, 3.0, 1e300};
        List<ProfileEntry> entries = Stream.iterate(0, i -> i + 1).limit(times.length)
                .map(i -> new ProfileEntry(new GemmShape(i + 1, 1, 1), times[i], 1)).toList();
        Profile profile = new Profile(Profile.Device.named("X", null), Profile.Host.UNKNOWN, Profile.Timing.UNKNOWN,
                "fp32", null, ExampleProfiles.minimal().provenance(), entries);
        Path file = dir.resolve("doubles.json");

        ProfileJson.write(file, profile);

        assertThat(ProfileJson.read(file)).isEqualTo(profile);
        assertThat(ProfileJson.toJson(profile)).doesNotContain("E").doesNotContain("e-").doesNotContain("e+");
    }

    @Test
    void shouldSortEntriesByMThenKThenN() {
        String json = ProfileJson.toJson(ExampleProfiles.full());
        assertThat(json.indexOf("\"m\": 1, \"k\": 4096, \"n\": 1024"))
                .isLessThan(json.indexOf("\"m\": 1, \"k\": 4096, \"n\": 4096"));
        assertThat(json.indexOf("\"m\": 16,")).isLessThan(json.indexOf("\"m\": 4096,"));
    }

    @Test
    void shouldReplaceAnExistingFileAndLeaveNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("sub/dir/profile.json");
        ProfileJson.write(file, ExampleProfiles.full());
        ProfileJson.write(file, ExampleProfiles.minimal());

        assertThat(ProfileJson.read(file)).isEqualTo(ExampleProfiles.minimal());
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }

    /** Review: JSON forbids a byte-order mark, but editors write one; a CSV with one was already read. */
    @Test
    void shouldReadAFileThatStartsWithAByteOrderMark(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("bom.json"), "\uFEFF" + withEntries("[" + VALID_ENTRY + "]"));

        assertThat(ProfileJson.read(file).entries()).singleElement().extracting(ProfileEntry::timeUs).isEqualTo(4.5);
    }

    @Test
    void shouldNameAMissingFile() {
        Path file = dir.resolve("absent.json");
        assertThatThrownBy(() -> ProfileJson.read(file))
                .isInstanceOf(BadInputException.class)
                .hasMessage(file + ": no such file");
    }

    private static final String VALID_ENTRY = "{\"m\": 8, \"k\": 16, \"n\": 32, \"time_us\": 4.5, \"samples\": 1}";

    /** A valid minimal profile with {@code entries} as the value of the entries key. */
    private static String withEntries(String entries) {
        return withTop("\"entries\": " + entries);
    }

    /** A valid minimal profile with the entries key replaced by {@code tail}. */
    private static String withTop(String tail) {
        return """
                {
                  "schema": "gemmcost.profile",
                  "schema_version": 1,
                  "dtype": "fp16",
                  "device": {"name": "H100"},
                  "provenance": {"kind": "imported", "tool_version": "0.1.0", "created_utc": "2025-02-01T00:00:00Z"},
                  %s
                }
                """.formatted(tail);
    }

    private static String entry(String fields) {
        return "[{\"m\": 8, \"k\": 16, \"n\": 32, " + fields + "}]";
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of("not JSON", "hello",
                        ":1:1: not valid JSON: Unrecognized token 'hello'"),
                Arguments.of("NaN", withEntries("[{\"m\": 8, \"k\": 16, \"n\": 32, \"time_us\": NaN, \"samples\": 1}]"),
                        ":7:56: not valid JSON: NaN is not a JSON number (JSON has no NaN or Infinity)"),
                Arguments.of("truncated", "{\"schema\": \"gemmcost.profile\",\n  \"entries\": [",
                        ":2:15: not valid JSON: Unexpected end-of-input: expected close marker for Array"),
                Arguments.of("empty file", "", ": not valid JSON: empty file"),
                Arguments.of("second value", withEntries("[" + VALID_ENTRY + "]") + "{}",
                        ":9:1: not valid JSON: unexpected content after the end of the JSON value"),
                Arguments.of("extra close", withEntries("[" + VALID_ENTRY + "]") + "}",
                        ":9:1: not valid JSON: Unexpected close marker '}': no open Object to close"),
                Arguments.of("duplicate JSON key", withEntries(entry("\"time_us\": 4.5, \"time_us\": 5, \"samples\": 1")),
                        ":7:67: duplicate key \"time_us\" in $.entries[0]"),
                Arguments.of("root not an object", "[1, 2]", ": $: must be an object, was [1,2]"),
                Arguments.of("missing schema", "{\"schema_version\": 1}", ": $.schema: missing required field"),
                Arguments.of("unknown schema id", "{\"schema\": \"gemmcost.table\", \"schema_version\": 1}",
                        ": $.schema: unknown schema \"gemmcost.table\" (expected \"gemmcost.profile\")"),
                Arguments.of("unknown schema version", "{\"schema\": \"gemmcost.profile\", \"schema_version\": 2}",
                        ": $.schema_version: unsupported version 2 (this gemmcost reads 1)"),
                Arguments.of("schema version as text", "{\"schema\": \"gemmcost.profile\", \"schema_version\": \"1\"}",
                        ": $.schema_version: must be an integer, was \"1\""),
                Arguments.of("unknown top-level key", withTop("\"entires\": [" + VALID_ENTRY + "]"),
                        ": $.entires: unknown key (expected one of: schema, schema_version, dtype, compute_type,"
                                + " device, host, timing, provenance, entries)"),
                Arguments.of("missing entries", withTop("\"host\": {}"), ": $.entries: missing required field"),
                Arguments.of("missing dtype", withEntries("[" + VALID_ENTRY + "]").replace("\"dtype\": \"fp16\",", ""),
                        ": $.dtype: missing required field"),
                Arguments.of("missing device name", withEntries("[" + VALID_ENTRY + "]")
                                .replace("{\"name\": \"H100\"}", "{\"catalog_id\": \"h100-sxm\"}"),
                        ": $.device.name: missing required field"),
                Arguments.of("bad provenance kind", withEntries("[" + VALID_ENTRY + "]").replace("imported", "guessed"),
                        ": $.provenance.kind: must be \"measured\", \"imported\", \"simulated\"; was \"guessed\""),
                Arguments.of("stand-in's table claimed measured", withEntries("[" + VALID_ENTRY + "]")
                                .replace("\"kind\": \"imported\"", "\"kind\": \"measured\", \"source\": \""
                                        + Profile.Provenance.STANDIN_SOURCE + " (no GPU)\""),
                        ": $.provenance.kind: \"measured\", but its source says the table was made on gemmcost's"
                                + " CUDA stand-in: a simulation is never a measurement"),
                Arguments.of("negative bandwidth", withEntries("[" + VALID_ENTRY + "]")
                                .replace("{\"name\": \"H100\"}",
                                        "{\"name\": \"H100\", \"memory_bandwidth_bytes_per_s\": -3}"),
                        ": $.device.memory_bandwidth_bytes_per_s: must be finite and > 0, was -3"),
                Arguments.of("bad created_utc", withEntries("[" + VALID_ENTRY + "]")
                                .replace("2025-02-01T00:00:00Z", "yesterday"),
                        ": $.provenance.created_utc: must be an ISO-8601 UTC time like 2025-01-31T12:00:00Z,"
                                + " was \"yesterday\""),
                Arguments.of("empty entries", withEntries("[]"), ": $.entries: must not be empty"),
                Arguments.of("entries not an array", withEntries("{}"), ": $.entries: must be an array, was {}"),
                Arguments.of("missing time", withEntries("[{\"m\": 8, \"k\": 16, \"n\": 32, \"samples\": 1}]"),
                        ": $.entries[0].time_us: missing required field"),
                Arguments.of("missing dimension", withEntries("[{\"m\": 8, \"n\": 32, \"time_us\": 1, \"samples\": 1}]"),
                        ": $.entries[0].k: missing required field"),
                Arguments.of("negative dimension", withEntries("[" + VALID_ENTRY + ", " + VALID_ENTRY
                                .replace("\"m\": 8", "\"m\": -5") + "]"),
                        ": $.entries[1].m: must be > 0, was -5"),
                Arguments.of("zero dimension", withEntries("[" + VALID_ENTRY.replace("\"k\": 16", "\"k\": 0") + "]"),
                        ": $.entries[0].k: must be > 0, was 0"),
                Arguments.of("fractional dimension", withEntries("[" + VALID_ENTRY.replace("\"n\": 32", "\"n\": 32.5")
                                + "]"),
                        ": $.entries[0].n: must be an integer, was 32.5"),
                Arguments.of("huge dimension", withEntries("[" + VALID_ENTRY.replace("\"n\": 32",
                                "\"n\": 99999999999999999999") + "]"),
                        ": $.entries[0].n: out of range, was 99999999999999999999"),
                Arguments.of("zero time", withEntries(entry("\"time_us\": 0, \"samples\": 1")),
                        ": $.entries[0].time_us: must be finite and > 0, was 0"),
                Arguments.of("negative time", withEntries(entry("\"time_us\": -1.5, \"samples\": 1")),
                        ": $.entries[0].time_us: must be finite and > 0, was -1.5"),
                Arguments.of("non-finite time", withEntries(entry("\"time_us\": 1e999, \"samples\": 1")),
                        ": $.entries[0].time_us: must be finite and > 0, was 1E+999"),
                Arguments.of("time as text", withEntries(entry("\"time_us\": \"4.5\", \"samples\": 1")),
                        ": $.entries[0].time_us: must be a number, was \"4.5\""),
                Arguments.of("p10 above median", withEntries(entry(
                                "\"time_us\": 4.5, \"p10_us\": 4.75, \"p90_us\": 5.0, \"samples\": 9")),
                        ": $.entries[0].p10_us: must be <= time_us (4.5), was 4.75"),
                Arguments.of("median above p90", withEntries(entry(
                                "\"time_us\": 4.5, \"p10_us\": 4.0, \"p90_us\": 4.25, \"samples\": 9")),
                        ": $.entries[0].p90_us: must be >= time_us (4.5), was 4.25"),
                Arguments.of("p10 without p90", withEntries(entry("\"time_us\": 4.5, \"p10_us\": 4.0, \"samples\": 9")),
                        ": $.entries[0].p90_us: missing required field"),
                Arguments.of("exponent beyond BigDecimal", withEntries(entry("\"time_us\": 1e3099999999999999999999, \"samples\": 1")),
                        ": not valid JSON: number 1e3099999999999999999999 is beyond what can be read"),
                Arguments.of("zero samples", withEntries(entry("\"time_us\": 4.5, \"samples\": 0")),
                        ": $.entries[0].samples: must be >= 1, was 0"),
                Arguments.of("merged twice", withEntries(entry("\"time_us\": 4.5, \"samples\": 1, \"flags\":"
                                + " [\"merged_gpus=2\", \"merged_gpus=3\"]")),
                        ": $.entries[0]: merged_gpus: given more than once: [merged_gpus=2, merged_gpus=3]"),
                Arguments.of("blank flag", withEntries(entry("\"time_us\": 4.5, \"samples\": 1, \"flags\": [\" \"]")),
                        ": $.entries[0].flags[0]: must not be blank, was \" \""),
                Arguments.of("malformed known flag", withEntries(entry(
                                "\"time_us\": 4.5, \"samples\": 1, \"flags\": [\"stop=noise\", \"sm_mhz=1980/1700\"]")),
                        ": $.entries[0].flags[1]: sm_mhz: must be min/median/max, was \"1980/1700\""),
                Arguments.of("unknown entry key", withEntries(entry("\"time_ms\": 4.5, \"samples\": 1")),
                        ": $.entries[0].time_ms: unknown key (expected one of: m, k, n, time_us, p10_us, p90_us,"
                                + " samples, flags)"),
                Arguments.of("duplicate shape", withEntries("[" + VALID_ENTRY + ", " + VALID_ENTRY
                                .replace("\"m\": 8", "\"m\": 9") + ", " + VALID_ENTRY + "]"),
                        ": $.entries[2]: duplicate shape (m=8, k=16, n=32), first at $.entries[0]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void shouldRejectABadFileWithOneLineNamingFilePathAndValue(String name, String json, String expected)
            throws IOException {
        Path file = Files.writeString(dir.resolve("bad.json"), json, StandardCharsets.UTF_8);

        assertThatThrownBy(() -> ProfileJson.read(file))
                .isInstanceOf(BadInputException.class)
                .hasMessage(file + expected)
                .message().doesNotContain("\n");
    }

    private static Path golden() throws URISyntaxException {
        return Path.of(Objects.requireNonNull(ProfileJsonTest.class.getResource("/golden/profile-v1.json")).toURI());
    }
}
