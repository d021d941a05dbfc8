package gemmcost.dag;

import gemmcost.InputFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads a DAG file in either supported format, chosen by content: JSON starts with '{', anything else is DOT. */
public final class DagFiles {
    private DagFiles() {
    }

    /**
     * @param allowDangling for DOT: cost nodes that only edges name as 0 instead of refusing the file
     */
    public static ImportedDag read(Path file, boolean allowDangling) {
        if (startsWithBrace(file))
            return new ImportedDag(JsonDagReader.read(file), List.of());
        return DotDagReader.read(file, allowDangling);
    }

    private static boolean startsWithBrace(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            int c;
            do {
                c = in.read();
            } while (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xEF || c == 0xBB || c == 0xBF);
            return c == '{';
        } catch (IOException e) {
            throw InputFiles.cannotRead(file, e);
        }
    }
}
