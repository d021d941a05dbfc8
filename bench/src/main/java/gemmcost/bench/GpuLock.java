package gemmcost.bench;

import gemmcost.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One profile per physical GPU: an exclusive lock on {@code <dir>/gemmcost-gpu-<pci bus id>.lock} (by default in
 * {@code java.io.tmpdir}, which is node-local where GPUs are), holding the owner's pid for the refusal message.
 * The operating system drops the lock when the process dies, so a killed run never leaves the GPU locked.
 */
public final class GpuLock implements AutoCloseable {
    private final Path file;
    private final FileChannel channel; // holds the lock; closing it releases the lock

    private GpuLock(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    @Override
    public String toString() {
        return file.toString();
    }

    public static GpuLock acquire(Path dir, String pciBusId) {
        Path file = dir.resolve("gemmcost-gpu-" + pciBusId.replaceAll("[^A-Za-z0-9]+", "-") + ".lock");
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            if (!FileLocks.tryLock(channel)) {
                String owner = Files.readString(file, StandardCharsets.UTF_8).strip();
                throw new BadInputException("GPU " + pciBusId + " is already being profiled by another gemmcost"
                        + " process" + (owner.isEmpty() ? "" : " (pid " + owner + ")") + "; lock: " + file);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            return new GpuLock(file, channel);
        } catch (IOException e) {
            FileLocks.closeQuietly(channel);
            throw new BadInputException(file + ": cannot lock the GPU: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            FileLocks.closeQuietly(channel);
            throw e;
        }
    }

    @Override
    public void close() {
        FileLocks.closeQuietly(channel);
    }
}
