package gemmcost.table;

import gemmcost.InputFiles;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import gemmcost.BadInputException;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Reads and writes {@link Profile}s as JSON (schema {@code gemmcost.profile}, version 1; see
 * {@code profiles/README.md}). Writing is deterministic: fixed key order, entries sorted by shape, one entry
 * per line, decimal numbers without exponents. Reading is strict and reports the first problem as a
 * {@link BadInputException} naming the file, the JSON path and the bad value.
 */
public final class ProfileJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private ProfileJson() {
    }

    /** Reads and validates a profile; every problem is a one-line {@link BadInputException}. */
    public static Profile read(Path file) {
        return new ProfileReader(file.toString()).profile(InputFiles.json(file, MAPPER));
    }

    /**
     * Writes atomically: to a temporary file beside the file a symbolic link {@code file} names (or {@code file}
     * itself), then renamed over it, so a link stays a link. A device or pipe ({@code /dev/null}) is written into, as
     * a shell's redirection would: a rename would replace it.
     */
    public static void write(Path file, Profile profile) {
        byte[] bytes = toJson(profile).getBytes(StandardCharsets.UTF_8);
        Path target = throughLinks(file);
        if (Files.exists(target) && !Files.isRegularFile(target) && !Files.isDirectory(target)) {
            try {
                Files.write(target, bytes, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                return;
            } catch (IOException e) {
                throw InputFiles.cannotWrite(file, e);
            }
        }
        Path dir = target.toAbsolutePath().getParent();
        if (dir == null || target.getFileName() == null || Files.isDirectory(target))
            throw new BadInputException(file + ": cannot write: a directory, not a file");
        Path tmp = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + "."
                + System.nanoTime() + ".tmp");
        try {
            Files.createDirectories(dir);
            Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw InputFiles.cannotWrite(file, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort: the rename either happened or the error above is the one to report
            }
        }
    }

    /** The file {@code file} names through its symbolic links (up to 40, as Linux follows), else {@code file}. */
    private static Path throughLinks(Path file) {
        Path path = file;
        try {
            for (int hops = 0; hops < 40 && Files.isSymbolicLink(path); hops++)
                path = path.toAbsolutePath().resolveSibling(Files.readSymbolicLink(path));
        } catch (IOException e) {
            throw InputFiles.cannotWrite(file, e);
        }
        return path;
    }

    /** The exact text {@link #write} writes, ending with a newline. */
    public static String toJson(Profile profile) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            g.setPrettyPrinter(new ProfilePrettyPrinter());
            g.writeStartObject();
            g.writeStringField("schema", Profile.SCHEMA);
            g.writeNumberField("schema_version", Profile.SCHEMA_VERSION);
            g.writeStringField("dtype", profile.dtype());
            optional(g, "compute_type", profile.computeType());
            writeDevice(g, profile.device());
            if (!profile.host().equals(Profile.Host.UNKNOWN))
                writeHost(g, profile.host());
            if (!profile.timing().equals(Profile.Timing.UNKNOWN))
                writeTiming(g, profile.timing());
            writeProvenance(g, profile.provenance());
            g.writeArrayFieldStart("entries");
            for (ProfileEntry e : profile.entries())
                writeEntry(g, e);
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out + "\n";
    }

    /** One entry as a single line of JSON, the same keys as in a profile (a sweep's journal is made of these). */
    public static String entryToJson(ProfileEntry entry) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            writeEntry(g, entry);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Parses one {@link #entryToJson} line, validated like a profile entry; errors start with {@code where}. */
    public static ProfileEntry entryFromJson(String line, String where) {
        JsonNode node;
        try {
            node = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new BadInputException(where + ": " + InputFiles.jsonProblem(e.getOriginalMessage()), e);
        } catch (NumberFormatException e) {
            throw InputFiles.numberTooLarge(where, e);
        }
        if (node == null || node.isMissingNode())
            throw new BadInputException(where + ": not valid JSON: empty line");
        return new ProfileReader(where).entry(node, "$");
    }

    private static void writeDevice(JsonGenerator g, Profile.Device d) throws IOException {
        g.writeObjectFieldStart("device");
        g.writeStringField("name", d.name());
        optional(g, "catalog_id", d.catalogId());
        optional(g, "compute_capability", d.computeCapability());
        optional(g, "sm_count", d.smCount());
        optional(g, "memory_bytes", d.memoryBytes());
        optional(g, "l2_bytes", d.l2Bytes());
        Profile.Clocks c = d.clocks();
        if (!c.equals(Profile.Clocks.UNKNOWN)) {
            g.writeObjectFieldStart("clocks");
            optional(g, "sm_mhz_start", c.smMhzStart());
            optional(g, "sm_mhz_end", c.smMhzEnd());
            optional(g, "mem_mhz_start", c.memMhzStart());
            optional(g, "mem_mhz_end", c.memMhzEnd());
            optional(g, "throttle_reasons", c.throttleReasons());
            g.writeEndObject();
        }
        optional(g, "driver_version", d.driverVersion());
        optional(g, "cuda_runtime_version", d.cudaRuntimeVersion());
        optional(g, "cublas_version", d.cublasVersion());
        optional(g, "memory_bandwidth_bytes_per_s", d.memoryBandwidthBytesPerSec());
        g.writeEndObject();
    }

    private static void writeHost(JsonGenerator g, Profile.Host h) throws IOException {
        g.writeObjectFieldStart("host");
        optional(g, "hostname", h.hostname());
        optional(g, "os", h.os());
        optional(g, "cpu", h.cpu());
        g.writeEndObject();
    }

    private static void writeTiming(JsonGenerator g, Profile.Timing t) throws IOException {
        g.writeObjectFieldStart("timing");
        optional(g, "timer", t.timer());
        optional(g, "warmup_iterations", t.warmupIterations());
        if (t.l2Flush() != null)
            g.writeBooleanField("l2_flush", t.l2Flush());
        optional(g, "statistic", t.statistic());
        optional(g, "stopping_rule", t.stoppingRule());
        optional(g, "backend", t.backend());
        g.writeEndObject();
    }

    private static void writeProvenance(JsonGenerator g, Profile.Provenance p) throws IOException {
        g.writeObjectFieldStart("provenance");
        g.writeStringField("kind", p.kind().jsonName());
        optional(g, "source", p.source());
        g.writeStringField("tool_version", p.toolVersion());
        optional(g, "git_commit", p.gitCommit());
        g.writeStringField("created_utc", p.createdUtc().toString());
        g.writeEndObject();
    }

    private static void writeEntry(JsonGenerator g, ProfileEntry e) throws IOException {
        g.writeStartObject();
        g.writeNumberField("m", e.shape().m());
        g.writeNumberField("k", e.shape().k());
        g.writeNumberField("n", e.shape().n());
        writeDouble(g, "time_us", e.timeUs());
        if (e.hasSpread()) {
            writeDouble(g, "p10_us", e.p10Us());
            writeDouble(g, "p90_us", e.p90Us());
        }
        g.writeNumberField("samples", e.samples());
        optional(g, "flags", e.flagTexts());
        g.writeEndObject();
    }

    /**
     * The shortest decimal that reads back as the same double, without exponent and always with a fraction
     * ({@code 1.0E7} becomes {@code 10000000.0}); independent of the default locale.
     */
    static String decimal(double value) {
        String plain = BigDecimal.valueOf(value).toPlainString();
        return plain.indexOf('.') < 0 ? plain + ".0" : plain;
    }

    private static void writeDouble(JsonGenerator g, String key, double value) throws IOException {
        g.writeFieldName(key);
        g.writeNumber(decimal(value));
    }

    private static void optional(JsonGenerator g, String key, String value) throws IOException {
        if (value != null)
            g.writeStringField(key, value);
    }

    private static void optional(JsonGenerator g, String key, Number value) throws IOException {
        if (value != null)
            g.writeNumberField(key, value.longValue());
    }

    private static void optional(JsonGenerator g, String key, List<String> values) throws IOException {
        if (values.isEmpty())
            return;
        g.writeArrayFieldStart(key);
        for (String v : values)
            g.writeString(v);
        g.writeEndArray();
    }
}
