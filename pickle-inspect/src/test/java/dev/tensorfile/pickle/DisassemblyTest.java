package dev.tensorfile.pickle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tensorfile.testframework.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The disassembler shows what CPython's {@code pickletools.genops} reads: the same opcodes at the same offsets,
 * with the same integer and GLOBAL arguments ({@code disassembly/expected.json}, written by
 * {@code disassembly/make_expected.py} with Debian's python3).
 */
class DisassemblyTest {
    private static final Fixtures FIXTURES = Fixtures.resources("fixtures");

    private static final Pattern LINE = Pattern.compile("^\\s*(\\d+): (\\S+)\\s+(\\S+)\\s*(.*)$");

    @TestFactory
    List<DynamicTest> everyOpcodeMatchesPickletools() throws URISyntaxException {
        JsonNode expected = Fixtures.readJson(Path.of(DisassemblyTest.class.getResource("/disassembly/expected.json").toURI()));
        List<DynamicTest> tests = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> check(FIXTURES.file(e.getKey()), e.getValue().path("ops"))));
        }
        assertEquals(15, tests.size());
        return tests;
    }

    private static void check(Path file, JsonNode ops) {
        StringBuilder out = new StringBuilder();
        try {
            new PickleScanner().disassemble(file, out);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        List<String[]> got = new ArrayList<>();
        boolean first = true;
        for (String line : out.toString().split("\n")) {
            if (line.startsWith("==")) {
                if (!got.isEmpty()) first = false;
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (first && m.matches()) got.add(new String[] {m.group(1), m.group(3), m.group(4).strip()});
        }
        assertEquals(ops.size(), got.size(), "opcode count\n" + out);
        for (int i = 0; i < ops.size(); i++) {
            JsonNode want = ops.get(i);
            String[] g = got.get(i);
            assertEquals(want.get(0).asLong(), Long.parseLong(g[0]), "offset of opcode #" + i);
            assertEquals(want.get(1).asText(), g[1], "opcode #" + i + " at " + g[0]);
            String arg = want.get(2).isNull() ? null : want.get(2).asText();
            if (arg != null && (arg.matches("-?\\d+") || want.get(1).asText().equals("GLOBAL"))) {
                assertEquals(arg, g[2], "argument of " + g[1] + " at " + g[0]);
            }
        }
    }
}
