package gemmcost.dag;

import gemmcost.InputFiles;
import gemmcost.BadInputException;
import gemmcost.comm.Collective;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Imports a Graphviz DOT DAG (as the seed's agent pipeline writes them): Graphviz's parser reads the file, then
 * each node's label is interpreted ({@link DotLabel}, {@link DotOps}) into its work and GPUs, with a note saying
 * what was inferred. Refusals are one line {@code file:line: what}: a syntax error, a cycle, or a dangling edge (an
 * edge naming a node that no statement declares), unless dangling ends are allowed, which then cost 0.
 */
public final class DotDagReader {
    private static final Pattern LINE = Pattern.compile("line (\\d+)");
    private static final Set<String> KEYWORDS = Set.of("node", "edge", "graph", "digraph", "subgraph", "strict");

    private DotDagReader() {
    }

    public static ImportedDag read(Path file, boolean allowDangling) {
        String text = InputFiles.text(file);
        String[] error = new String[1];
        Cgraph.Graph graph = Cgraph.load().parse(text, error);
        if (graph == null)
            throw syntaxError(file, error[0]);
        if (!graph.directed())
            throw new BadInputException(file + ":1: an undirected graph (graph {…}); a DAG needs digraph {…}");
        int second = lineAfterFirstGraph(text);
        if (second > 0)
            throw new BadInputException(file + ":" + second + ": a second graph; gemmcost reads one graph per file");
        String[] source = text.split("\n", -1);
        Map<String, List<Integer>> lines = tokenLines(source);
        Set<String> nodeStatements = nodeStatements(text);
        List<String> deviceNames = new ArrayList<>();
        Map<String, List<Integer>> gpusOf = new HashMap<>();
        Map<String, DotOps.Inference> inference = new HashMap<>();
        Map<String, DotLabel> labels = new HashMap<>();
        Set<Integer> allGpus = new TreeSet<>();
        for (var node : graph.nodes().entrySet()) {
            String id = node.getKey();
            Map<String, String> attrs = node.getValue();
            String label = attrs.getOrDefault("label", "\\N").replace("\\N", id);
            DotLabel parsed = DotLabel.parse(label, attrs.containsKey("label.html"));
            labels.put(id, parsed);
            String spec = parsed.gpuSpec().isBlank() ? clusterGpus(graph.clusterLabel().get(id)) : parsed.gpuSpec();
            List<Integer> gpus;
            try {
                gpus = DotLabel.gpus(spec, deviceNames);
            } catch (IllegalArgumentException e) {
                throw new BadInputException(file + ":" + first(lines.get(id)) + ": node \"" + id + "\": "
                        + e.getMessage());
            }
            gpusOf.put(id, gpus);
            if (gpus != null)
                allGpus.addAll(gpus.stream().filter(g -> g >= 0).toList());
            inference.put(id, declared(id, attrs, nodeStatements) ? infer(file, id, lines, parsed) : null);
        }
        Map<String, List<String>> receivers = receivingEnds(graph.edges(), labels, inference);
        int namedBase = allGpus.isEmpty() ? 0 : ((TreeSet<Integer>) allGpus).last() + 1;
        for (int i = 0; i < deviceNames.size(); i++)
            allGpus.add(namedBase + i);
        DagBuilder builder = new DagBuilder();
        List<String> notes = new ArrayList<>();
        for (String id : graph.nodes().keySet()) {
            DotOps.Inference inf = inference.get(id);
            if (inf == null) {
                String dangling = "exists only because an edge names it (never declared)";
                if (!allowDangling)
                    throw new BadInputException(file + ":" + first(lines.get(id)) + ": dangling edge: node \"" + id + "\" "
                            + dangling + "; --allow-dangling costs such nodes 0");
                inf = new DotOps.Inference(new Work.Unknown(dangling), "not understood: " + dangling + " (costed 0)");
            }
            int[] gpus = resolve(gpusOf.get(id), allGpus, namedBase);
            for (String receiver : receivers.getOrDefault(id, List.of())) // a transfer spans both ends' GPUs
                gpus = IntStream.concat(Arrays.stream(gpus), Arrays.stream(resolve(gpusOf.get(receiver), allGpus,
                        namedBase))).distinct().sorted().toArray();
            Map<String, String> attrs = graph.nodes().get(id);
            builder.addNode(id, DotLabel.lines(attrs.getOrDefault("label", "\\N").replace("\\N", id),
                    attrs.containsKey("label.html")).stream().findFirst().orElse(id), gpus, inf.work());
            notes.add(inf.note() + "; GPUs " + (gpus.length == 0 ? "none named" : Dag.describeGpus(gpus)));
        }
        for (String[] edge : graph.edges())
            builder.addEdge(builder.find(edge[0]).orElseThrow(), builder.find(edge[1]).orElseThrow(),
                    edgeLine(edge, lines, source));
        return new ImportedDag(builder.build(file.toString()), notes);
    }

    /**
     * A transfer drawn as a send and then its receive ("Send to Stage 1" → "Receive from Stage 0"), both
     * point-to-point of the same bytes, is one transfer: costed on the send, over both ends' GPUs (a send to another
     * node crosses it), and the receive that follows is its end, 0 µs (both had been costed in full, one after the
     * other). Returns the receives of each such send. A receive whose label names no GPU is on every GPU of the file,
     * and so then is its send; a receive two sends lead to is the end of both.
     */
    private static Map<String, List<String>> receivingEnds(List<String[]> edges, Map<String, DotLabel> labels,
                                                           Map<String, DotOps.Inference> inference) {
        Map<String, List<String>> receivers = new HashMap<>();
        for (String[] edge : edges) {
            DotOps.Inference send = inference.get(edge[0]);
            DotOps.Inference receive = inference.get(edge[1]);
            if (send != null && receive != null && send.work() instanceof Work.Comm out
                    && receive.work() instanceof Work.Comm in && out.collective() == Collective.SEND_RECV
                    && in.collective() == Collective.SEND_RECV && out.bytes() == in.bytes()
                    && DotOps.sends(labels.get(edge[0])) && DotOps.receives(labels.get(edge[1]))) {
                inference.put(edge[1], new DotOps.Inference(new Work.Marker("the receiving end of \"" + edge[0]
                        + "\""), "the receiving end of the send \"" + edge[0] + "\": the transfer is costed once, on"
                        + " the send over both ends' GPUs: 0 us"));
                receivers.computeIfAbsent(edge[0], s -> new ArrayList<>()).add(edge[1]);
            }
        }
        return receivers;
    }

    /** The node's work; sizes whose products leave the range of a long, or make no GEMM, are refused in one line. */
    private static DotOps.Inference infer(Path file, String id, Map<String, List<Integer>> lines, DotLabel label) {
        try {
            return DotOps.infer(label);
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new BadInputException(file + ":" + first(lines.get(id)) + ": node \"" + id + "\": sizes out of range"
                    + " in its label (" + e.getMessage() + ")");
        }
    }

    /** Graphviz says "Error: syntax error in line 289 near 'q'"; we say "file:289: syntax error near 'q'". */
    private static BadInputException syntaxError(Path file, String message) {
        String text = message.replaceAll("\\s+", " ").replaceFirst("^(Error|Warning): ", "").replaceFirst("^input: ", "")
                .strip();
        Matcher m = LINE.matcher(text);
        if (m.find())
            return new BadInputException(file + ":" + m.group(1) + ": not valid DOT: "
                    + text.replace(" in line " + m.group(1), "").replace("line " + m.group(1), "").strip());
        return new BadInputException(file + ": not valid DOT: " + text);
    }

    /** A cluster label like "Pipeline Stage 0 (GPUs 0-7)" gives its nodes' GPUs when their labels do not. */
    private static String clusterGpus(String clusterLabel) {
        if (clusterLabel == null)
            return "";
        Matcher m = Pattern.compile("(?i)\\bGPUs?:?\\s*(\\d+(?:\\s*[-–]\\s*\\d+)?)").matcher(clusterLabel);
        return m.find() ? m.group(1) : "";
    }

    private static int[] resolve(List<Integer> gpus, Set<Integer> all, int namedBase) {
        if (gpus == null)
            return all.stream().mapToInt(Integer::intValue).toArray();
        Set<Integer> resolved = new LinkedHashSet<>();
        for (int g : gpus)
            resolved.add(g >= 0 ? g : namedBase + (-1 - g));
        return resolved.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /** A node with a label, or one a node statement names ({@link #nodeStatements}), is declared; edges declare none. */
    private static boolean declared(String id, Map<String, String> attrs, Set<String> nodeStatements) {
        return attrs.containsKey("label") || nodeStatements.contains(id);
    }

    /**
     * The ids a statement without an edge operator names ({@code a;}, {@code a [shape=box] b},
     * {@code {rank=same; b c}}). Statements end at ';', '{', '}' and a line's end outside quotes; quoted strings, HTML
     * labels, attribute lists and comments are skipped whole, across lines, and so are attributes ({@code rank=same})
     * and ports ({@code a:n}).
     */
    static Set<String> nodeStatements(String text) {
        Set<String> ids = new HashSet<>();
        List<String> named = new ArrayList<>();
        boolean edge = false;
        int i = 0;
        while (i <= text.length()) {
            char c = i < text.length() ? text.charAt(i) : ';';
            char next = i + 1 < text.length() ? text.charAt(i + 1) : ' ';
            int skipped = i < text.length() ? commentEnd(text, i) : i;
            if (skipped > i) {
                i = skipped;
            } else if (c == ';' || c == '{' || c == '}' || c == '\n') {
                // a group an edge leads into or out of ({a b} -> c) is the edge's, not node statements
                boolean edgeGroup = c == '}' && text.startsWith("->", skipBlanks(text, i + 1));
                if (!edge && !edgeGroup)
                    named.stream().filter(id -> !KEYWORDS.contains(id.toLowerCase(Locale.ROOT))).forEach(ids::add);
                named.clear();
                edge = c == '{' && i >= 2 && text.startsWith("->", blanksBefore(text, i) - 2);
                i++;
            } else if (c == '[' || c == '<') {
                i = closing(text, i, c, c == '[' ? ']' : '>');
            } else if (c == '-' && next == '>') {
                edge = true;
                i += 2;
            } else if (c == '"' || isWordStart(text, i)) {
                int end = tokenEnd(text, i);
                if (!besideAssignment(text, i, end))
                    named.add(c == '"' ? unquote(text.substring(i + 1, Math.max(i + 1, end - 1)))
                            : text.substring(i, end));
                i = end;
            } else {
                i++;
            }
        }
        return ids;
    }

    /** The index of the first character at or after {@code i} that is not a space or a tab. */
    private static int skipBlanks(String text, int i) {
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t'))
            i++;
        return i;
    }

    /** The index just after the last character before {@code i} that is not a space or a tab. */
    private static int blanksBefore(String text, int i) {
        while (i > 0 && (text.charAt(i - 1) == ' ' || text.charAt(i - 1) == '\t'))
            i--;
        return i;
    }

    /** Whether the token in [start, end) is an attribute's name or value ({@code k=v}) or a port ({@code a:p}). */
    private static boolean besideAssignment(String text, int start, int end) {
        int before = blanksBefore(text, start) - 1;
        int after = skipBlanks(text, end);
        return before >= 0 && (text.charAt(before) == '=' || text.charAt(before) == ':')
                || after < text.length() && text.charAt(after) == '=';
    }

    /** The index after the {@code close} that balances the {@code open} at {@code i} (quotes skipped), or the end. */
    private static int closing(String line, int i, char open, char close) {
        int depth = 0;
        for (; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"' && open == '[')
                i = tokenEnd(line, i) - 1;
            else if (c == open)
                depth++;
            else if (c == close && --depth == 0)
                return i + 1;
        }
        return line.length();
    }

    /** The first line where the edge's two ends appear joined by "->", else where its head first appears. */
    private static int edgeLine(String[] edge, Map<String, List<Integer>> lines, String[] all) {
        List<Integer> tails = lines.getOrDefault(edge[0], List.of());
        List<Integer> heads = lines.getOrDefault(edge[1], List.of());
        // both lists are in line order: walk the shorter, look the other up (a hub's edges stay linear)
        boolean fewerTails = tails.size() <= heads.size();
        for (int line : fewerTails ? tails : heads) {
            if (Collections.binarySearch(fewerTails ? heads : tails, line) < 0)
                continue;
            String statement = all[line - 1];
            int arrow = statement.indexOf("->", statement.indexOf(edge[0]) + edge[0].length());
            if (arrow >= 0 && statement.indexOf(edge[1], arrow) > 0)
                return line;
        }
        return first(heads);
    }

    /** The lines on which each identifier or quoted string occurs, in order. */
    private static Map<String, List<Integer>> tokenLines(String[] all) {
        Map<String, List<Integer>> lines = new HashMap<>();
        for (int i = 0; i < all.length; i++) {
            for (String token : tokens(all[i])) {
                List<Integer> at = lines.computeIfAbsent(token, k -> new ArrayList<>());
                if (at.isEmpty() || at.get(at.size() - 1) != i + 1)
                    at.add(i + 1);
            }
        }
        return lines;
    }

    /**
     * The quoted strings (their content, escapes kept) and identifiers ({@code [\\w.]+}) of one line, scanned by hand:
     * a regular expression with an alternation inside a repetition recurses once per character and overflows the
     * stack on labels of a few thousand characters.
     */
    static List<String> tokens(String line) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '"') {
                int end = tokenEnd(line, i);
                if (end <= line.length() && line.charAt(end - 1) == '"' && end > i + 1) {
                    tokens.add(unquote(line.substring(i + 1, end - 1)));
                    i = end;
                } else {
                    i++; // unterminated on this line: its words count as identifiers
                }
            } else if (isWordStart(line, i)) {
                int end = tokenEnd(line, i);
                tokens.add(line.substring(i, end));
                i = end;
            } else {
                i++;
            }
        }
        return tokens;
    }

    /** The end of the quoted string or identifier that starts at {@code i} (past its closing quote). */
    private static int tokenEnd(String line, int i) {
        int end = i + 1;
        if (line.charAt(i) == '"') {
            while (end < line.length() && line.charAt(end) != '"')
                end += line.charAt(end) == '\\' ? 2 : 1;
            return Math.min(end + 1, line.length());
        }
        while (end < line.length() && isWordChar(line.charAt(end)))
            end++;
        return end;
    }

    /** A quoted id as Graphviz reads it: {@code \"} is a quote; other escapes stay (labels interpret them). */
    private static String unquote(String content) {
        return content.replace("\\\"", "\"");
    }

    /** An identifier, or a numeral, which may be negative ({@code -1}, not the edge operator's '-'). */
    private static boolean isWordStart(String line, int i) {
        char c = line.charAt(i);
        return isWordChar(c) || c == '-' && i + 1 < line.length() && isWordChar(line.charAt(i + 1))
                && (i == 0 || line.charAt(i - 1) != '-');
    }

    /**
     * The line of the first thing after the first graph's closing brace that is not white space or a comment, or 0:
     * Graphviz reads the first graph of a text and silently leaves the rest. Strings and HTML labels are skipped
     * whole, so braces inside them do not count.
     */
    static int lineAfterFirstGraph(String text) {
        int depth = 0;
        boolean opened = false;
        for (int i = 0; i < text.length(); ) {
            char c = text.charAt(i);
            int skipped = commentEnd(text, i);
            if (skipped > i) {
                i = skipped;
            } else if (c == '"') {
                i = tokenEnd(text, i);
            } else if (c == '<' && opened) {
                i = closing(text, i, '<', '>');
            } else {
                if (c == '{') {
                    depth++;
                    opened = true;
                } else if (c == '}') {
                    depth--;
                } else if (opened && depth == 0 && !Character.isWhitespace(c) && c != ';') {
                    return 1 + (int) text.substring(0, i).chars().filter(ch -> ch == '\n').count();
                }
                i++;
            }
        }
        return 0;
    }

    /**
     * The index after the comment that starts at {@code i} ({@code //} and {@code #} to the line's end, which still
     * ends a statement; a block comment past its close), or {@code i} where none starts there.
     */
    private static int commentEnd(String text, int i) {
        char c = text.charAt(i);
        char next = i + 1 < text.length() ? text.charAt(i + 1) : ' ';
        if (c == '#' || c == '/' && next == '/') {
            int eol = text.indexOf('\n', i);
            return eol < 0 ? text.length() : eol;
        }
        if (c == '/' && next == '*') {
            int close = text.indexOf("*/", i + 2);
            return close < 0 ? text.length() : close + 2;
        }
        return i;
    }

    /** DOT's identifier characters: letters, digits, '_', and every non-ASCII character; '.' for numerals. */
    private static boolean isWordChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c > 127;
    }

    private static int first(List<Integer> lines) {
        return lines == null || lines.isEmpty() ? 0 : lines.get(0);
    }
}
