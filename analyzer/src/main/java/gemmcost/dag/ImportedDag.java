package gemmcost.dag;

import java.util.List;
import java.util.Objects;

/**
 * A DAG read from a file, with one note per node saying what the importer inferred or did not understand (empty
 * for formats that state every cost, like the JSON DAG format).
 */
public record ImportedDag(Dag dag, List<String> notes) {
    public ImportedDag {
        Objects.requireNonNull(dag, "dag");
        notes = List.copyOf(notes);
    }

    /** How many nodes the importer could not cost (they cost 0). */
    public long notUnderstood() {
        int count = 0;
        for (int v = 0; v < dag.size(); v++)
            if (dag.work(v) instanceof Work.Unknown)
                count++;
        return count;
    }
}
