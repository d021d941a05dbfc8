package gemmcost.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemmcost.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GpuLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondProfileOfTheSameGpuShouldBeRefusedWithTheOwnersPid() throws Exception {
        Path file = dir.resolve("gemmcost-gpu-0000-3B-00-0.lock");
        try (GpuLock first = GpuLock.acquire(dir, "0000:3B:00.0")) {
            assertThat(Files.readString(file)).isEqualTo(ProcessHandle.current().pid() + "\n");
            assertThatThrownBy(() -> GpuLock.acquire(dir, "0000:3B:00.0")).isInstanceOf(BadInputException.class)
                    .hasMessage("GPU 0000:3B:00.0 is already being profiled by another gemmcost process (pid "
                            + ProcessHandle.current().pid() + "); lock: " + file);
            GpuLock.acquire(dir, "0000:3C:00.0").close(); // another GPU is free
        }
        GpuLock.acquire(dir, "0000:3B:00.0").close(); // released on close
    }
}
