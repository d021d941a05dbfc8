package gemmcost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFilesTest {
    @TempDir
    Path dir;

    @Test
    void everyWayReadingFailsShouldBeOneLineNamingTheFileInWords() throws IOException {
        assertThatThrownBy(() -> InputFiles.text(dir)).isInstanceOf(BadInputException.class)
                .hasMessage(dir + ": a directory, not a file");
        assertThatThrownBy(() -> InputFiles.text(dir.resolve("missing.json"))).hasMessage(dir.resolve("missing.json")
                + ": no such file");
        Path latin1 = Files.write(dir.resolve("latin1.json"), new byte[] {'{', (byte) 0xE9, '}'});
        assertThatThrownBy(() -> InputFiles.text(latin1)).hasMessage(latin1 + ": not UTF-8 text");
    }

    @Test
    void everyWayWritingFailsShouldBeOneLineInWordsNotATemporaryFilesName() {
        Path out = dir.resolve("out.json");
        // the exceptions name the temporary file the write went through, which the user never gave
        assertThat(InputFiles.cannotWrite(out, new java.nio.file.AccessDeniedException(dir + "/.out.json.1.tmp")))
                .hasMessage(out + ": cannot write: permission denied");
        assertThat(InputFiles.cannotWrite(out, new java.nio.file.NoSuchFileException(dir + "/gone/.out.json.1.tmp")))
                .hasMessage(out + ": cannot write: no such directory");
        assertThat(InputFiles.cannotWrite(out, new java.nio.file.FileSystemException(out.toString(), null,
                "No space left on device"))).hasMessage(out + ": cannot write: No space left on device");
        assertThat(InputFiles.cannotWrite(dir, new IOException("Is a directory")))
                .hasMessage(dir + ": cannot write: a directory, not a file");
    }

    @Test
    void aCsvHeaderShouldBeReadPastALeadingByteOrderMarkOnly() throws IOException {
        Path marked = Files.writeString(dir.resolve("marked.csv"), "\uFEFFa,b\n1,2\n");
        assertThat(InputFiles.csv(marked, "a,b")).singleElement().satisfies(row -> assertThat(row.fields())
                .containsExactly("1", "2"));
        Path inside = Files.writeString(dir.resolve("inside.csv"), "a,\uFEFFb\n1,2\n");
        assertThatThrownBy(() -> InputFiles.csv(inside, "a,b")).hasMessage(inside + ":1: expected the header a,b, found"
                + " 'a,\uFEFFb'");
    }

    @Test
    void aDirectoryGivenAsAProfileShouldBeCalledOne() {
        assertThatThrownBy(() -> gemmcost.gettime.GetTimes.open(dir.toString(), gemmcost.device.Dtype.BF16))
                .isInstanceOf(BadInputException.class).hasMessage("--profile " + dir + ": a directory, not a profile"
                        + " file");
    }

    @Test
    void aDuplicateKeyShouldNameTheObjectItRepeatsIn() throws IOException {
        Path nested = Files.writeString(dir.resolve("nested.json"), "{\"a\": {\"b\": [1, {\"c\": 1, \"c\": 2}]}}");
        assertThatThrownBy(() -> InputFiles.json(nested)).hasMessage(nested + ":1:29: duplicate key \"c\" in $.a.b[1]");
        Path top = Files.writeString(dir.resolve("top.json"), "{\"a\": 1, \"a\": 2}");
        assertThatThrownBy(() -> InputFiles.json(top)).hasMessage(top + ":1:13: duplicate key \"a\" in $");
        Path dotted = Files.writeString(dir.resolve("dotted.json"), "{\"x.y\": [[{\"a\": 1, \"a\": 2}]]}");
        assertThatThrownBy(() -> InputFiles.json(dotted)).hasMessage(dotted + ":1:23: duplicate key \"a\" in"
                + " $[\"x.y\"][0][0]");
    }

    @Test
    void jacksonsMessagesShouldLoseTheirFeatureNamesAndExcerpts() {
        assertThat(InputFiles.jsonProblem("Non-standard token 'Infinity': enable `JsonReadFeature.ALLOW_NON_NUMERIC"
                + "_NUMBERS` to allow\n at [Source: REDACTED; line: 1]"))
                .isEqualTo("not valid JSON: Infinity is not a JSON number (JSON has no NaN or Infinity)");
        assertThat(InputFiles.jsonProblem("Unexpected character ('x' (code 120)): was expecting double-quote to start"
                + " field name")).isEqualTo("not valid JSON: Unexpected character ('x')");
        assertThat(InputFiles.jsonProblem("Duplicate field 'layers'")).isEqualTo("duplicate key \"layers\"");
    }
}
