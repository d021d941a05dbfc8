package gemmcost;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The user's files, read with one-line messages that name the file for every way reading fails (no such file, a
 * directory, no permission, not UTF-8, a JSON syntax error), in words rather than Java's or Jackson's.
 */
public final class InputFiles {
    private InputFiles() {
    }

    /** Refuses duplicate keys (the last would win silently) and content after the JSON value. */
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    /** The file's JSON tree, read strictly; every problem is one line naming the file (and line and column). */
    public static JsonNode json(Path file) {
        return json(file, STRICT);
    }

    /** Like {@link #json(Path)}, with {@code mapper}'s own settings (e.g. exact numbers). */
    public static JsonNode json(Path file, ObjectMapper mapper) {
        try {
            JsonNode root = mapper.readTree(withoutBom(text(file))); // JSON forbids a BOM; editors write one
            if (root == null || root.isMissingNode())
                throw new BadInputException(file + ": not valid JSON: empty file");
            return root;
        } catch (JsonProcessingException e) {
            throw notJson(file, e);
        } catch (NumberFormatException e) {
            throw numberTooLarge(file, e);
        }
    }

    /** One data line of a CSV file: where it is ({@code FILE:LINE}) and its fields. */
    public record CsvLine(String where, String[] fields) {
    }

    /**
     * The data lines of a small comma-separated file without quoting: the header must be exactly {@code header}
     * (a BOM and surrounding blanks aside), blank lines are skipped, every other line must have the header's
     * number of fields and no quote (a quoted field would keep its quotes and match nothing), and there must be at
     * least one; each problem is one line naming the file and line.
     */
    public static List<CsvLine> csv(Path file, String header) {
        List<String> lines = text(file).lines().toList();
        String first = lines.isEmpty() ? "" : withoutBom(lines.getFirst()).strip();
        if (!first.equals(header))
            throw new BadInputException(file + ":1: expected the header " + header + ", found '" + first + "'");
        int columns = header.split(",").length;
        List<CsvLine> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty())
                continue;
            String[] fields = line.split(",", -1);
            String where = file + ":" + (i + 1);
            if (line.indexOf('"') >= 0)
                throw new BadInputException(where + ": quoted fields are not read here: write the values bare");
            if (fields.length != columns)
                throw new BadInputException(where + ": expected " + columns + " columns, found " + fields.length);
            rows.add(new CsvLine(where, fields));
        }
        if (rows.isEmpty())
            throw new BadInputException(file + ": no rows under the header");
        return rows;
    }

    /** {@code text} without the byte-order mark it may start with. */
    public static String withoutBom(String text) {
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** The file's text, which must be UTF-8. */
    public static String text(Path file) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /** The one-line refusal for an {@link IOException} met while reading {@code file}. */
    public static BadInputException cannotRead(Object file, IOException e) {
        String why = inWords(file, e, "no such file");
        if (why == null)
            why = e instanceof FileSystemException f && f.getReason() != null ? "cannot read: " + f.getReason()
                    : "cannot read (" + firstLine(e, "I/O error") + ")";
        return new BadInputException(file + ": " + why, e);
    }

    /**
     * The one-line refusal for an {@link IOException} met while writing {@code file}: why, in words (the exception's
     * own message names a temporary file, or nothing but the path).
     */
    public static BadInputException cannotWrite(Object file, IOException e) {
        String why = inWords(file, e, "no such directory");
        if (why == null)
            why = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : firstLine(e, "I/O error");
        return new BadInputException(file + ": cannot write: " + why, e);
    }

    /** What went wrong with {@code file}, where words say it better than the exception: else null. */
    private static String inWords(Object file, IOException e, String missing) {
        if (Files.isDirectory(Path.of(file.toString())))
            return "a directory, not a file";
        if (e instanceof NoSuchFileException)
            return missing;
        if (e instanceof AccessDeniedException)
            return "permission denied";
        if (e instanceof CharacterCodingException)
            return "not UTF-8 text";
        return null;
    }

    private static String firstLine(IOException e, String otherwise) {
        return e.getMessage() == null ? otherwise : e.getMessage().lines().findFirst().orElse(otherwise);
    }

    /**
     * {@code file:line:column: not valid JSON: what}, without Jackson's feature names, source excerpts or a line 0; a
     * duplicate key also names the object it repeats in ({@code in $.a[2]}), which a line of many objects hides.
     */
    public static BadInputException notJson(Object file, JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null || at.getLineNr() <= 0 ? file.toString()
                : file + ":" + at.getLineNr() + (at.getColumnNr() > 0 ? ":" + at.getColumnNr() : "");
        String problem = jsonProblem(e.getOriginalMessage());
        if (problem.startsWith("duplicate key") && e.getProcessor() instanceof JsonParser parser)
            problem += " in " + jsonPath(parser.getParsingContext().getParent());
        return new BadInputException(where + ": " + problem, e);
    }

    /** {@code $}, {@code $.a.b[2]}, {@code $["x.y"]}: where {@code context} lies in the document. */
    static String jsonPath(JsonStreamContext context) {
        StringBuilder path = new StringBuilder();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent())
            path.insert(0, c.inArray() ? "[" + c.getCurrentIndex() + "]" : key(c.getCurrentName()));
        return "$" + path;
    }

    /** {@code .name}, or {@code ["name"]} where the name is not an identifier (a dot, a bracket, empty). */
    private static String key(String name) {
        return name.matches("[A-Za-z_][A-Za-z0-9_]*") ? "." + name
                : "[\"" + new String(JsonStringEncoder.getInstance().quoteAsString(name)) + "\"]";
    }

    /**
     * {@code where: not valid JSON: number … is beyond what can be read}: Jackson's refusal of a number whose exponent
     * has too many digits for a {@link java.math.BigDecimal}, which it throws as a {@link NumberFormatException}.
     */
    public static BadInputException numberTooLarge(Object where, NumberFormatException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        Matcher value = Pattern.compile("Value \"([^\"]{1,40})").matcher(message);
        return new BadInputException(where + ": not valid JSON: number " + (value.find() ? value.group(1) + " " : "")
                + "is beyond what can be read", e);
    }

    /** Jackson's message for a JSON syntax error, in words: {@code not valid JSON: …} or {@code duplicate key …}. */
    public static String jsonProblem(String message) {
        String s = message == null ? "unknown error" : message.strip();
        if (s.startsWith("Duplicate field"))
            return s.replaceFirst("(?s)Duplicate field '([^']*)'.*", "duplicate key \"$1\"");
        if (s.startsWith("Trailing token"))
            return "not valid JSON: unexpected content after the end of the JSON value";
        if (s.startsWith("Non-standard token"))
            return "not valid JSON: " + s.replaceFirst("(?s)Non-standard token '([^']*)'.*", "$1")
                    + " is not a JSON number (JSON has no NaN or Infinity)";
        return "not valid JSON: " + parserProblem(s);
    }

    /** A Jackson parser's message in one line: its first clause, without the character codes. */
    public static String parserProblem(String message) {
        String s = message == null ? "unknown error" : message.strip();
        for (String cut : new String[] {"\n", " (start marker at", ": enable `", ": was expecting"})
            if (s.contains(cut))
                s = s.substring(0, s.indexOf(cut)).strip();
        return s.replaceAll(" \\(code \\d+\\)", "");
    }
}
