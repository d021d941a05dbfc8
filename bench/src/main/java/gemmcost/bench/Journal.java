package gemmcost.bench;

import gemmcost.BadInputException;
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
import java.util.List;

/**
 * The append-only record of a sweep in progress: one JSON line per finished shape, forced to disk before the
 * next shape starts, so {@code kill -9} loses at most the shape in flight and rerunning resumes. A torn last
 * line (killed mid-write) is dropped; any other bad line is bad input naming file and line. An exclusive file
 * lock keeps two processes from writing the same journal.
 */
final class Journal implements AutoCloseable {
    private final Path file;
    private final FileChannel channel; // holds the lock; closing it releases the lock
    private final List<ProfileEntry> done;

    private Journal(Path file, FileChannel channel, List<ProfileEntry> done) {
        this.file = file;
        this.channel = channel;
        this.done = List.copyOf(done);
    }

    /** Opens (creating if needed) and locks the journal, reading the entries already finished. */
    static Journal open(Path file) {
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
            List<ProfileEntry> done = parse(file, text);
            int keep = text.lastIndexOf('\n') + 1; // drop a torn last line
            channel.truncate(keep);
            channel.position(keep);
            return new Journal(file, channel, done);
        } catch (IOException e) {
            FileLocks.closeQuietly(channel);
            throw new BadInputException(file + ": cannot open journal: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            FileLocks.closeQuietly(channel);
            throw e;
        }
    }


    private static List<ProfileEntry> parse(Path file, String text) {
        List<ProfileEntry> entries = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) { // the part after the last newline is torn or empty
            if (!lines[i].isBlank()) {
                entries.add(ProfileJson.entryFromJson(lines[i], file + ":" + (i + 1)));
            }
        }
        return entries;
    }

    /** Entries finished by earlier runs, in the order they finished. */
    List<ProfileEntry> done() {
        return done;
    }

    /** Appends one finished shape and forces it to disk. */
    void append(ProfileEntry entry) {
        byte[] line = (ProfileJson.entryToJson(entry) + "\n").getBytes(StandardCharsets.UTF_8);
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
