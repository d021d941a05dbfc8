package gemmcost.model.hf;

import gemmcost.BadInputException;
import java.io.Serial;

/**
 * A config gemmcost reads correctly but does not model: an architecture, a field's meaning, or a quantisation it
 * has no costs for, as opposed to a malformed or missing file. Still bad input (one line, exit 2); the kind lets a
 * caller tell "outside what gemmcost models" from "broken".
 */
public final class UnmodeledException extends BadInputException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** What is not modelled. */
    public enum Kind { ARCHITECTURE, FIELD, QUANTIZATION }

    private final Kind kind;

    UnmodeledException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
