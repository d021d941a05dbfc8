package gemmcost.dag;

import gemmcost.BadInputException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import gemmcost.InputFiles;
import gemmcost.Limits;
import gemmcost.comm.Collective;
import gemmcost.table.GemmShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalInt;

/**
 * Reads the JSON DAG format (documented in the README) with a streaming parser, so a million-node file never
 * exists as a tree:
 * <pre>{"nodes": [{"id": "a", "gpu": 0, "duration_us": 12.5},
 *            {"id": "b", "gpu": 1, "gemm": {"m": 1024, "k": 4096, "n": 512}},
 *            {"id": "c", "gpus": [0, 1], "comm": {"collective": "all_reduce", "bytes": 8388608}},
 *            {"id": "d", "gpu": 0, "memory": {"bytes": 16777216}, "name": "LayerNorm"}],
 *  "edges": [["a", "b"], ["b", "c"]]}</pre>
 * {@code nodes} must come before {@code edges}. Every refusal is one line {@code file:line: $.path: what}.
 */
public final class JsonDagReader {
    /** The format {@code examples/diamond.json} is written in; a DAG may leave the key out. */
    static final String SCHEMA = "gemmcost.dag/1";

    /** Duplicate keys are refused (the last would win silently). */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final String source;
    private final JsonParser parser;
    private final DagBuilder builder = new DagBuilder();

    private JsonDagReader(String source, JsonParser parser) {
        this.source = source;
        this.parser = parser;
    }

    public static Dag read(Path file) {
        try (JsonParser parser = FACTORY.createParser(Files.newInputStream(file))) {
            return new JsonDagReader(file.toString(), parser).document();
        } catch (JsonProcessingException e) {
            throw InputFiles.notJson(file, e);
        } catch (IOException e) {
            throw InputFiles.cannotRead(file, e);
        }
    }

    private Dag document() throws IOException {
        expect(parser.nextToken(), JsonToken.START_OBJECT, "$", "an object with \"nodes\" and \"edges\"");
        boolean nodes = false;
        boolean edges = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            parser.nextToken();
            switch (key) {
                case "schema" -> {
                    if (parser.currentToken() != JsonToken.VALUE_STRING)
                        throw bad("$.schema", "must be the string \"" + SCHEMA + "\"");
                    if (!parser.getText().equals(SCHEMA))
                        throw bad("$.schema", parser.getText() + ": this gemmcost reads " + SCHEMA
                                + " (or a DAG without the key)");
                }
                case "name", "description" -> parser.skipChildren();
                case "nodes" -> {
                    nodes(); nodes = true;
                }
                case "edges" -> {
                    if (!nodes)
                        throw bad("$.edges", "must come after \"nodes\"");
                    edges(); edges = true;
                }
                default -> throw bad("$." + key, "unknown key (known: schema, name, description, nodes, edges)");
            }
        }
        if (!nodes)
            throw bad("$.nodes", "missing");
        if (!edges)
            throw bad("$.edges", "missing (write \"edges\": [] for a DAG without edges)");
        if (parser.nextToken() != null)
            throw bad("$", "content after the DAG's object");
        return builder.build(source);
    }

    private void nodes() throws IOException {
        expect(parser.currentToken(), JsonToken.START_ARRAY, "$.nodes", "an array");
        for (int i = 0; parser.nextToken() != JsonToken.END_ARRAY; i++)
            node("$.nodes[" + i + "]");
    }

    private void node(String path) throws IOException {
        expect(parser.currentToken(), JsonToken.START_OBJECT, path, "an object");
        String id = null;
        String name = null;
        int[] gpus = {};
        boolean gpusGiven = false;
        Work work = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            String at = path + "." + key;
            parser.nextToken();
            switch (key) {
                case "id" -> id = text(at);
                case "name" -> name = text(at);
                case "gpu", "gpus" -> {
                    if (gpusGiven)
                        throw bad(at, "a node has one of gpu, gpus");
                    gpus = key.equals("gpu") ? new int[] {gpu(at)} : gpuList(at);
                    gpusGiven = true;
                }
                case "duration_us", "gemm", "memory", "comm" -> {
                    if (work != null)
                        throw bad(at, "a node has exactly one of duration_us, gemm, memory, comm");
                    work = work(key, at);
                }
                default -> throw bad(at, "unknown key (known: id, name, gpu, gpus, duration_us, gemm, memory, comm)");
            }
        }
        if (id == null)
            throw bad(path + ".id", "missing");
        if (work == null)
            throw bad(path, "node \"" + id + "\" needs one of duration_us, gemm, memory, comm");
        if (builder.find(id).isPresent())
            throw bad(path + ".id", "duplicate node id \"" + id + "\"");
        if (work instanceof Work.Comm && gpus.length == 0)
            throw bad(path + ".gpus", "a collective needs the GPUs it runs over, got none");
        builder.addNode(id, name, gpus, work);
    }

    private Work work(String key, String at) throws IOException {
        try {
            return switch (key) {
                case "duration_us" -> new Work.Fixed(number(at));
                case "gemm" -> gemm(at);
                case "memory" -> new Work.Memory(field(at, "bytes"));
                default -> comm(at);
            };
        } catch (IllegalArgumentException e) {
            throw bad(at, e.getMessage());
        }
    }

    private Work gemm(String at) throws IOException {
        expect(parser.currentToken(), JsonToken.START_OBJECT, at, "an object {\"m\":…, \"k\":…, \"n\":…}");
        long[] mknc = {0, 0, 0, 1};
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            int slot = switch (key) {
                case "m" -> 0;
                case "k" -> 1;
                case "n" -> 2;
                case "count" -> 3;
                default -> throw bad(at + "." + key, "unknown key (known: m, k, n, count)");
            };
            parser.nextToken();
            mknc[slot] = positiveLong(at + "." + key);
        }
        for (int i = 0; i < 3; i++)
            if (mknc[i] == 0)
                throw bad(at + "." + "mkn".charAt(i), "missing");
        try {
            return new Work.Gemm(new GemmShape(mknc[0], mknc[1], mknc[2]), mknc[3]);
        } catch (IllegalArgumentException e) { // the one check the fields above do not make: m × count overflows
            throw bad(at + ".count", "m × count (" + mknc[0] + " × " + mknc[3] + ") overflows a 64-bit integer");
        }
    }

    private Work comm(String at) throws IOException {
        expect(parser.currentToken(), JsonToken.START_OBJECT, at, "an object {\"collective\":…, \"bytes\":…}");
        Collective collective = null;
        double bytes = -1;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            parser.nextToken();
            switch (key) {
                case "collective" -> {
                    String text = text(at + ".collective");
                    collective = Collective.parse(text).orElseThrow(() -> bad(at + ".collective",
                            "unknown collective \"" + text + "\" (known: " + Arrays.stream(Collective.values())
                                    .map(Collective::id).toList() + ")"));
                }
                case "bytes" -> bytes = number(at + ".bytes");
                default -> throw bad(at + "." + key, "unknown key (known: collective, bytes)");
            }
        }
        if (collective == null)
            throw bad(at + ".collective", "missing");
        if (bytes < 0)
            throw bad(at + ".bytes", "missing or negative");
        return new Work.Comm(collective, bytes);
    }

    private double field(String at, String name) throws IOException {
        expect(parser.currentToken(), JsonToken.START_OBJECT, at, "an object {\"" + name + "\":…}");
        double value = -1;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            parser.nextToken();
            if (!key.equals(name))
                throw bad(at + "." + key, "unknown key (known: " + name + ")");
            value = number(at + "." + key);
        }
        if (value < 0)
            throw bad(at + "." + name, "missing");
        return value;
    }

    private void edges() throws IOException {
        expect(parser.currentToken(), JsonToken.START_ARRAY, "$.edges", "an array of [from, to] pairs");
        for (int i = 0; parser.nextToken() != JsonToken.END_ARRAY; i++) {
            String at = "$.edges[" + i + "]";
            expect(parser.currentToken(), JsonToken.START_ARRAY, at, "a pair [\"from\", \"to\"]");
            int line = line();
            parser.nextToken();
            int from = endpoint(at + "[0]");
            parser.nextToken();
            int to = endpoint(at + "[1]");
            if (parser.nextToken() != JsonToken.END_ARRAY)
                throw bad(at, "an edge is a pair [\"from\", \"to\"]");
            builder.addEdge(from, to, line);
        }
    }

    private int endpoint(String at) throws IOException {
        String id = text(at);
        OptionalInt v = builder.find(id);
        if (v.isEmpty())
            throw bad(at, "dangling edge: no node has id \"" + id + "\"");
        return v.getAsInt();
    }

    private int gpu(String at) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT || parser.getLongValue() < 0
                || parser.getLongValue() >= Limits.MAX_GPUS)
            throw bad(at, "must be a GPU index from 0 to " + (Limits.MAX_GPUS - 1) + ", got " + shown());
        return parser.getIntValue();
    }

    private int[] gpuList(String at) throws IOException {
        expect(parser.currentToken(), JsonToken.START_ARRAY, at, "an array of GPU indexes");
        int[] gpus = new int[4];
        int count = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (count == gpus.length)
                gpus = Arrays.copyOf(gpus, count * 2);
            gpus[count] = gpu(at + "[" + count + "]");
            count++;
        }
        int[] list = Arrays.stream(gpus, 0, count).distinct().toArray();
        if (list.length < count)
            throw bad(at, "names a GPU twice");
        return list;
    }

    private String text(String at) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_STRING)
            throw bad(at, "must be a string, got " + shown());
        return parser.getText();
    }

    private double number(String at) throws IOException {
        if (!parser.currentToken().isNumeric())
            throw bad(at, "must be a number, got " + shown());
        double value = parser.getDoubleValue();
        if (!(value >= 0) || Double.isInfinite(value))
            throw bad(at, "must be finite and >= 0, got " + shown());
        return value;
    }

    private long positiveLong(String at) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                || parser.getLongValue() <= 0)
            throw bad(at, "must be an integer > 0, got " + shown());
        return parser.getLongValue();
    }

    /** The current value as the file writes it: a string in its quotes ({@code "5"} is not the number 5). */
    private String shown() throws IOException {
        return parser.currentToken() == JsonToken.VALUE_STRING
                ? '"' + new String(JsonStringEncoder.getInstance().quoteAsString(parser.getText())) + '"'
                : parser.getText();
    }

    private void expect(JsonToken actual, JsonToken expected, String at, String what) {
        if (actual != expected)
            throw bad(at, "must be " + what + ", got " + (actual == null ? "end of file" : actual.asString()));
    }

    private int line() {
        return parser.currentTokenLocation().getLineNr();
    }

    private BadInputException bad(String at, String what) {
        return new BadInputException(source + ":" + line() + ": " + at + ": " + what);
    }
}
