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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    private static final ProfileEntry A = new ProfileEntry(new GemmShape(1, 2, 3), 4.5, 4.0, 5.0, 12, List.of());
    private static final ProfileEntry B = new ProfileEntry(new GemmShape(7, 8, 9), 10.0, 3);

    private static final Map<String, String> SETUP = setup("13.0.0");

    @TempDir
    Path dir;

    private static Map<String, String> setup(String cublas) {
        Map<String, String> setup = new LinkedHashMap<>();
        setup.put("backend", "ffm");
        setup.put("cublas_version", cublas);
        return setup;
    }

    @Test
    void shouldRefuseToResumeWithAnotherSetupNamingWhatDiffers() {
        Path file = dir.resolve("sweep.journal");
        try (Journal j = Journal.open(file, SETUP)) {
            j.append(A);
        }
        assertThatThrownBy(() -> Journal.open(file, setup("13.1.0"))).isInstanceOf(BadInputException.class)
                .hasMessage(file + ": started with cublas_version 13.0.0, this run has 13.1.0; resume with the same"
                        + " setup, or move the journal away to start anew");
    }

    @Test
    void shouldRefuseAFileWithoutAJournalHeader() throws IOException {
        Path file = dir.resolve("old.journal");
        Files.writeString(file, "{\"m\":1,\"k\":2,\"n\":3,\"time_us\":1.0,\"samples\":1}\n");
        assertThatThrownBy(() -> Journal.open(file, SETUP)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ":1: not a gemmcost journal header (schema gemmcost.journal)");
    }

    @Test
    void shouldResumeWithWhatEarlierRunsFinished() {
        Path file = dir.resolve("sweep.journal");
        try (Journal j = Journal.open(file, SETUP)) {
            assertThat(j.done()).isEmpty();
            j.append(A);
            j.append(B);
        }
        try (Journal j = Journal.open(file, SETUP)) {
            assertThat(j.done()).containsExactly(A, B);
        }
    }

    @Test
    void shouldDropATornLastLineAndKeepAppendingAfterIt() throws IOException {
        Path file = dir.resolve("sweep.journal");
        try (Journal j = Journal.open(file, SETUP)) {
            j.append(A);
        }
        Files.writeString(file, "{\"m\": 7, \"k\"", StandardCharsets.UTF_8, StandardOpenOption.APPEND); // kill -9
        try (Journal j = Journal.open(file, SETUP)) {
            assertThat(j.done()).containsExactly(A);
            j.append(B);
        }
        try (Journal j = Journal.open(file, SETUP)) {
            assertThat(j.done()).containsExactly(A, B);
        }
    }

    @Test
    void shouldNameFileAndLineOfACorruptEntry() throws IOException {
        Path file = dir.resolve("bad.journal");
        try (Journal j = Journal.open(file, SETUP)) {
            j.append(A);
        }
        Files.writeString(file, "{\"m\":1,\"k\":2,\"n\":3,\"time_us\":-1.0,\"samples\":1}\n",
                StandardOpenOption.APPEND);
        assertThatThrownBy(() -> Journal.open(file, SETUP)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ":3: $.time_us: must be finite and > 0, was -1.0");
    }

    @Test
    void shouldKeepTheShapeTheContextWasLostAtAndNameABadSuchLine() throws IOException {
        Path file = dir.resolve("sweep.journal");
        try (Journal j = Journal.open(file, SETUP)) {
            j.append(A);
            j.appendLost(B.shape(), "cudaEventSynchronize: cudaErrorContained (226)");
        }
        assertThat(Files.readAllLines(file).getLast()).isEqualTo("{\"lost_context\":{\"m\":7,\"k\":8,\"n\":9},"
                + "\"error\":\"cudaEventSynchronize: cudaErrorContained (226)\"}");
        try (Journal j = Journal.open(file, SETUP)) {
            assertThat(j.done()).containsExactly(A);
            assertThat(j.lostAt()).containsExactly(Map.entry(B.shape(),
                    "cudaEventSynchronize: cudaErrorContained (226)"));
        }
        Files.writeString(file, "{\"lost_context\":{\"m\":1.5,\"k\":8,\"n\":9},\"error\":\"x\"}\n",
                StandardOpenOption.APPEND);
        assertThatThrownBy(() -> Journal.open(file, SETUP)).isInstanceOf(BadInputException.class)
                .hasMessage(file + ":4: $.lost_context.m: must be an integer >= 1, was 1.5");
    }

    @Test
    void shouldRefuseASecondWriter() {
        Path file = dir.resolve("sweep.journal");
        try (Journal first = Journal.open(file, SETUP)) {
            assertThat(first.done()).isEmpty();
            assertThatThrownBy(() -> Journal.open(file, SETUP)).isInstanceOf(BadInputException.class)
                    .hasMessage(file + ": another gemmcost process is writing this journal (locked)");
        }
    }
}
