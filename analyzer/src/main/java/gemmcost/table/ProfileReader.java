package gemmcost.table;

import com.fasterxml.jackson.databind.JsonNode;
import gemmcost.BadInputException;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns a parsed JSON tree into a {@link Profile}, checking every field before any record is built so that
 * each problem is reported as {@code FILE: $.json.path: constraint, was VALUE}.
 */
final class ProfileReader {
    private static final List<String> TOP_KEYS = List.of("schema", "schema_version", "dtype", "compute_type",
            "device", "host", "timing", "provenance", "entries");
    private static final List<String> DEVICE_KEYS = List.of("name", "catalog_id", "compute_capability", "sm_count",
            "memory_bytes", "l2_bytes", "clocks", "driver_version", "cuda_runtime_version", "cublas_version",
            "memory_bandwidth_bytes_per_s");
    private static final List<String> CLOCKS_KEYS = List.of("sm_mhz_start", "sm_mhz_end", "mem_mhz_start",
            "mem_mhz_end", "throttle_reasons");
    private static final List<String> HOST_KEYS = List.of("hostname", "os", "cpu");
    private static final List<String> TIMING_KEYS = List.of("timer", "warmup_iterations", "l2_flush", "statistic",
            "stopping_rule", "backend");
    private static final List<String> PROVENANCE_KEYS = List.of("kind", "source", "tool_version", "git_commit",
            "created_utc");
    private static final List<String> ENTRY_KEYS = List.of("m", "k", "n", "time_us", "p10_us", "p90_us", "samples",
            "flags");
    private static final int MAX_SHOWN_CHARS = 60;

    private final String file;

    ProfileReader(String file) {
        this.file = file;
    }

    Profile profile(JsonNode root) {
        String path = "$";
        object(root, path);
        String schema = text(required(root, path, "schema"), "$.schema");
        if (!schema.equals(Profile.SCHEMA))
            throw fail("$.schema", "unknown schema \"" + schema + "\" (expected \"" + Profile.SCHEMA + "\")");
        JsonNode versionNode = required(root, path, "schema_version");
        long version = integer(versionNode, "$.schema_version");
        if (version != Profile.SCHEMA_VERSION)
            throw fail("$.schema_version", "unsupported version " + version + " (this gemmcost reads "
                    + Profile.SCHEMA_VERSION + ")");
        onlyKeys(root, path, TOP_KEYS);
        String dtype = nonBlank(required(root, path, "dtype"), "$.dtype");
        String computeType = optionalText(root, path, "compute_type");
        Profile.Device device = device(required(root, path, "device"), "$.device");
        Profile.Host host = root.has("host") ? host(root.get("host"), "$.host") : Profile.Host.UNKNOWN;
        Profile.Timing timing = root.has("timing") ? timing(root.get("timing"), "$.timing") : Profile.Timing.UNKNOWN;
        Profile.Provenance provenance = provenance(required(root, path, "provenance"), "$.provenance");
        List<ProfileEntry> entries = entries(required(root, path, "entries"), "$.entries");
        return new Profile(device, host, timing, dtype, computeType, provenance, entries);
    }

    private Profile.Device device(JsonNode node, String path) {
        object(node, path);
        onlyKeys(node, path, DEVICE_KEYS);
        Profile.Clocks clocks = node.has("clocks") ? clocks(node.get("clocks"), path + ".clocks")
                : Profile.Clocks.UNKNOWN;
        return new Profile.Device(nonBlank(required(node, path, "name"), path + ".name"),
                optionalText(node, path, "catalog_id"),
                optionalText(node, path, "compute_capability"),
                optionalInt(node, path, "sm_count"),
                optionalPositiveLong(node, path, "memory_bytes"),
                optionalPositiveLong(node, path, "l2_bytes"),
                clocks,
                optionalText(node, path, "driver_version"),
                optionalText(node, path, "cuda_runtime_version"),
                optionalText(node, path, "cublas_version"),
                node.has("memory_bandwidth_bytes_per_s") ? positiveNumber(node.get("memory_bandwidth_bytes_per_s"),
                        path + ".memory_bandwidth_bytes_per_s") : null);
    }

    private Profile.Clocks clocks(JsonNode node, String path) {
        object(node, path);
        onlyKeys(node, path, CLOCKS_KEYS);
        return new Profile.Clocks(optionalInt(node, path, "sm_mhz_start"), optionalInt(node, path, "sm_mhz_end"),
                optionalInt(node, path, "mem_mhz_start"), optionalInt(node, path, "mem_mhz_end"),
                strings(node, path, "throttle_reasons"));
    }

    private Profile.Host host(JsonNode node, String path) {
        object(node, path);
        onlyKeys(node, path, HOST_KEYS);
        return new Profile.Host(optionalText(node, path, "hostname"), optionalText(node, path, "os"),
                optionalText(node, path, "cpu"));
    }

    private Profile.Timing timing(JsonNode node, String path) {
        object(node, path);
        onlyKeys(node, path, TIMING_KEYS);
        Boolean l2Flush = null;
        if (node.has("l2_flush")) {
            JsonNode flush = node.get("l2_flush");
            if (!flush.isBoolean())
                throw fail(path + ".l2_flush", "must be true or false, was " + show(flush));
            l2Flush = flush.booleanValue();
        }
        Integer warmup = optionalInt(node, path, "warmup_iterations");
        return new Profile.Timing(optionalText(node, path, "timer"), warmup, l2Flush,
                optionalText(node, path, "statistic"), optionalText(node, path, "stopping_rule"),
                optionalText(node, path, "backend"));
    }

    private Profile.Provenance provenance(JsonNode node, String path) {
        object(node, path);
        onlyKeys(node, path, PROVENANCE_KEYS);
        String kindText = text(required(node, path, "kind"), path + ".kind");
        Profile.Kind kind = null;
        for (Profile.Kind k : Profile.Kind.values())
            if (k.jsonName().equals(kindText))
                kind = k;
        if (kind == null)
            throw fail(path + ".kind", "must be " + Arrays.stream(Profile.Kind.values())
                    .map(k -> "\"" + k.jsonName() + "\"").collect(Collectors.joining(", ")) + "; was \"" + kindText
                    + "\"");
        String created = text(required(node, path, "created_utc"), path + ".created_utc");
        Instant createdUtc;
        try {
            createdUtc = Instant.parse(created);
        } catch (DateTimeParseException e) {
            throw fail(path + ".created_utc", "must be an ISO-8601 UTC time like 2025-01-31T12:00:00Z, was \""
                    + created + "\"");
        }
        String source = optionalText(node, path, "source");
        if (kind != Profile.Kind.SIMULATED && source != null && source.startsWith(Profile.Provenance.STANDIN_SOURCE))
            throw fail(path + ".kind", "\"" + kind.jsonName() + "\", but its source says the table was made on"
                    + " gemmcost's CUDA stand-in: a simulation is never a measurement");
        return new Profile.Provenance(kind, source,
                nonBlank(required(node, path, "tool_version"), path + ".tool_version"),
                optionalText(node, path, "git_commit"), createdUtc);
    }

    private List<ProfileEntry> entries(JsonNode node, String path) {
        if (!node.isArray())
            throw fail(path, "must be an array, was " + show(node));
        if (node.isEmpty())
            throw fail(path, "must not be empty");
        List<ProfileEntry> entries = new ArrayList<>(node.size());
        Map<GemmShape, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < node.size(); i++) {
            String at = path + "[" + i + "]";
            ProfileEntry entry = entry(node.get(i), at);
            Integer first = firstIndex.putIfAbsent(entry.shape(), i);
            if (first != null)
                throw fail(at, "duplicate shape " + entry.shape() + ", first at " + path + "[" + first + "]");
            entries.add(entry);
        }
        return entries;
    }

    ProfileEntry entry(JsonNode node, String path) {
        object(node, path);
        onlyKeys(node, path, ENTRY_KEYS);
        GemmShape shape = new GemmShape(dimension(node, path, "m"), dimension(node, path, "k"),
                dimension(node, path, "n"));
        double time = positiveNumber(required(node, path, "time_us"), path + ".time_us");
        double p10 = Double.NaN;
        double p90 = Double.NaN;
        if (node.has("p10_us") || node.has("p90_us")) {
            JsonNode p10Node = required(node, path, "p10_us");
            JsonNode p90Node = required(node, path, "p90_us");
            p10 = positiveNumber(p10Node, path + ".p10_us");
            p90 = positiveNumber(p90Node, path + ".p90_us");
            if (p10 > time)
                throw fail(path + ".p10_us", "must be <= time_us (" + show(node.get("time_us")) + "), was "
                        + show(p10Node));
            if (p90 < time)
                throw fail(path + ".p90_us", "must be >= time_us (" + show(node.get("time_us")) + "), was "
                        + show(p90Node));
        }
        JsonNode samplesNode = required(node, path, "samples");
        long samples = integer(samplesNode, path + ".samples");
        if (samples < 1)
            throw fail(path + ".samples", "must be >= 1, was " + show(samplesNode));
        List<String> texts = strings(node, path, "flags");
        List<EntryFlag> flags = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++)
            try {
                flags.add(EntryFlag.parse(texts.get(i)));
            } catch (IllegalArgumentException e) {
                throw fail(path + ".flags[" + i + "]", e.getMessage());
            }
        try {
            return new ProfileEntry(shape, time, p10, p90, samples, flags);
        } catch (IllegalArgumentException e) { // flags that contradict each other
            throw fail(path, e.getMessage());
        }
    }

    private long dimension(JsonNode node, String path, String key) {
        JsonNode value = required(node, path, key);
        long dim = integer(value, path + "." + key);
        if (dim <= 0)
            throw fail(path + "." + key, "must be > 0, was " + show(value));
        return dim;
    }

    private double positiveNumber(JsonNode value, String path) {
        if (!value.isNumber())
            throw fail(path, "must be a number, was " + show(value));
        double number = value.doubleValue();
        if (!(Double.isFinite(number) && number > 0))
            throw fail(path, "must be finite and > 0, was " + show(value));
        return number;
    }

    private long integer(JsonNode value, String path) {
        if (!value.isIntegralNumber())
            throw fail(path, "must be an integer, was " + show(value));
        if (!value.canConvertToLong())
            throw fail(path, "out of range, was " + show(value));
        return value.longValue();
    }

    private Integer optionalInt(JsonNode node, String path, String key) {
        if (!node.has(key))
            return null;
        JsonNode value = node.get(key);
        long v = integer(value, path + "." + key);
        if (v <= 0 || v > Integer.MAX_VALUE)
            throw fail(path + "." + key, "must be > 0 and <= " + Integer.MAX_VALUE + ", was " + show(value));
        return (int) v;
    }

    private Long optionalPositiveLong(JsonNode node, String path, String key) {
        if (!node.has(key))
            return null;
        JsonNode value = node.get(key);
        long v = integer(value, path + "." + key);
        if (v <= 0)
            throw fail(path + "." + key, "must be > 0, was " + show(value));
        return v;
    }

    private String optionalText(JsonNode node, String path, String key) {
        return node.has(key) ? nonBlank(node.get(key), path + "." + key) : null;
    }

    private String nonBlank(JsonNode value, String path) {
        String s = text(value, path);
        if (s.isBlank())
            throw fail(path, "must not be blank, was " + show(value));
        return s;
    }

    private String text(JsonNode value, String path) {
        if (!value.isTextual())
            throw fail(path, "must be a string, was " + show(value));
        return value.textValue();
    }

    private List<String> strings(JsonNode node, String path, String key) {
        if (!node.has(key))
            return List.of();
        JsonNode array = node.get(key);
        String at = path + "." + key;
        if (!array.isArray())
            throw fail(at, "must be an array of strings, was " + show(array));
        List<String> values = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++)
            values.add(text(array.get(i), at + "[" + i + "]"));
        return values;
    }

    private JsonNode required(JsonNode node, String path, String key) {
        JsonNode value = node.get(key);
        if (value == null)
            throw fail(path + "." + key, "missing required field");
        return value;
    }

    private void object(JsonNode node, String path) {
        if (!node.isObject())
            throw fail(path, "must be an object, was " + show(node));
    }

    private void onlyKeys(JsonNode node, String path, List<String> known) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name))
                throw fail(path + "." + name, "unknown key (expected one of: " + String.join(", ", known) + ")");
        }
    }

    private BadInputException fail(String path, String message) {
        return new BadInputException(file + ": " + path + ": " + message);
    }

    /** The value as JSON text, shortened: long objects would not fit the one-line error. */
    private static String show(JsonNode value) {
        String s = value.toString();
        return s.length() <= MAX_SHOWN_CHARS ? s : s.substring(0, MAX_SHOWN_CHARS) + "…";
    }
}
