package gemmcost.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gemmcost.BadInputException;
import gemmcost.table.GemmShape;
import gemmcost.table.ProfileEntry;
import gemmcost.table.ProfileJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The append-only record of a sweep in progress: a header line with the setup that measures (backend, GPU, driver,
 * runtime, cuBLAS, dtype, timing), then one JSON line per finished shape, forced to disk before the next shape
 * starts, so {@code kill -9} loses at most the shape in flight and rerunning resumes. A resume with another setup
 * is refused, naming what differs, so one table never mixes measurements of two setups. A torn last line (killed
 * mid-write) is dropped; any other bad line is bad input naming file and line. An exclusive file lock keeps two
 * processes from writing the same journal. A shape at which the CUDA context was lost gets a line of its own
 * ({@code {"lost_context": {"m": …, "k": …, "n": …}, "error": …}}): a fresh process would most likely lose it at the
 * same shape again, so a resume passes it over, and deleting the line retries it.
 */
final class Journal implements AutoCloseable {
    private final Path file;
    private final FileChannel channel; // holds the lock; closing it releases the lock
    private final List<ProfileEntry> done;
    private final Map<GemmShape, String> lostAt;

    private Journal(Path file, FileChannel channel, List<ProfileEntry> done, Map<GemmShape, String> lostAt) {
        this.file = file;
        this.channel = channel;
        this.done = List.copyOf(done);
        this.lostAt = Map.copyOf(lostAt);
    }

    private static final String LOST_CONTEXT = "lost_context";

    private static final String SCHEMA = "gemmcost.journal";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Opens (creating if needed) and locks the journal, reading the entries already finished under {@code setup}. */
    static Journal open(Path file, Map<String, String> setup) {
        FileChannel channel = null;
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            if (!FileLocks.tryLock(channel)) {
                throw new BadInputException(file + ": another gemmcost process is writing this journal (locked)");
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int keep = text.lastIndexOf('\n') + 1; // drop a torn last line
            channel.truncate(keep);
            channel.position(keep);
            Journal journal;
            if (keep == 0) {
                journal = new Journal(file, channel, List.of(), Map.of());
                journal.writeLine(header(setup));
            } else {
                int headerEnd = text.indexOf('\n');
                requireSameSetup(file, text.substring(0, headerEnd), setup);
                List<ProfileEntry> done = new ArrayList<>();
                Map<GemmShape, String> lost = new LinkedHashMap<>();
                parse(file, text.substring(headerEnd + 1), 2, done, lost);
                journal = new Journal(file, channel, done, lost);
            }
            return journal;
        } catch (IOException e) {
            FileLocks.closeQuietly(channel);
            throw new BadInputException(file + ": cannot open journal: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            FileLocks.closeQuietly(channel);
            throw e;
        }
    }


    /**
     * Refuses a journal {@link #open} would refuse for another setup, before a run spends GPU time on the dtypes
     * ahead of it; a missing, empty or torn-headed one is started anew there.
     */
    static void requireResumable(Path file, Map<String, String> setup) {
        if (!Files.isRegularFile(file))
            return;
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read journal: " + e.getMessage(), e);
        }
        int headerEnd = text.indexOf('\n');
        if (headerEnd >= 0)
            requireSameSetup(file, text.substring(0, headerEnd), setup);
    }

    private static String header(Map<String, String> setup) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("schema", SCHEMA);
        header.put("schema_version", 1);
        header.put("setup", setup);
        try {
            return JSON.writeValueAsString(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void requireSameSetup(Path file, String headerLine, Map<String, String> setup) {
        Map<String, String> started;
        try {
            JsonNode header = JSON.readTree(headerLine);
            if (!SCHEMA.equals(header.path("schema").asText()) || !header.path("setup").isObject()) {
                throw new BadInputException(file + ":1: not a gemmcost journal header (schema " + SCHEMA + ")");
            }
            started = JSON.convertValue(header.get("setup"), new TypeReference<Map<String, String>>() { });
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new BadInputException(file + ":1: not a gemmcost journal header (schema " + SCHEMA + ")", e);
        }
        for (Map.Entry<String, String> field : setup.entrySet()) {
            String then = started.get(field.getKey());
            if (!Objects.equals(then, field.getValue())) {
                throw new BadInputException(file + ": started with " + field.getKey() + " " + then + ", this run has "
                        + field.getValue() + "; resume with the same setup, or move the journal away to start anew");
            }
        }
    }

    private static void parse(Path file, String text, int firstLine, List<ProfileEntry> entries,
                              Map<GemmShape, String> lost) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) { // the part after the last newline is torn or empty
            String where = file + ":" + (i + firstLine);
            if (lines[i].startsWith("{\"" + LOST_CONTEXT + "\"")) {
                lostContext(lines[i], where, lost);
            } else if (!lines[i].isBlank()) {
                entries.add(ProfileJson.entryFromJson(lines[i], where));
            }
        }
    }

    private static void lostContext(String line, String where, Map<GemmShape, String> lost) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new BadInputException(where + ": not a lost_context line (" + e.getOriginalMessage() + ")", e);
        }
        JsonNode shape = node.path(LOST_CONTEXT);
        long[] mkn = new long[3];
        for (int axis = 0; axis < 3; axis++) {
            String at = where + ": $." + LOST_CONTEXT + "." + "mkn".charAt(axis);
            JsonNode value = shape.path("mkn".substring(axis, axis + 1));
            if (value.isMissingNode())
                throw new BadInputException(at + ": missing");
            if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 1)
                throw new BadInputException(at + ": must be an integer >= 1, was " + value);
            mkn[axis] = value.asLong();
        }
        lost.put(new GemmShape(mkn[0], mkn[1], mkn[2]), node.path("error").asText());
    }

    /** Entries finished by earlier runs, in the order they finished. */
    List<ProfileEntry> done() {
        return done;
    }

    /** The shapes at which earlier runs lost the CUDA context, and the error each lost it with. */
    Map<GemmShape, String> lostAt() {
        return lostAt;
    }

    Path file() {
        return file;
    }

    /** Records that the CUDA context was lost at {@code shape}, so that a resume passes it over. */
    void appendLost(GemmShape shape, String error) {
        Map<String, Object> line = new LinkedHashMap<>();
        Map<String, Long> at = new LinkedHashMap<>();
        at.put("m", shape.m());
        at.put("k", shape.k());
        at.put("n", shape.n());
        line.put(LOST_CONTEXT, at);
        line.put("error", error);
        try {
            writeLine(JSON.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Appends one finished shape and forces it to disk. */
    void append(ProfileEntry entry) {
        writeLine(ProfileJson.entryToJson(entry));
    }

    private void writeLine(String text) {
        byte[] line = (text + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot append to journal: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        FileLocks.closeQuietly(channel);
    }
}
