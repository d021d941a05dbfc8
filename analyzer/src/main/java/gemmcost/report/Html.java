package gemmcost.report;

import java.util.Locale;

/**
 * Appends HTML and SVG. Every text and attribute value passes through {@link #escape}; markup is only ever the
 * tag and attribute names written here. Written by hand rather than with a templating library: the report uses a
 * dozen element kinds, and one escape function for everything is easier to audit than a template's rules.
 */
final class Html {
    private final StringBuilder out = new StringBuilder(1 << 16);

    /** {@code <tag a="v" …>}; attributes as name, value pairs. */
    Html open(String tag, Object... attributes) {
        out.append('<').append(tag);
        attributes(attributes);
        out.append('>');
        return this;
    }

    /** {@code <tag a="v" …/>}. */
    Html empty(String tag, Object... attributes) {
        out.append('<').append(tag);
        attributes(attributes);
        out.append("/>");
        return this;
    }

    Html close(String tag) {
        out.append("</").append(tag).append('>');
        return this;
    }

    Html text(Object text) {
        out.append(escape(String.valueOf(text)));
        return this;
    }

    /** {@code <tag …>text</tag>}. */
    Html element(String tag, Object text, Object... attributes) {
        return open(tag, attributes).text(text).close(tag);
    }

    /** Constant markup written by this package (a style sheet); never user input. */
    Html constant(String markup) {
        out.append(markup);
        return this;
    }

    private void attributes(Object[] attributes) {
        if (attributes.length % 2 != 0)
            throw new IllegalArgumentException("attributes come in name, value pairs");
        for (int i = 0; i < attributes.length; i += 2) {
            if (attributes[i + 1] == null)
                continue;
            out.append(' ').append(attributes[i]).append("=\"").append(escape(value(attributes[i + 1]))).append('"');
        }
    }

    private static String value(Object v) {
        return v instanceof Double d ? number(d) : String.valueOf(v);
    }

    /** A coordinate: two decimals, no exponent, {@code Locale.ROOT}. */
    static String number(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
