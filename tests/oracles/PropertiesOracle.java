import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The properties oracle of tests/oracles.rs: Java's own reading of each file named on the
 * command line. Every file is loaded with Properties.load(InputStream), the ISO-8859-1 byte
 * form that Tomcat and Spring Boot (bitbucket.properties) use. For each file, in order, one
 * line is printed: a JSON object of the loaded keys and values, keys sorted, or
 * {"error": MESSAGE} when Java refuses the file (a malformed \\uXXXX escape).
 *
 * Run as a source-file program, one JVM for all files: java PropertiesOracle.java FILE...
 */
public class PropertiesOracle {
    public static void main(String[] files) throws IOException {
        StringBuilder out = new StringBuilder();
        for (String file : files) {
            out.append(read(file)).append('\n');
        }
        System.out.print(out);
    }

    private static String read(String file) throws IOException {
        Properties loaded = new Properties();
        try (InputStream in = Files.newInputStream(Paths.get(file))) {
            loaded.load(in);
        } catch (IllegalArgumentException refused) {
            return "{\"error\": " + json(String.valueOf(refused.getMessage())) + "}";
        }
        SortedMap<String, String> sorted = new TreeMap<>();
        for (String key : loaded.stringPropertyNames()) {
            sorted.put(key, loaded.getProperty(key));
        }
        StringBuilder object = new StringBuilder("{");
        String separator = "";
        for (String key : sorted.keySet()) {
            object.append(separator).append(json(key)).append(": ").append(json(sorted.get(key)));
            separator = ", ";
        }
        return object.append('}').toString();
    }

    /** A JSON string literal that is plain ASCII: everything else as a \\u escape. */
    private static String json(String text) {
        StringBuilder literal = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                literal.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                literal.append(c);
            } else {
                literal.append(String.format("\\u%04x", (int) c));
            }
        }
        return literal.append('"').toString();
    }
}
