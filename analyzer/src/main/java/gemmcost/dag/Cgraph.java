package gemmcost.dag;

import gemmcost.BadInputException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Graphviz's own DOT parser (libcgraph) through the FFM API, so DOT files mean exactly what they mean to
 * {@code dot}: escapes, node defaults and their scoping, repeated statements, subgraph edges. Pure-Java DOT
 * parsers were tried and lose edges or reject valid escapes (JGraphT 1.5.2: {@code \n} in strings, jgrapht#1131,
 * and edges to existing nodes inside {@code {a b}}; graphviz-java 0.18.1: anonymous subgraphs).
 * libcgraph keeps global state, so every parse runs under one lock.
 */
@SuppressWarnings("restricted") // native calls are this class's purpose; the jar and the tests enable native access
final class Cgraph {
    private static final String LIBRARY = "libcgraph.so.6";
    private static final Linker LINKER = Linker.nativeLinker();
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout PTR = ValueLayout.ADDRESS;
    private static final StringBuilder ERRORS = new StringBuilder();
    private static Cgraph instance;

    private final MethodHandle memread;
    private final MethodHandle close;
    private final MethodHandle firstNode;
    private final MethodHandle nextNode;
    private final MethodHandle firstOut;
    private final MethodHandle nextOut;
    private final MethodHandle head;
    private final MethodHandle nameOf;
    private final MethodHandle get;
    private final MethodHandle firstSubgraph;
    private final MethodHandle nextSubgraph;
    private final MethodHandle htmlString;
    private final MethodHandle directed;
    private final MethodHandle resetLexer;
    private final MethodHandle setFile;
    private final MemorySegment inputName = Arena.global().allocateFrom("input");

    /** One parsed graph: node names in file order with attributes, edges, and each node's innermost cluster label. */
    record Graph(boolean directed, Map<String, Map<String, String>> nodes, List<String[]> edges,
                 List<Map<String, String>> edgeAttributes, Map<String, String> clusterLabel) {
    }

    private Cgraph(SymbolLookup lib) {
        memread = fn(lib, "agmemread", FunctionDescriptor.of(PTR, PTR));
        close = fn(lib, "agclose", FunctionDescriptor.of(INT, PTR));
        firstNode = fn(lib, "agfstnode", FunctionDescriptor.of(PTR, PTR));
        nextNode = fn(lib, "agnxtnode", FunctionDescriptor.of(PTR, PTR, PTR));
        firstOut = fn(lib, "agfstout", FunctionDescriptor.of(PTR, PTR, PTR));
        nextOut = fn(lib, "agnxtout", FunctionDescriptor.of(PTR, PTR, PTR));
        head = fn(lib, "aghead", FunctionDescriptor.of(PTR, PTR));
        nameOf = fn(lib, "agnameof", FunctionDescriptor.of(PTR, PTR));
        get = fn(lib, "agget", FunctionDescriptor.of(PTR, PTR, PTR));
        firstSubgraph = fn(lib, "agfstsubg", FunctionDescriptor.of(PTR, PTR));
        nextSubgraph = fn(lib, "agnxtsubg", FunctionDescriptor.of(PTR, PTR));
        htmlString = fn(lib, "aghtmlstr", FunctionDescriptor.of(INT, PTR));
        directed = fn(lib, "agisdirected", FunctionDescriptor.of(INT, PTR));
        resetLexer = fn(lib, "aaglex_destroy", FunctionDescriptor.of(INT));
        setFile = fn(lib, "agsetfile", FunctionDescriptor.ofVoid(PTR));
        try {
            MethodHandle collect = MethodHandles.lookup().findStatic(Cgraph.class, "collectError",
                    MethodType.methodType(int.class, MemorySegment.class));
            MemorySegment stub = LINKER.upcallStub(collect, FunctionDescriptor.of(INT, PTR), Arena.global());
            MemorySegment previous = (MemorySegment) fn(lib, "agseterrf", FunctionDescriptor.of(PTR, PTR)).invokeExact(stub);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot install the libcgraph error handler", e);
        }
    }

    /** The library, loaded once; bad input (exit 2) naming the package to install if it is missing. */
    static synchronized Cgraph load() {
        if (instance == null) {
            SymbolLookup lib;
            try {
                lib = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
            } catch (IllegalArgumentException e) {
                throw new BadInputException("DOT import needs Graphviz's parser library " + LIBRARY
                        + ", which is not installed (Debian/Ubuntu: apt-get install libcgraph6, or install graphviz);"
                        + " JSON DAGs need nothing");
            }
            instance = new Cgraph(lib);
        }
        return instance;
    }

    private static MethodHandle fn(SymbolLookup lib, String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(lib.find(name).orElseThrow(
                () -> new BadInputException(LIBRARY + " has no symbol " + name + ": an unsupported Graphviz version")),
                descriptor);
    }

    @SuppressWarnings("unused") // called by libcgraph through the upcall stub
    private static int collectError(MemorySegment message) {
        ERRORS.append(message.reinterpret(Integer.MAX_VALUE).getString(0));
        return 0;
    }

    /**
     * Parses DOT text.
     *
     * @return the graph, or null with {@code error[0]} set to Graphviz's message
     */
    synchronized Graph parse(String text, String[] error) {
        ERRORS.setLength(0);
        try (Arena arena = Arena.ofConfined()) {
            // the lexer is global: a failed parse leaves input in its buffer and the line count runs on
            int ignoredReset = (int) resetLexer.invokeExact();
            setFile.invokeExact(inputName);
            MemorySegment g = (MemorySegment) memread.invokeExact(arena.allocateFrom(text));
            if (g.equals(MemorySegment.NULL)) {
                error[0] = ERRORS.isEmpty() ? "no graph in the file" : ERRORS.toString();
                return null;
            }
            if (ERRORS.indexOf("Error") >= 0 || ERRORS.indexOf("memory exhausted") >= 0) {
                // Graphviz gave up part-way (e.g. its parser's stack is exhausted) and returned what it had
                int ignored = (int) close.invokeExact(g);
                error[0] = ERRORS.toString();
                return null;
            }
            try {
                return read(g, arena);
            } finally {
                int ignored = (int) close.invokeExact(g);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private Graph read(MemorySegment g, Arena arena) throws Throwable {
        MemorySegment labelKey = arena.allocateFrom("label");
        Map<String, Map<String, String>> nodes = new LinkedHashMap<>();
        List<String[]> edges = new ArrayList<>();
        List<Map<String, String>> edgeAttributes = new ArrayList<>();
        String[] keys = {"label", "shape", "style"};
        MemorySegment[] keySegments = new MemorySegment[keys.length];
        for (int i = 0; i < keys.length; i++)
            keySegments[i] = arena.allocateFrom(keys[i]);
        for (MemorySegment n = (MemorySegment) firstNode.invokeExact(g); !n.equals(MemorySegment.NULL);
             n = (MemorySegment) nextNode.invokeExact(g, n)) {
            String name = string((MemorySegment) nameOf.invokeExact(n));
            nodes.put(name, attributes(n, keys, keySegments));
            for (MemorySegment e = (MemorySegment) firstOut.invokeExact(g, n); !e.equals(MemorySegment.NULL);
                 e = (MemorySegment) nextOut.invokeExact(g, e)) {
                edges.add(new String[] {name, string((MemorySegment) nameOf.invokeExact((MemorySegment) head.invokeExact(e)))});
                edgeAttributes.add(attributes(e, keys, keySegments));
            }
        }
        Map<String, String> clusterLabel = new LinkedHashMap<>();
        clusters(g, labelKey, null, clusterLabel);
        return new Graph((int) directed.invokeExact(g) != 0, nodes, edges, edgeAttributes, clusterLabel);
    }

    /** Records, for every node, the label of the innermost subgraph that has one (clusters carry GPU ranges). */
    private void clusters(MemorySegment g, MemorySegment labelKey, String inherited, Map<String, String> out)
            throws Throwable {
        for (MemorySegment s = (MemorySegment) firstSubgraph.invokeExact(g); !s.equals(MemorySegment.NULL);
             s = (MemorySegment) nextSubgraph.invokeExact(s)) {
            String label = string((MemorySegment) get.invokeExact(s, labelKey));
            String effective = label == null || label.isEmpty() ? inherited : label;
            if (effective != null)
                for (MemorySegment n = (MemorySegment) firstNode.invokeExact(s); !n.equals(MemorySegment.NULL);
                     n = (MemorySegment) nextNode.invokeExact(s, n))
                    out.put(string((MemorySegment) nameOf.invokeExact(n)), effective);
            clusters(s, labelKey, effective, out);
        }
    }

    private Map<String, String> attributes(MemorySegment object, String[] keys, MemorySegment[] keySegments)
            throws Throwable {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (int i = 0; i < keys.length; i++) {
            MemorySegment value = (MemorySegment) get.invokeExact(object, keySegments[i]);
            String text = string(value);
            if (text != null && !text.isEmpty()) {
                if ((int) htmlString.invokeExact(value) != 0)
                    attributes.put(keys[i] + ".html", "true");
                attributes.put(keys[i], text);
            }
        }
        return attributes;
    }

    private static String string(MemorySegment s) {
        return s.equals(MemorySegment.NULL) ? null : s.reinterpret(Integer.MAX_VALUE).getString(0);
    }
}
