package dev.tensorfile.core.spi;

import dev.tensorfile.core.RemoteOptions;
import dev.tensorfile.core.RemoteTransfer;
import dev.tensorfile.core.TensorFileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file read over HTTP(S) with range requests, through a block cache: the bytes fetched so far are written to a
 * sparse, already-unlinked temporary file, which is mapped read-only, so a parser reads fetched bytes as it reads a
 * local mapping. Only {@link MappedFile#remote(RemoteFile)} hands that mapping to parsers, and only as windows that
 * were fetched first (see {@link MappedFile#window}).
 *
 * <p>The rules (docs/remote.md): each request is a {@code GET} with {@code Range: bytes=a-b}; only a {@code 206}
 * whose {@code Content-Range} is exactly the range asked (and whose total is the file's size) is accepted; a
 * {@code 200} to a range request is refused unless {@link RemoteOptions#allowFullDownload()}; {@code 416} is an
 * error. Redirects are followed here, at most {@link RemoteOptions#maxRedirects()} per request; the
 * {@code Authorization} header goes only to the scheme, host and port of the URL as given. The URL a redirect led
 * to and the first answer's {@code ETag} and size are pinned for the life of the file, so its ranges never mix two
 * versions (a pinned URL that answers 401, 403 or 410, as an expired signed URL does, is resolved again from the URL
 * as given, once per request, under the same pins). Dropped connections, timeouts and 5xx/429 answers are retried
 * with backoff, a bounded number of times.
 *
 * <p>Thread-safe: fetches of one file are serialised; files opened with {@link #sibling} share one client and one
 * bound on requests in flight.
 */
public final class RemoteFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteFile.class);
    /** Fetches are rounded out to whole pages: the cache is mapped, and a page is the unit the mapping reads. */
    static final int BLOCK = 4096;
    /**
     * The first request's size: 100 KiB, a little over the 100,000 bytes huggingface_hub asks for a safetensors
     * header, so a header that fits is read in one request whatever the format.
     */
    public static final long FIRST_REQUEST = 100 * 1024;
    /** The most bytes one request asks for: bounds the time one request may take, and what a retry repeats. */
    static final long MAX_REQUEST = 8L << 20;
    /** Missing ranges closer than this are fetched in one request (fewer round trips for scattered structures). */
    static final long COALESCE_GAP = 64 * 1024;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final Session session;
    private final URI uri;
    private final Path displayPath;
    /** Guards the fields below and every fetch into the cache. */
    private final Object lock = new Object();
    private volatile URI resolved;
    private String etag;
    private long size = -1;
    private Arena arena;
    private FileChannel cacheChannel;
    private MemorySegment cache;
    private final RangeSet fetched = new RangeSet();
    private boolean closed;

    private RemoteFile(Session session, URI uri) {
        this.session = session;
        this.uri = uri;
        this.displayPath = displayPath(uri);
    }

    /**
     * Opens {@code uri} ({@code http} or {@code https}) with one ranged request for its first
     * {@link #FIRST_REQUEST} bytes, which also tells its size, its {@code ETag} and where redirects lead.
     *
     * @throws TensorFileException if the server refuses, answers wrongly, or cannot be reached
     */
    public static RemoteFile open(URI uri, RemoteOptions options) {
        Session session = new Session(options);
        try {
            return open(uri, session, FIRST_REQUEST);
        } finally {
            session.release(); // the file holds its own reference
        }
    }

    private static RemoteFile open(URI uri, Session session, long firstRequest) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new TensorFileException(null, displayPath(uri), "not an http or https URL");
        }
        RemoteFile f = new RemoteFile(session, uri);
        session.retain();
        try {
            synchronized (f.lock) {
                f.exchange(0, firstRequest, f.new CacheSink(0));
                long end = Math.min(f.size, firstRequest);
                f.fetched.add(0, end);
            }
            return f;
        } catch (RuntimeException | Error e) {
            f.close();
            throw e;
        }
    }

    /**
     * Another file relative to this one ({@code model-00002-of-00002.safetensors}, an ONNX external data file),
     * resolved against the URL as given (not where a redirect led), sharing this file's client, options and counts.
     * The caller checks {@code relative} by its format's path rules first.
     */
    public RemoteFile sibling(String relative) {
        return sibling(relative, FIRST_REQUEST);
    }

    /**
     * {@link #sibling(String)} whose first request asks only {@code firstRequest} bytes (a whole page at least): for a
     * file of tensor data only (a checkpoint's data shard), whose size is all the open needs.
     */
    public RemoteFile sibling(String relative, long firstRequest) {
        URI target;
        try {
            target = uri.resolve(new URI(null, null, relative, null));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new TensorFileException(null, displayPath, "'" + relative + "' is not a relative path");
        }
        return open(target, session, Math.max(BLOCK, firstRequest));
    }

    /** The URL as given. */
    public URI uri() { return uri; }

    /** The URL the file is read from, after redirects; pinned at open. */
    public URI resolvedUri() { return resolved; }

    /** The URL as a path, for messages and {@code TensorFile.path()}: its file name is the URL's last segment. */
    public Path path() { return displayPath; }

    /** The file's size in bytes, from the first answer. */
    public long size() { return size; }

    /** The {@code ETag} pinned at open, or null if the server sent none. */
    public String etag() { return etag; }

    /** Requests and bytes of this file and every file opened with {@link #sibling} from the same open. */
    public RemoteTransfer transferred() {
        return new RemoteTransfer(session.requests.get(), session.bytes.get());
    }

    /** The cache mapping: the whole file's length, fetched or not. For {@link MappedFile} only. */
    MemorySegment cache() { return cache; }

    Arena arena() { return arena; }

    /** The options this file was opened with. */
    public RemoteOptions options() { return session.options; }

    /**
     * Makes bytes {@code [offset, offset + length)} present in the cache: fetches the pages of the range not fetched
     * yet, in as few requests as the gaps allow.
     */
    public void require(long offset, long length) {
        Objects.checkFromIndexSize(offset, length, size);
        if (length == 0) return;
        long from = offset - offset % BLOCK;
        long to = Math.min(size, ceilBlock(offset + length));
        synchronized (lock) {
            if (closed) throw new IllegalStateException(displayPath + " is closed");
            for (long[] run : fetched.missing(from, to, COALESCE_GAP)) {
                for (long at = run[0]; at < run[1]; at += MAX_REQUEST) {
                    long n = Math.min(MAX_REQUEST, run[1] - at);
                    exchange(at, n, new CacheSink(at));
                    fetched.add(at, at + n);
                }
            }
        }
    }

    /**
     * How many bytes from {@code offset} on have been fetched without a gap (0 if the byte at {@code offset} has not):
     * lets a parser that reads many small ranges check its own record first instead of asking for each.
     */
    public long fetchedFrom(long offset) {
        synchronized (lock) {
            return fetched.coveredFrom(offset);
        }
    }

    /** True if every byte of {@code [offset, offset + length)} has been fetched. */
    public boolean isFetched(long offset, long length) {
        synchronized (lock) {
            return length == 0 || fetched.missing(offset, offset + length, 0).isEmpty();
        }
    }

    /**
     * Writes bytes {@code [offset, offset + length)} to {@code target} as they arrive, in requests of at most
     * {@value #MAX_REQUEST} bytes, without caching them: how a conversion streams a remote model to a local file
     * holding one request's bytes at a time.
     */
    public void transferTo(long offset, long length, WritableByteChannel target) throws IOException {
        Objects.checkFromIndexSize(offset, length, size);
        byte[] buffer = new byte[(int) Math.min(MAX_REQUEST, Math.max(1, length))];
        for (long at = offset; at < offset + length; ) {
            int n = (int) Math.min(buffer.length, offset + length - at);
            synchronized (lock) {
                // What the cache holds is copied (a header already fetched is not fetched again); the rest is asked for.
                int cached = (int) Math.min(n, fetched.coveredFrom(at));
                if (cached > 0) {
                    MemorySegment.copy(cache, java.lang.foreign.ValueLayout.JAVA_BYTE, at, buffer, 0, cached);
                    n = cached;
                } else {
                    long next = fetched.nextStart(at);
                    n = (int) Math.min(n, next - at);
                    exchange(at, n, new HeapSink(buffer));
                }
            }
            ByteBuffer b = ByteBuffer.wrap(buffer, 0, n);
            while (b.hasRemaining()) target.write(b);
            at += n;
        }
    }

    /** Downloads the whole file to {@code target} (created or replaced), for a format that reads only local files. */
    public void downloadTo(Path target) throws IOException {
        try (FileChannel out = FileChannel.open(target, java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            transferTo(0, size, out);
        }
    }

    /** Releases the cache; idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) return;
            closed = true;
            if (cacheChannel != null) {
                try {
                    cacheChannel.close();
                } catch (IOException ignored) {
                    // the cache file is already unlinked
                }
            }
            if (arena != null) {
                try {
                    arena.close();
                } catch (IllegalStateException alreadyClosing) {
                    // closed by its owner first
                }
            }
        }
        session.release();
    }

    boolean isOpen() {
        synchronized (lock) {
            return !closed;
        }
    }

    private static long ceilBlock(long v) {
        long r = v % BLOCK;
        return r == 0 ? v : v + (BLOCK - r);
    }

    static Path displayPath(URI uri) {
        String s = uri.toString();
        int q = s.indexOf('?');
        try {
            return Path.of(q < 0 ? s : s.substring(0, q));
        } catch (RuntimeException e) {
            return Path.of(uri.getPath() == null ? "remote" : uri.getPath());
        }
    }

    // ---- HTTP -------------------------------------------------------------------------------------------------

    /** Where a response body goes. Called on the client's threads, one call at a time. */
    private interface Sink {
        void write(long position, ByteBuffer bytes) throws IOException;
    }

    /** Into the cache file at the range's offset; creates the cache on the first answer, when the size is known. */
    private final class CacheSink implements Sink {
        private final long offset;

        CacheSink(long offset) { this.offset = offset; }

        @Override
        public void write(long position, ByteBuffer bytes) throws IOException {
            long at = offset + position;
            while (bytes.hasRemaining()) at += cacheChannel.write(bytes, at);
        }
    }

    private static final class HeapSink implements Sink {
        private final byte[] buffer;

        HeapSink(byte[] buffer) { this.buffer = buffer; }

        @Override
        public void write(long position, ByteBuffer bytes) {
            int n = bytes.remaining();
            bytes.get(buffer, (int) position, n);
        }
    }

    /** What a response said, decided from its status and headers before its body is read. */
    private sealed interface Verdict {
        record Accept(long expected, long total, String etag, boolean whole) implements Verdict {}
        record Redirect(String location) implements Verdict {}
        record Retry(String why) implements Verdict {}
        record Refuse(String why, int status) implements Verdict {
            Refuse(String why) { this(why, 0); }
        }
    }

    private record Outcome(Verdict verdict, long received) {}

    private static final class RetryableException extends Exception {
        private static final long serialVersionUID = 1L;

        RetryableException(String message) { super(message, null, false, false); }
    }

    /**
     * One logical read of {@code [offset, offset + length)} (clipped to the file): redirects followed, failures retried,
     * the answer checked against what was asked. Must hold {@link #lock}.
     */
    private void exchange(long offset, long length, Sink sink) {
        URI target = resolved != null ? resolved : uri;
        boolean reresolved = false;
        int hops = 0;
        int attempt = 0;
        while (true) {
            long last = (size >= 0 ? Math.min(size, offset + length) : offset + length) - 1;
            String failure;
            try {
                Outcome o = send(target, offset, last, sink);
                switch (o.verdict()) {
                    case Verdict.Redirect r -> {
                        if (++hops > session.options.maxRedirects()) {
                            throw fail("more than " + session.options.maxRedirects() + " redirects");
                        }
                        URI next;
                        try {
                            next = target.resolve(r.location());
                        } catch (IllegalArgumentException e) {
                            throw fail("redirect to an invalid location '" + r.location() + "'");
                        }
                        String scheme = String.valueOf(next.getScheme()).toLowerCase(Locale.ROOT);
                        if (!scheme.equals("http") && !scheme.equals("https")) {
                            throw fail("redirect to a non-HTTP location '" + next + "'");
                        }
                        target = next;
                        continue;
                    }
                    case Verdict.Refuse r -> {
                        // The pinned URL a redirect led to (a CDN's signed URL) can expire during a long read: ask
                        // the URL as given again, once. The size and ETag pins still hold, so the bytes cannot come
                        // from another version of the file.
                        boolean expired = r.status() == 401 || r.status() == 403 || r.status() == 410;
                        if (expired && !reresolved && resolved != null && !target.equals(uri)) {
                            LOG.debug("{}: {} from {}; resolving {} again", displayPath, r.why(), target, uri);
                            reresolved = true;
                            target = uri;
                            hops = 0;
                            continue;
                        }
                        throw fail(r.why());
                    }
                    case Verdict.Retry r -> failure = r.why();
                    case Verdict.Accept a -> {
                        if (o.received() == a.expected()) {
                            if (size < 0) size = a.total();
                            if (resolved == null) {
                                resolved = target;
                                etag = a.etag();
                            } else if (reresolved) {
                                resolved = target;
                            }
                            if (a.whole()) fetched.add(0, size);
                            return;
                        }
                        failure = "the connection ended after " + o.received() + " of " + a.expected() + " bytes";
                    }
                }
            } catch (RetryableException e) {
                failure = e.getMessage();
            }
            if (attempt >= session.options.retries()) {
                throw fail(failure + (attempt > 0 ? " (after " + (attempt + 1) + " attempts)" : ""));
            }
            attempt++;
            LOG.debug("{}: {}; retry {} of {}", displayPath, failure, attempt, session.options.retries());
            backoff(attempt);
        }
    }

    private void backoff(int attempt) {
        long ms = Math.min(5_000, 200L << Math.min(attempt - 1, 10));
        ms += ThreadLocalRandom.current().nextLong(ms / 4 + 1);
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail("interrupted");
        }
    }

    private TensorFileException fail(String why) {
        return new TensorFileException(null, displayPath, why);
    }

    private Outcome send(URI target, long first, long last, Sink sink) throws RetryableException {
        HttpRequest.Builder b = HttpRequest.newBuilder(target).GET()
                .header("Range", "bytes=" + first + "-" + last)
                .header("User-Agent", "tensorfile")
                .timeout(session.options.timeout());
        boolean authorised = session.options.token().isPresent() && sameOrigin(target, uri);
        if (authorised) b.header("Authorization", "Bearer " + session.options.token().get());
        long started = System.nanoTime();
        session.requests.incrementAndGet();
        Body body = new Body(first, last, sink);
        CompletableFuture<HttpResponse<Outcome>> future = null;
        boolean permit = false;
        try {
            session.inFlight.acquire();
            permit = true;
            future = session.client.sendAsync(b.build(), body);
            HttpResponse<Outcome> response = future.get(session.options.timeout().toMillis(), TimeUnit.MILLISECONDS);
            Outcome o = response.body();
            if (LOG.isDebugEnabled()) {
                LOG.debug("GET {} bytes={}-{}{} -> {} ({} bytes, {} ms)", target, first, last,
                        authorised ? " (authorised)" : "", response.statusCode(), o.received(),
                        (System.nanoTime() - started) / 1_000_000);
            }
            return o;
        } catch (TimeoutException e) {
            future.cancel(true);
            LOG.debug("GET {} bytes={}-{} timed out after {}", target, first, last, session.options.timeout());
            throw new RetryableException("no complete answer within " + session.options.timeout().toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            LOG.debug("GET {} bytes={}-{} failed: {}", target, first, last, String.valueOf(cause));
            if (cause instanceof RefusedException r) return new Outcome(new Verdict.Refuse(r.getMessage()), 0);
            if (cause instanceof HttpTimeoutException) {
                throw new RetryableException("no answer within " + session.options.timeout().toMillis() + " ms");
            }
            if (cause instanceof IOException io) {
                throw new RetryableException("connection failed: " + (io.getMessage() == null ? io.getClass().getSimpleName()
                        : io.getMessage()));
            }
            throw fail("request failed: " + cause);
        } catch (CancellationException e) {
            throw new RetryableException("request cancelled");
        } catch (InterruptedException e) {
            if (future != null) future.cancel(true);
            Thread.currentThread().interrupt();
            throw fail("interrupted");
        } finally {
            if (permit) session.inFlight.release();
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        if (u.getPort() >= 0) return u.getPort();
        return u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    /** A protocol rule broken in a body: not retried. */
    private static final class RefusedException extends IOException {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) { super(message); }
    }

    /** Decides on the headers, then streams an accepted body into the sink, never more than was asked. */
    private final class Body implements HttpResponse.BodyHandler<Outcome> {
        private final long first;
        private final long last;
        private final Sink sink;

        Body(long first, long last, Sink sink) {
            this.first = first;
            this.last = last;
            this.sink = sink;
        }

        @Override
        public HttpResponse.BodySubscriber<Outcome> apply(HttpResponse.ResponseInfo info) {
            Verdict v;
            try {
                v = decide(info.statusCode(), info.headers());
            } catch (IOException e) {
                v = new Verdict.Refuse("the cache cannot be created: " + e.getMessage());
            }
            return new Subscriber(v, sink);
        }

        private Verdict decide(int status, HttpHeaders headers) throws IOException {
            String range = "bytes " + first + "-" + last;
            switch (status) {
                case 301, 302, 303, 307, 308 -> {
                    return headers.firstValue("Location").<Verdict>map(Verdict.Redirect::new)
                            .orElse(new Verdict.Refuse("HTTP " + status + " redirect without a Location"));
                }
                case 206 -> {
                    String cr = headers.firstValue("Content-Range").orElse(null);
                    Matcher m = cr == null ? null : CONTENT_RANGE.matcher(cr.strip());
                    if (m == null || !m.matches() || m.group(3).equals("*")) {
                        return new Verdict.Refuse("the server answered 206 with Content-Range '" + cr
                                + "', not 'bytes FIRST-LAST/SIZE', to a request for " + range);
                    }
                    long a = Long.parseLong(m.group(1));
                    long z = Long.parseLong(m.group(2));
                    long total = Long.parseLong(m.group(3));
                    if (size >= 0 && total != size) {
                        return new Verdict.Refuse("the file changed on the server: its size is now " + total
                                + " bytes, was " + size);
                    }
                    long expectedLast = Math.min(last, total - 1);
                    if (a != first || z != expectedLast) {
                        return new Verdict.Refuse("the server answered '" + cr + "' to a request for " + range);
                    }
                    String tag = headers.firstValue("ETag").orElse(null);
                    if (resolved != null && !Objects.equals(tag, etag)) {
                        return new Verdict.Refuse("the file changed on the server: ETag " + tag + ", was " + etag);
                    }
                    long expected = z - a + 1;
                    var length = headers.firstValueAsLong("Content-Length");
                    if (length.isPresent() && length.getAsLong() != expected) {
                        return new Verdict.Refuse("the server sent Content-Length " + length.getAsLong() + " for '" + cr + "'");
                    }
                    if (cache == null) createCache(total);
                    return new Verdict.Accept(expected, total, tag, false);
                }
                case 200 -> {
                    var length = headers.firstValueAsLong("Content-Length");
                    String whole = length.isPresent() ? "the whole file of " + length.getAsLong() + " bytes"
                            : "the whole file";
                    if (!session.options.allowFullDownload()) {
                        return new Verdict.Refuse("the server ignored the range request (200 with " + whole + " instead "
                                + "of 206); allow a full download to read it anyway (--allow-full-download)");
                    }
                    if (first != 0 || cache != null || length.isEmpty()) {
                        return new Verdict.Refuse("the server ignored the range request (200 with " + whole
                                + " instead of 206) after the first request");
                    }
                    createCache(length.getAsLong());
                    return new Verdict.Accept(length.getAsLong(), length.getAsLong(),
                            headers.firstValue("ETag").orElse(null), true);
                }
                case 416 -> {
                    // The first request of an empty file cannot be satisfied: RFC 9110 answers 416 "bytes */0".
                    if (size < 0 && first == 0 && headers.firstValue("Content-Range").map(String::strip)
                            .filter("bytes */0"::equals).isPresent()) {
                        createCache(0);
                        return new Verdict.Accept(0, 0, headers.firstValue("ETag").orElse(null), true);
                    }
                    return new Verdict.Refuse("the server cannot serve " + range + " (416 Range Not Satisfiable)"
                            + headers.firstValue("Content-Range").map(c -> "; it has " + c).orElse(""));
                }
                default -> {
                    if (status >= 500 || status == 429 || status == 408) return new Verdict.Retry("HTTP " + status);
                    return new Verdict.Refuse("HTTP " + status + switch (status) {
                        case 401 -> " Unauthorized (set TENSORFILE_HTTP_TOKEN or HF_TOKEN, or pass a token)";
                        case 403 -> " Forbidden";
                        case 404 -> " Not Found";
                        default -> "";
                    }, status);
                }
            }
        }
    }

    /** Called from the first 206 or an allowed 200: a sparse file of the whole size, mapped, and unlinked at once. */
    private void createCache(long total) throws IOException {
        Arena a = Arena.ofShared();
        Path tmp = Files.createTempFile("tensorfile-", ".remote");
        try (RandomAccessFile raf = new RandomAccessFile(tmp.toFile(), "rw")) {
            raf.setLength(total); // sparse: only fetched pages take disk
            FileChannel ch = FileChannel.open(tmp, java.nio.file.StandardOpenOption.READ,
                    java.nio.file.StandardOpenOption.WRITE);
            MemorySegment seg = total == 0 ? MemorySegment.ofArray(new byte[0])
                    : ch.map(FileChannel.MapMode.READ_ONLY, 0, total, a);
            arena = a;
            cacheChannel = ch;
            cache = seg;
        } catch (IOException | RuntimeException e) {
            a.close();
            throw e instanceof IOException io ? io : new IOException(e);
        } finally {
            try {
                Files.deleteIfExists(tmp); // the mapping and channel keep the data; nothing is left behind
            } catch (IOException ignored) {
                tmp.toFile().deleteOnExit();
            }
        }
    }

    /** Streams a body into a sink, counting; refuses a body longer than was asked. */
    private final class Subscriber implements HttpResponse.BodySubscriber<Outcome> {
        private final Verdict verdict;
        private final Sink sink;
        private final CompletableFuture<Outcome> result = new CompletableFuture<>();
        private Flow.Subscription subscription;
        private long received;

        Subscriber(Verdict verdict, Sink sink) {
            this.verdict = verdict;
            this.sink = sink;
        }

        @Override public CompletionStage<Outcome> getBody() { return result; }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (verdict instanceof Verdict.Accept) {
                s.request(1);
            } else {
                s.cancel(); // nothing of this body is wanted: do not read it
                result.complete(new Outcome(verdict, 0));
            }
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) return;
            long expected = ((Verdict.Accept) verdict).expected();
            try {
                for (ByteBuffer b : items) {
                    int n = b.remaining();
                    session.bytes.addAndGet(n);
                    if (received + n > expected) {
                        throw new RefusedException("the server sent more than the " + expected + " bytes asked");
                    }
                    sink.write(received, b);
                    received += n;
                }
                subscription.request(1);
            } catch (IOException | RuntimeException e) {
                subscription.cancel();
                result.completeExceptionally(e instanceof RefusedException ? e
                        : new RefusedException("the cache cannot be written: " + e.getMessage()));
            }
        }

        @Override
        public void onError(Throwable t) { result.completeExceptionally(t); }

        @Override
        public void onComplete() { result.complete(new Outcome(verdict, received)); }
    }

    /** What files opened together share: the client, the options, the counts and the bound on requests in flight. */
    private static final class Session {
        final RemoteOptions options;
        final HttpClient client;
        final AtomicLong requests = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final Semaphore inFlight;
        private final AtomicInteger references = new AtomicInteger(1);

        Session(RemoteOptions options) {
            this.options = options;
            this.inFlight = new Semaphore(options.concurrency());
            // Redirects are followed by exchange(), which decides where the token may go; the client follows none.
            this.client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(options.timeout()).build();
        }

        void retain() { references.incrementAndGet(); }

        void release() {
            if (references.decrementAndGet() == 0) client.shutdownNow();
        }
    }

    /** Disjoint, merged byte ranges {@code [start, end)}. */
    static final class RangeSet {
        private final java.util.TreeMap<Long, Long> ranges = new java.util.TreeMap<>();

        void add(long start, long end) {
            if (start >= end) return;
            var before = ranges.floorEntry(start);
            if (before != null && before.getValue() >= start) {
                start = before.getKey();
                end = Math.max(end, before.getValue());
            }
            var next = ranges.ceilingEntry(start);
            while (next != null && next.getKey() <= end) {
                end = Math.max(end, next.getValue());
                ranges.remove(next.getKey());
                next = ranges.ceilingEntry(start);
            }
            ranges.put(start, end);
        }

        /** How many bytes from {@code at} on are in the set (0 if {@code at} is not). */
        long coveredFrom(long at) {
            var e = ranges.floorEntry(at);
            return e != null && e.getValue() > at ? e.getValue() - at : 0;
        }

        /** Where the next range after {@code at} starts, or {@link Long#MAX_VALUE}. */
        long nextStart(long at) {
            Long k = ranges.higherKey(at);
            return k == null ? Long.MAX_VALUE : k;
        }

        /** The parts of {@code [from, to)} not in the set, runs closer than {@code gap} merged into one. */
        List<long[]> missing(long from, long to, long gap) {
            List<long[]> out = new java.util.ArrayList<>();
            long at = from;
            var e = ranges.floorEntry(from);
            if (e != null && e.getValue() > at) at = e.getValue();
            while (at < to) {
                var n = ranges.higherEntry(at);
                long end = n == null ? to : Math.min(to, n.getKey());
                if (end > at) {
                    if (!out.isEmpty() && at - out.getLast()[1] < gap) out.getLast()[1] = end;
                    else out.add(new long[] {at, end});
                }
                if (n == null || n.getKey() >= to) break;
                at = n.getValue();
            }
            return out;
        }
    }
}
