package gemmcost.dag;

import gemmcost.InputFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Reads a DAG file in either supported format: JSON where it starts with '{' or is named {@code .json} (whose faults
 * are then JSON's, not "not valid DOT"), DOT otherwise.
 */
public final class DagFiles {
    private DagFiles() {
    }

    /**
     * @param allowDangling for DOT: cost nodes that only edges name as 0 instead of refusing the file
     */
    public static ImportedDag read(Path file, boolean allowDangling) {
        if (startsWithBrace(file) || file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json"))
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
