package gemmcost.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemmcost.BadInputException;
import gemmcost.table.GemmShape;
import gemmcost.table.ProfileEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    private static final ProfileEntry A = new ProfileEntry(new GemmShape(1, 2, 3), 4.5, 4.0, 5.0, 12, List.of());
    private static final ProfileEntry B = new ProfileEntry(new GemmShape(7, 8, 9), 10.0, 3);

    @TempDir
    Path dir;

    @Test
    void shouldResumeWithWhatEarlierRunsFinished() {
        Path file = dir.resolve("sweep.journal");
        try (Journal j = Journal.open(file)) {
            assertThat(j.done()).isEmpty();
            j.append(A);
            j.append(B);
        }
        try (Journal j = Journal.open(file)) {
            assertThat(j.done()).containsExactly(A, B);
        }
    }

    @Test
    void shouldDropATornLastLineAndKeepAppendingAfterIt() throws IOException {
        Path file = dir.resolve("sweep.journal");
        try (Journal j = Journal.open(file)) {
            j.append(A);
        }
        Files.writeString(file, "{\"m\": 7, \"k\"", StandardCharsets.UTF_8, StandardOpenOption.APPEND); // kill -9
        try (Journal j = Journal.open(file)) {
            assertThat(j.done()).containsExactly(A);
            j.append(B);
        }
        try (Journal j = Journal.open(file)) {
            assertThat(j.done()).containsExactly(A, B);
        }
    }

    @Test
    void shouldNameFileAndLineOfACorruptEntry() throws IOException {
        Path file = dir.resolve("bad.journal");
        Files.writeString(file, "{\"m\":1,\"k\":2,\"n\":3,\"time_us\":-1.0,\"samples\":1}\n");
        assertThatThrownBy(() -> Journal.open(file)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ":1: $.time_us: must be finite and > 0, was -1.0");
    }

    @Test
    void shouldRefuseASecondWriter() {
        Path file = dir.resolve("sweep.journal");
        try (Journal first = Journal.open(file)) {
            assertThat(first.done()).isEmpty();
            assertThatThrownBy(() -> Journal.open(file)).isInstanceOf(BadInputException.class)
                    .hasMessage(file + ": another gemmcost process is writing this journal (locked)");
        }
    }
}
