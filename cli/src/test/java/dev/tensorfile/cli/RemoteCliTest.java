package dev.tensorfile.cli;

import dev.tensorfile.core.spi.LittleEndian;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tensorfile.core.loopback.LoopbackServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI over URLs: every command that reads takes one, errors stay one line, hostile servers and headers end cleanly. */
@Timeout(120)
class RemoteCliTest {
    @TempDir Path dir;
    LoopbackServer server;
    static final Path EXAMPLE = RemoteEquivalenceTest.REPO.resolve("examples/mlp-bf16.safetensors");

    @BeforeEach
    void serve() throws IOException {
        Files.copy(EXAMPLE, dir.resolve("mlp.safetensors"));
        server = LoopbackServer.start(dir);
    }

    @AfterEach
    void stop() { server.close(); }

    @Test
    void inspectJsonOfAUrlIsTheLocalJsonPlusWhatItCost() throws IOException {
        MainTest.Run local = MainTest.run("inspect", "--json", dir.resolve("mlp.safetensors").toString());
        String url = server.uri("mlp.safetensors").toString();
        MainTest.Run remote = MainTest.run("inspect", "--json", url, "--token", "t0ken");
        assertEquals(0, remote.status(), remote.err());
        JsonNode l = new ObjectMapper().readTree(local.out());
        JsonNode r = new ObjectMapper().readTree(remote.out());
        assertEquals(url, r.get("file").asText());
        assertEquals(l.get("metadata"), r.get("metadata"));
        assertEquals(l.get("tensors"), r.get("tensors"));
        assertEquals(1, r.get("remote").get("requests").asLong());
        assertEquals(Files.size(EXAMPLE), r.get("remote").get("bytesFetched").asLong(), "a small file: its first request");
        assertEquals("Bearer t0ken", server.requests().getFirst().authorization());
    }

    @Test
    void verifyScanAndConvertTakeUrls() throws IOException {
        String url = server.uri("mlp.safetensors").toString();
        MainTest.Run v = MainTest.run("verify", url);
        assertEquals(0, v.status(), v.err());
        assertTrue(v.out().startsWith(url + ": ok (safetensors"), v.out());
        MainTest.Run s = MainTest.run("scan", "--json", url);
        assertEquals(0, s.status(), s.err());
        assertEquals("safe", new ObjectMapper().readTree(s.out()).get("verdict").asText());
        Path out = dir.resolve("copy.gguf");
        Path expected = dir.resolve("local.gguf");
        MainTest.Run c = MainTest.run("convert", url, out.toString());
        assertEquals(0, c.status(), c.err());
        assertEquals(0, MainTest.run("convert", EXAMPLE.toString(), expected.toString()).status());
        assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(out), "streamed range by range, the same bytes");
    }

    /**
     * A TensorFlow SavedModel by its directory's URL (with or without the slash), its saved_model.pb or its
     * variables.index: the same tensors as the local directory, the data shard fetched only for its size.
     */
    @Test
    void inspectTakesTensorFlowUrls() throws IOException {
        Path model = RemoteEquivalenceTest.REPO.resolve("tensorflow/src/test/resources/tensorflow/saved_model_half_plus_two_cpu/00000123");
        MainTest.Run local = MainTest.run("inspect", "--json", model.toString());
        assertEquals(0, local.status(), local.err());
        JsonNode l = new ObjectMapper().readTree(local.out());
        try (LoopbackServer repo = LoopbackServer.start(RemoteEquivalenceTest.REPO)) {
            String dirUrl = repo.uri(model).toString();
            for (String url : new String[] {dirUrl, dirUrl + "/", dirUrl + "/saved_model.pb", dirUrl + "/variables/variables.index"}) {
                MainTest.Run r = MainTest.run("inspect", "--json", url);
                assertEquals(0, r.status(), url + ": " + r.err());
                JsonNode j = new ObjectMapper().readTree(r.out());
                assertEquals("tensorflow", j.get("format").asText(), url);
                assertEquals(l.get("tensors"), j.get("tensors"), url);
                assertEquals(l.get("metadata"), j.get("metadata"), url);
            }
            MainTest.Run v = MainTest.run("verify", dirUrl);
            assertEquals(0, v.status(), v.err());
            MainTest.Run missing = MainTest.run("inspect", dirUrl + "/no-such-dir");
            assertEquals(2, missing.status());
            assertTrue(missing.err().contains("404"), missing.err());
        }
    }

    @Test
    void aHeaderClaimingTenGigabytesIsRefusedFromItsFirstRequest() throws IOException {
        Path file = dir.resolve("huge-header.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(10L << 30).array());
            raf.write("{\"a\":".getBytes(StandardCharsets.US_ASCII));
            raf.setLength(11L << 30); // sparse: the file really is that long, so only the limit refuses it
        }
        MainTest.Run r = MainTest.run("inspect", server.uri(file).toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("is larger than 100000000 bytes (HeaderTooLarge)"), r.err());
        assertEquals(1, r.err().lines().count());
        assertEquals(1, server.requests().size(), "refused from the first request's bytes");
    }

    @Test
    void aGgufWhoseHeaderNeverEndsStopsAtTheHeaderLimit() throws IOException {
        // A vocabulary array claiming 2^40 strings in a sparse 1 GB file: the count check refuses it before anything
        // grows; the prefix never exceeds what the header needs.
        Path file = dir.resolve("endless.gguf");
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        b.put("GGUF".getBytes(StandardCharsets.US_ASCII)).putInt(3).putLong(0).putLong(1);
        byte[] key = "tokenizer.ggml.tokens".getBytes(StandardCharsets.US_ASCII);
        b.putLong(key.length).put(key).putInt(9).putInt(8).putLong(1L << 40);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(b.array(), 0, b.position());
            raf.setLength(1L << 30);
        }
        MainTest.Run r = MainTest.run("inspect", server.uri(file).toString());
        assertEquals(2, r.status());
        assertEquals(1, r.err().lines().count(), r.err());
        long fetched = server.requests().size();
        assertTrue(fetched <= 60, "bounded: " + fetched + " requests");
    }

    @Test
    void aServerWithoutRangesNeedsTheFlag() throws IOException {
        server.faults(q -> new LoopbackServer.Fault.IgnoreRange());
        String url = server.uri("mlp.safetensors").toString();
        MainTest.Run refused = MainTest.run("inspect", url);
        assertEquals(2, refused.status());
        assertEquals("tensorfile: " + url + ": the server ignored the range request (200 with the whole file of "
                + Files.size(EXAMPLE) + " bytes instead of 206); allow a full download to read it anyway "
                + "(--allow-full-download)\n", refused.err());
        MainTest.Run allowed = MainTest.run("inspect", url, "--allow-full-download");
        assertEquals(0, allowed.status(), allowed.err());
    }

    @Test
    void shardHeadersAreFetchedConcurrentlyWithinTheBound() throws IOException {
        int shards = 12;
        StringBuilder map = new StringBuilder("{\"metadata\":{},\"weight_map\":{");
        for (int i = 1; i <= shards; i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i, shards);
            byte[] header = ("{\"t" + i + "\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}  ")
                    .getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.allocate(8 + header.length + 8).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(header.length).put(header).putFloat(i).putFloat(-i);
            Files.write(dir.resolve(name), b.array());
            map.append(i > 1 ? "," : "").append("\"t").append(i).append("\":\"").append(name).append('"');
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"), map.append("}}").toString());
        server.faults(q -> q.path().endsWith(".safetensors") ? new LoopbackServer.Fault.Slow(200) : null);
        try (dev.tensorfile.core.TensorFile f = dev.tensorfile.core.TensorFiles.open(server.uri("model.safetensors.index.json"),
                dev.tensorfile.core.RemoteOptions.DEFAULT.withToken(null).withConcurrency(4), dev.tensorfile.core.ReadLimits.DEFAULT)) {
            assertEquals(shards, f.tensors().size());
            assertEquals(-7f, f.tensor("t7").bytes().get(LittleEndian.FLOAT, 4));
            assertEquals(1 + shards, f.remoteTransfer().orElseThrow().requests(), "the index and one request per small shard");
        }
        // Concurrency is shown by requests in flight at once (each shard's answer is held 200 ms), not by wall
        // clock, which a loaded machine stretches.
        assertTrue(server.maxInFlight() <= 4, "bounded: " + server.maxInFlight());
        assertTrue(server.maxInFlight() >= 2, "concurrent: " + server.maxInFlight());
    }

    @Test
    void aBadUrlIsAUsageError() {
        MainTest.Run r = MainTest.run("inspect", "http://exa mple/x");
        assertEquals(2, r.status());
        assertEquals("tensorfile: http://exa mple/x: not a valid URL\n", r.err());
    }
}
