package dev.tensorfile.safetensors;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.ReadLimits;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fast path takes plain headers and leaves everything else, untouched, to the general parser. */
class PlainHeaderParserTest {
    private static Map<String, String> parse(String json, List<SafetensorsHeader.Raw> raws) {
        return PlainHeaderParser.parse(json.getBytes(StandardCharsets.UTF_8), ReadLimits.DEFAULT, raws);
    }

    @Test
    void readsAPlainHeaderWithWhitespaceFieldsInAnyOrderAndUtf8Names() {
        String h = " \n{\"__metadata__\":{\"format\":\"pt\",\"é\":\"ü\"}, \"b\" : {\"shape\":[2, 3],\"dtype\":\"F16\","
                + "\"data_offsets\":[0,12]},\"naïve\":{\"data_offsets\":[12,13],\"dtype\":\"U8\",\"shape\":[]}}  ";
        List<SafetensorsHeader.Raw> raws = new ArrayList<>();
        Map<String, String> md = parse(h, raws);
        assertEquals(Map.of("format", "pt", "é", "ü"), md);
        assertEquals(2, raws.size());
        assertEquals("b", raws.get(0).name());
        assertEquals(DType.F16, raws.get(0).dtype());
        assertArrayEquals(new long[] {2, 3}, raws.get(0).shape());
        assertEquals(12, raws.get(0).end());
        int keyByte = h.substring(0, h.indexOf("\"b\"")).getBytes(StandardCharsets.UTF_8).length;
        assertEquals(8 + keyByte, raws.get(0).at(), "byte offset of the key in the file");
        assertEquals("naïve", raws.get(1).name());
        assertArrayEquals(new long[0], raws.get(1).shape());
    }

    @Test
    void leavesEverythingElseToTheGeneralParser() {
        String entry = "{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}";
        for (String h : new String[] {
                "{\"a\\u0062\":" + entry + "}",                                         // escape in a name
                "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"x\":1}}", // unknown field
                "{\"a\":{\"dtype\":\"U8\",\"shape\":[1]}}",                             // missing field
                "{\"__metadata__\":null,\"a\":" + entry + "}",                          // null metadata
                "{\"__metadata__\":{\"k\":1}}",                                          // non-string value
                "{\"a\":{\"dtype\":\"U8\",\"shape\":[1.0],\"data_offsets\":[0,1]}}",    // fraction
                "{\"a\":{\"dtype\":\"U8\",\"shape\":[01],\"data_offsets\":[0,1]}}",     // leading zero
                "{\"a\":{\"dtype\":\"U8\",\"shape\":[1234567890123456789],\"data_offsets\":[0,1]}}", // 19 digits
                "{\"a\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,1]}}",     // sign
                "{\"a\":" + entry + ",\"a\":" + entry + "}",                            // duplicate name
                "{\"a\":{\"dtype\":\"U8\",\"dtype\":\"U8\",\"data_offsets\":[0,1]}}",   // duplicate field
                "{\"a\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]}}",      // unknown dtype
                "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1,2]}}",    // three offsets
                "{\"a\":" + entry + "} x",                                              // trailing content
                "{\"a\":" + entry + ",}",                                               // trailing comma
                "\uFEFF{}",                                                              // byte-order mark
                "{\"a\t\":" + entry + "}",                                               // control character
        }) {
            List<SafetensorsHeader.Raw> raws = new ArrayList<>();
            raws.add(null); // what a caller had before must stay as it was
            assertNull(parse(h, raws), h);
            assertEquals(1, raws.size(), h);
        }
    }

    @Test
    void anEmptyHeaderIsAnEmptyFile() {
        List<SafetensorsHeader.Raw> raws = new ArrayList<>();
        assertEquals(Map.of(), parse("{}", raws));
        assertTrue(raws.isEmpty());
    }
}
