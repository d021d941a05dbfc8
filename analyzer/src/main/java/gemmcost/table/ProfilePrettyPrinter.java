package gemmcost.table;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;

import java.io.IOException;

/**
 * Two-space indented JSON whose containers nested {@value #INLINE_DEPTH} or more levels deep are written on one
 * line, so each profile entry (and each small object such as {@code clocks}) is one line: readable diffs.
 * Stateful: one instance per generator.
 */
final class ProfilePrettyPrinter implements PrettyPrinter {
    private static final int INLINE_DEPTH = 3;
    private int depth;

    @Override
    public void writeRootValueSeparator(JsonGenerator g) {
    }

    @Override
    public void writeStartObject(JsonGenerator g) throws IOException {
        g.writeRaw('{');
        depth++;
    }

    @Override
    public void beforeObjectEntries(JsonGenerator g) throws IOException {
        breakOrNot(g, "");
    }

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
        g.writeRaw(": ");
    }

    @Override
    public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
        g.writeRaw(',');
        breakOrNot(g, " ");
    }

    @Override
    public void writeEndObject(JsonGenerator g, int entries) throws IOException {
        end(g, entries, '}');
    }

    @Override
    public void writeStartArray(JsonGenerator g) throws IOException {
        g.writeRaw('[');
        depth++;
    }

    @Override
    public void beforeArrayValues(JsonGenerator g) throws IOException {
        breakOrNot(g, "");
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
        g.writeRaw(',');
        breakOrNot(g, " ");
    }

    @Override
    public void writeEndArray(JsonGenerator g, int values) throws IOException {
        end(g, values, ']');
    }

    private void breakOrNot(JsonGenerator g, String inline) throws IOException {
        if (depth < INLINE_DEPTH)
            newline(g, depth);
        else
            g.writeRaw(inline);
    }

    private void end(JsonGenerator g, int count, char close) throws IOException {
        depth--;
        if (depth < INLINE_DEPTH - 1 && count > 0)
            newline(g, depth);
        g.writeRaw(close);
    }

    private static void newline(JsonGenerator g, int level) throws IOException {
        g.writeRaw('\n');
        for (int i = 0; i < level; i++)
            g.writeRaw("  ");
    }
}
