package gemmcost.bench;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;

/** Exclusive file locks shared by the journal and the GPU lock. */
final class FileLocks {
    private FileLocks() {
    }

    /** Whether the channel now holds an exclusive lock on its file (false: another process or this JVM holds it). */
    static boolean tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock() != null;
        } catch (OverlappingFileLockException e) {
            return false; // held by this JVM
        }
    }

    /** Releases the lock (if any) by closing its channel. */
    static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing releases the lock; nothing else to save
            }
        }
    }
}
