package gemmcost.dag;

import java.util.Locale;

/** The kinds of {@link Work}, as breakdowns of a DAG's time group them, in the order they are listed. */
public enum WorkKind {
    GEMM, ATTENTION, MEMORY, COMMUNICATION, GIVEN, NONE, UNKNOWN;

    /**
     * {@code gemm}, {@code attention}, {@code memory}, {@code communication}, {@code given}, {@code none},
     * {@code unknown}.
     */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static WorkKind of(Work work) {
        return switch (work) {
            case Work.Gemm g -> GEMM;
            case Work.Attention a -> ATTENTION;
            case Work.Memory m -> MEMORY;
            case Work.Comm c -> COMMUNICATION;
            case Work.Fixed f -> GIVEN;
            case Work.Marker m -> NONE;
            case Work.Unknown u -> UNKNOWN;
        };
    }
}
