package dev.tensorfile.core.spi;

import dev.tensorfile.core.RemoteOptions;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.loopback.LoopbackServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.Channels;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP rules of {@link RemoteFile}, against a loopback server that breaks them on request. */
@Timeout(60)
class RemoteFileTest {
    @TempDir Path dir;
    LoopbackServer server;
    byte[] content;
    Path file;

    static final RemoteOptions FAST = RemoteOptions.DEFAULT.withToken(null).withTimeout(Duration.ofMillis(1500)).withRetries(2);

    @BeforeEach
    void serve() throws IOException {
        content = new byte[1_000_003];
        new Random(42).nextBytes(content);
        file = dir.resolve("blob.bin");
        Files.write(file, content);
        server = LoopbackServer.start(dir);
    }

    @AfterEach
    void stop() { server.close(); }

    private static byte[] bytes(MemorySegment s) { return s.toArray(ValueLayout.JAVA_BYTE); }

    private byte[] expected(int from, int length) {
        byte[] b = new byte[length];
        System.arraycopy(content, from, b, 0, length);
        return b;
    }

    @Test
    void opensWithOneRangedRequestThatTellsTheSizeAndPinsTheETag() {
        try (RemoteFile f = RemoteFile.open(server.uri("blob.bin"), FAST)) {
            assertEquals(content.length, f.size());
            assertEquals("\"v1\"", f.etag());
            assertEquals(1, f.transferred().requests());
            assertEquals(RemoteFile.FIRST_REQUEST, f.transferred().bytesFetched());
            assertEquals("bytes=0-" + (RemoteFile.FIRST_REQUEST - 1), server.requests().getFirst().range());
            assertTrue(f.isFetched(0, RemoteFile.FIRST_REQUEST));
            assertFalse(f.isFetched(RemoteFile.FIRST_REQUEST, 1));
        }
    }

    @Test
    void windowsFetchOnlyTheirPagesAndReadTheServersBytes() {
        try (MappedFile m = MappedFile.remote(RemoteFile.open(server.uri("blob.bin"), FAST))) {
            assertArrayEquals(expected(500_000, 10), bytes(m.window(500_000, 10)));
            RemoteFile f = m.remote().orElseThrow();
            assertEquals(2, f.transferred().requests());
            assertEquals(RemoteFile.FIRST_REQUEST + 4096, f.transferred().bytesFetched());
            assertArrayEquals(expected(500_000, 10), bytes(m.window(500_000, 10)), "cached: no new request");
            assertEquals(2, f.transferred().requests());
            assertArrayEquals(expected(content.length - 7, 7), bytes(m.window(content.length - 7, 7)), "the last page");
            assertArrayEquals(content, bytes(m.segment()), "segment() fetches the whole file");
        }
    }

    @Test
    void aSiblingOfDataAsksOnePageForItsSizeAndFetchedFromTellsTheRun() throws IOException {
        Files.write(dir.resolve("data.bin"), content);
        try (RemoteFile f = RemoteFile.open(server.uri("blob.bin"), FAST);
                RemoteFile data = f.sibling("data.bin", 1)) {
            assertEquals(content.length, data.size());
            assertEquals("bytes=0-4095", server.requests().getLast().range(), "a whole page at least");
            assertEquals(4096, data.fetchedFrom(0));
            assertEquals(96, data.fetchedFrom(4000));
            assertEquals(0, data.fetchedFrom(4096));
            assertEquals(RemoteFile.FIRST_REQUEST, f.fetchedFrom(0));
            assertEquals(RemoteFile.FIRST_REQUEST + 4096, f.transferred().bytesFetched(), "one count for both files");
        }
    }

    @Test
    void aDroppedConnectionIsRetriedAndTheBytesAreRight() {
        AtomicInteger drops = new AtomicInteger();
        server.faults(r -> r.number() == 1 && drops.incrementAndGet() == 1 ? new LoopbackServer.Fault.DropMidBody() : null);
        try (MappedFile m = MappedFile.remote(RemoteFile.open(server.uri("blob.bin"), FAST))) {
            assertArrayEquals(expected(300_000, 200_000), bytes(m.window(300_000, 200_000)));
            assertEquals(3, server.requests().size(), "open, the dropped one, its retry");
        }
    }

    @Test
    void connectionsDroppedEveryTimeEndInOneLineAfterTheRetries() {
        server.faults(r -> r.number() >= 1 ? new LoopbackServer.Fault.DropMidBody() : null);
        try (MappedFile m = MappedFile.remote(RemoteFile.open(server.uri("blob.bin"), FAST))) {
            TensorFileException e = assertThrows(TensorFileException.class, () -> m.window(300_000, 200_000));
            assertTrue(e.getMessage().contains("after 3 attempts"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
            assertEquals(4, server.requests().size());
        }
    }

    @Test
    void aServerIgnoringRangesIsRefusedUnlessAFullDownloadIsAllowed() {
        server.faults(r -> new LoopbackServer.Fault.IgnoreRange());
        TensorFileException e = assertThrows(TensorFileException.class, () -> RemoteFile.open(server.uri("blob.bin"), FAST));
        assertTrue(e.getMessage().contains("ignored the range request (200 with the whole file of 1000003 bytes"),
                e.getMessage());
        try (MappedFile m = MappedFile.remote(RemoteFile.open(server.uri("blob.bin"), FAST.withAllowFullDownload(true)))) {
            assertArrayEquals(content, bytes(m.segment()));
            assertEquals(1, m.remote().orElseThrow().transferred().requests());
        }
    }

    @Test
    void aWrongContentRangeIsRefused() {
        server.faults(r -> r.number() == 1 ? new LoopbackServer.Fault.WrongContentRange() : null);
        try (MappedFile m = MappedFile.remote(RemoteFile.open(server.uri("blob.bin"), FAST))) {
            TensorFileException e = assertThrows(TensorFileException.class, () -> m.window(500_000, 10));
            assertTrue(e.getMessage().contains("answered 'bytes 499713-503808/1000003' to a request for bytes 499712-503807"),
                    e.getMessage());
        }
    }

    @Test
    void anEmptyFileIsOneRequestAnsweredWith416() throws IOException {
        Files.write(dir.resolve("empty.bin"), new byte[0]);
        try (MappedFile m = MappedFile.remote(RemoteFile.open(server.uri("empty.bin"), FAST))) {
            assertEquals(0, m.size());
            assertEquals(0, m.segment().byteSize());
        }
    }

    @Test
    void aRangeTheServerCannotServeIsACleanError() {
        server.faults(r -> r.number() == 1 ? new LoopbackServer.Fault.Status(416) : null);
        try (MappedFile m = MappedFile.remote(RemoteFile.open(server.uri("blob.bin"), FAST))) {
            TensorFileException e = assertThrows(TensorFileException.class, () -> m.window(500_000, 10));
            assertTrue(e.getMessage().endsWith("the server cannot serve bytes 499712-503807 (416 Range Not Satisfiable)"),
                    e.getMessage());
        }
    }

    @Test
    void aMissingFileIs404() {
        TensorFileException e = assertThrows(TensorFileException.class, () -> RemoteFile.open(server.uri("nope.bin"), FAST));
        assertTrue(e.getMessage().endsWith(": HTTP 404 Not Found"), e.getMessage());
    }

    @Test
    void aFileChangedBetweenRequestsIsRefused() {
        server.faults(r -> r.number() >= 1 ? new LoopbackServer.Fault.ChangedETag() : null);
        try (MappedFile m = MappedFile.remote(RemoteFile.open(server.uri("blob.bin"), FAST))) {
            TensorFileException e = assertThrows(TensorFileException.class, () -> m.window(500_000, 10));
            assertTrue(e.getMessage().contains("the file changed on the server: ETag \"v2\", was \"v1\""), e.getMessage());
        }
    }

    @Test
    void fiveHundredsAreRetriedThenReported() {
        AtomicInteger left = new AtomicInteger(2);
        server.faults(r -> left.getAndDecrement() > 0 ? new LoopbackServer.Fault.Status(503) : null);
        try (RemoteFile f = RemoteFile.open(server.uri("blob.bin"), FAST)) {
            assertEquals(content.length, f.size());
            assertEquals(3, f.transferred().requests());
        }
        server.faults(r -> new LoopbackServer.Fault.Status(500));
        TensorFileException e = assertThrows(TensorFileException.class, () -> RemoteFile.open(server.uri("blob.bin"), FAST));
        assertTrue(e.getMessage().endsWith("HTTP 500 (after 3 attempts)"), e.getMessage());
    }

    @Test
    void aSlowServerTimesOutCleanly() {
        server.faults(r -> new LoopbackServer.Fault.Slow(10_000));
        long t0 = System.nanoTime();
        RemoteOptions quick = FAST.withTimeout(Duration.ofMillis(300)).withRetries(1);
        TensorFileException e = assertThrows(TensorFileException.class, () -> RemoteFile.open(server.uri("blob.bin"), quick));
        assertTrue(e.getMessage().contains("within 300 ms (after 2 attempts)"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "bounded by timeout x attempts + backoff");
    }

    @Test
    void theTokenGoesToTheSameHostOnlyNeverAcrossARedirect() {
        try (LoopbackServer cdn = LoopbackServer.start("127.0.0.2", dir)) {
            server.faults(r -> r.path().startsWith("hop/") ? new LoopbackServer.Fault.Redirect(server.uri(r.path().substring(4)))
                    : r.path().startsWith("cdn/") ? new LoopbackServer.Fault.Redirect(cdn.uri(r.path().substring(4))) : null);
            RemoteOptions withToken = FAST.withToken("secret");
            try (MappedFile m = MappedFile.remote(RemoteFile.open(server.uri("hop/blob.bin"), withToken))) {
                assertArrayEquals(expected(600_000, 5), bytes(m.window(600_000, 5)));
            }
            assertTrue(server.requests().stream().allMatch(r -> "Bearer secret".equals(r.authorization())),
                    "same host: the token is kept on the hop");
            server.clear();
            try (MappedFile m = MappedFile.remote(RemoteFile.open(server.uri("cdn/blob.bin"), withToken))) {
                assertEquals(server.uri("cdn/blob.bin").resolve("/blob.bin").getPath(), m.remote().orElseThrow().resolvedUri().getPath());
                assertArrayEquals(expected(600_000, 5), bytes(m.window(600_000, 5)));
            }
            assertEquals("Bearer secret", server.requests().getFirst().authorization());
            assertEquals(1, server.requests().size(), "the resolved URL is pinned: later ranges go straight to the CDN");
            assertEquals(2, cdn.requests().size());
            for (LoopbackServer.Request r : cdn.requests()) assertNull(r.authorization(), "another host never sees it");
        }
    }

    @Test
    void anExpiredSignedUrlIsResolvedAgainFromTheUrlAsGiven() {
        try (LoopbackServer cdn = LoopbackServer.start("127.0.0.2", dir)) {
            server.faults(r -> new LoopbackServer.Fault.Redirect(cdn.uri(r.path().substring(4))));
            cdn.faults(r -> r.number() == 1 ? new LoopbackServer.Fault.Status(403) : null);
            try (MappedFile m = MappedFile.remote(RemoteFile.open(server.uri("cdn/blob.bin"), FAST.withToken("secret")))) {
                assertArrayEquals(expected(600_000, 5), bytes(m.window(600_000, 5)));
                assertArrayEquals(expected(700_000, 5), bytes(m.window(700_000, 5)));
            }
            assertEquals(2, server.requests().size(), "the open, then once more when the CDN's URL expired");
            assertTrue(server.requests().stream().allMatch(r -> "Bearer secret".equals(r.authorization())));
            assertEquals(4, cdn.requests().size(), "open, the 403, its repeat, the next range");
            for (LoopbackServer.Request r : cdn.requests()) assertNull(r.authorization());
        }
    }

    @Test
    void aForbiddenAnswerFromTheUrlAsGivenIsNotRetried() {
        server.faults(r -> r.number() >= 1 ? new LoopbackServer.Fault.Status(403) : null);
        try (MappedFile m = MappedFile.remote(RemoteFile.open(server.uri("blob.bin"), FAST))) {
            TensorFileException e = assertThrows(TensorFileException.class, () -> m.window(600_000, 5));
            assertTrue(e.getMessage().endsWith(": HTTP 403 Forbidden"), e.getMessage());
            assertEquals(2, server.requests().size());
        }
    }

    @Test
    void redirectsAreBounded() {
        server.faults(r -> new LoopbackServer.Fault.Redirect(server.uri("loop/" + r.number())));
        TensorFileException e = assertThrows(TensorFileException.class, () -> RemoteFile.open(server.uri("blob.bin"), FAST));
        assertTrue(e.getMessage().endsWith("more than 5 redirects"), e.getMessage());
        assertEquals(6, server.requests().size());
    }

    @Test
    void transferStreamsWithoutCaching() throws IOException {
        try (RemoteFile f = RemoteFile.open(server.uri("blob.bin"), FAST)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            f.transferTo(50_000, 900_000, Channels.newChannel(out));
            assertArrayEquals(expected(50_000, 900_000), out.toByteArray());
            assertFalse(f.isFetched(RemoteFile.FIRST_REQUEST, 1), "not kept in the cache");
        }
    }

    @Test
    void missingRangesCoalesceAcrossSmallGaps() {
        RemoteFile.RangeSet s = new RemoteFile.RangeSet();
        s.add(0, 100);
        s.add(200, 300);
        s.add(100, 150);
        assertEquals(List.of("150-200", "300-1000"), s.missing(0, 1000, 0).stream().map(r -> r[0] + "-" + r[1]).toList());
        assertEquals(List.of("150-1000"), s.missing(0, 1000, 101).stream().map(r -> r[0] + "-" + r[1]).toList());
        assertEquals(List.of(), s.missing(10, 140, 0));
    }
}
