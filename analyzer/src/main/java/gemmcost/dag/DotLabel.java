package gemmcost.dag;

import gemmcost.Limits;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The conventions of agent-written DOT labels (see {@code agent-dags/README.md}): an op name on the first line,
 * {@code Input: [name=value, …]} / {@code Output: […]} (or {@code In:}/{@code Out:}, {@code Data:}, an arrow
 * {@code […]→[…]}), and {@code GPU: 0-7} (or {@code Device:}, {@code From:}/{@code To:}, {@code GPU3}, names).
 */
record DotLabel(String opName, List<List<Dim>> inputs, List<Dim> output, String gpuSpec) {
    private static final Pattern BRACKETS = Pattern.compile("\\[([^\\[\\]]*)]");
    private static final Pattern GPU_LINE = Pattern.compile(
            "^(?:gpus?|devices?|ranks?|from|to)\\s*:\\s*(.+)$", Pattern.CASE_INSENSITIVE);
    private static final Pattern GPU_WORD = Pattern.compile("\\b(?:gpu|device|rank)[ _]?(\\d+)\\b", Pattern.CASE_INSENSITIVE);

    /** One dimension: its name ("" if unnamed) and size, or null when symbolic ({@code variable_tokens}, {@code ?}). */
    record Dim(String name, Long size) {
    }

    static DotLabel parse(String label, boolean html) {
        List<String> lines = lines(label, html);
        String op = lines.isEmpty() ? "" : lines.get(0);
        List<List<Dim>> inputs = new ArrayList<>();
        List<Dim> output = List.of();
        List<String> gpus = new ArrayList<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("input/output:")) {
                List<List<Dim>> t = tensors(line);
                inputs.addAll(t);
                output = t.isEmpty() ? List.of() : t.get(0);
            } else if (lower.startsWith("input:") || lower.startsWith("in:") || lower.startsWith("data:")) {
                List<List<Dim>> t = tensors(line);
                inputs.addAll(t);
                if (line.contains("(x2)") && !t.isEmpty())
                    inputs.add(t.get(0));
            } else if (lower.startsWith("output:") || lower.startsWith("out:")) {
                List<List<Dim>> t = tensors(line);
                output = t.isEmpty() ? List.of() : t.get(0);
            } else if (line.contains("→") && line.startsWith("[")) {
                List<List<Dim>> t = tensors(line);
                if (t.size() == 2) {
                    inputs.add(t.get(0));
                    output = t.get(1);
                }
            } else {
                Matcher m = GPU_LINE.matcher(line);
                if (m.matches())
                    gpus.add(m.group(1));
                else if (GPU_WORD.matcher(line).find() && line.length() < 40)
                    gpus.add(line);
            }
        }
        return new DotLabel(op, inputs, output, String.join(" ; ", gpus));
    }

    /** Label lines: {@code \n}, {@code \l}, {@code \r}, real newlines, a double-escaped {@code \\n}, or {@code <br/>}. */
    static List<String> lines(String label, boolean html) {
        String text = label;
        if (html)
            text = text.replaceAll("(?i)<br\\s*/?>", "\n").replaceAll("<[^>]*>", "")
                    .replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
        text = text.replace("\\\\n", "\n").replace("\\n", "\n").replace("\\l", "\n").replace("\\r", "\n");
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\\R"))
            if (!line.isBlank())
                lines.add(line.strip());
        return lines;
    }

    private static List<List<Dim>> tensors(String line) {
        List<List<Dim>> tensors = new ArrayList<>();
        Matcher m = BRACKETS.matcher(line);
        while (m.find()) {
            List<Dim> dims = new ArrayList<>();
            for (String item : m.group(1).split(",")) {
                String part = item.strip();
                if (part.isEmpty())
                    continue;
                int eq = part.indexOf('=');
                String name = eq < 0 ? "" : part.substring(0, eq).strip().toLowerCase(Locale.ROOT);
                String value = eq < 0 ? part : part.substring(eq + 1).strip();
                dims.add(new Dim(name, value.matches("\\d{1,15}") ? Long.valueOf(value) : null));
            }
            tensors.add(dims);
        }
        return tensors;
    }

    /** The largest GPU index a label may name: more GPUs than any deployment a DOT file describes. */
    static final int MAX_GPU = Limits.MAX_GPUS - 1;
    private static final Pattern GPU_NUMBERS = Pattern.compile(
            "(\\d+)\\s*[-–]\\s*(\\d+)|(?<![A-Za-z0-9_])(-)(\\d+)|(\\d+)");

    /**
     * GPU indexes in the spec: numbers and inclusive ranges outside parentheses; "all" gives null. What cannot be
     * meant is refused, never read some other way: a negative index, a range that runs backwards, an index beyond
     * {@value #MAX_GPU} (an {@link IllegalArgumentException} saying which).
     */
    static List<Integer> gpus(String spec, List<String> deviceNames) {
        List<Integer> gpus = new ArrayList<>();
        if (spec.isBlank())
            return gpus;
        for (String part : spec.split(";")) {
            String clean = part.replaceAll("\\([^)]*\\)", " ").strip();
            if (clean.toLowerCase(Locale.ROOT).matches(".*\\ball\\b.*"))
                return null;
            Matcher m = GPU_NUMBERS.matcher(clean);
            boolean any = false;
            while (m.find()) {
                any = true;
                if (m.group(3) != null)
                    throw new IllegalArgumentException("GPU -" + m.group(4) + " in \"" + clean + "\": a GPU index is"
                            + " >= 0");
                if (m.group(5) != null) {
                    gpus.add(index(m.group(5), clean));
                } else {
                    int from = index(m.group(1), clean);
                    int to = index(m.group(2), clean);
                    if (to < from)
                        throw new IllegalArgumentException("GPU range " + from + "-" + to + " in \"" + clean
                                + "\" runs backwards");
                    for (int g = from; g <= to; g++)
                        gpus.add(g);
                }
            }
            if (!any && !clean.isEmpty()) {
                if (!deviceNames.contains(clean))
                    deviceNames.add(clean);
                gpus.add(-1 - deviceNames.indexOf(clean));
            }
        }
        return gpus;
    }

    private static int index(String digits, String spec) {
        if (digits.length() > 9 || Integer.parseInt(digits) > MAX_GPU)
            throw new IllegalArgumentException("GPU " + digits + " in \"" + spec + "\": beyond the largest GPU index "
                    + MAX_GPU);
        return Integer.parseInt(digits);
    }
}
