package dev.tensorfile.core.loopback;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file server on a loopback address for tests of remote reading (the JDK's {@code com.sun.net.httpserver}): serves
 * the files under a root with single-range {@code GET}s as a CDN does (206, {@code Content-Range}, {@code ETag}), and
 * breaks the protocol on request ({@link Fault}). Every request is recorded with its range and its
 * {@code Authorization} header. Files are streamed from disk, so sparse multi-gigabyte files serve cheaply.
 */
public final class LoopbackServer implements AutoCloseable {
    /** What to do to one request instead of answering it correctly. */
    public sealed interface Fault {
        /** Send the headers and half of the body, then close the connection. */
        record DropMidBody() implements Fault {}
        /** Answer 200 with the whole file, as a server without range support does. */
        record IgnoreRange() implements Fault {}
        /** Answer with a Content-Range one byte later than asked (and those bytes). */
        record WrongContentRange() implements Fault {}
        /** Wait this long before answering. */
        record Slow(long millis) implements Fault {}
        /** Redirect (302) to this URL. */
        record Redirect(URI to) implements Fault {}
        /** Answer with another ETag, as if the file had been replaced. */
        record ChangedETag() implements Fault {}
        /** Answer with this status and no body. */
        record Status(int code) implements Fault {}
    }

    /** One request as the server saw it. */
    public record Request(String path, String range, String authorization, int number) {}

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "loopback-http");
        t.setDaemon(true);
        return t;
    });
    private final Path root;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Function<Request, Fault> faults = r -> null;
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger maxInFlight = new java.util.concurrent.atomic.AtomicInteger();

    private LoopbackServer(String address, Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(address), 0), 64);
        server.createContext("/", this::answer);
        server.setExecutor(executor);
        server.start();
    }

    /** Serves {@code root} on 127.0.0.1. */
    public static LoopbackServer start(Path root) {
        return start("127.0.0.1", root);
    }

    /** Serves {@code root} on {@code address}, which must be a loopback address. */
    public static LoopbackServer start(String address, Path root) {
        try {
            if (!InetAddress.getByName(address).isLoopbackAddress()) throw new IllegalArgumentException(address);
            return new LoopbackServer(address, root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The URL of {@code relative} (a path under the root, with forward slashes). */
    public URI uri(String relative) {
        InetSocketAddress a = server.getAddress();
        return URI.create("http://" + a.getAddress().getHostAddress() + ":" + a.getPort() + "/"
                + relative.replace(" ", "%20"));
    }

    /** The URL of {@code file}, which lies under the root. */
    public URI uri(Path file) {
        return uri(root.relativize(file.toAbsolutePath().normalize()).toString().replace('\\', '/'));
    }

    /** Chooses a fault per request (null: answer correctly). */
    public void faults(Function<Request, Fault> policy) { this.faults = policy; }

    /** Every request so far. */
    public List<Request> requests() { return List.copyOf(requests); }

    public void clear() { requests.clear(); }

    /**
     * The most requests held at once by a {@link Fault.Slow} delay. Counted only while held, before any byte of the
     * answer is sent: a client cannot have seen the answer (and started another request in its place) while the
     * request still counts, so the figure never exceeds what the client had in flight.
     */
    public int maxInFlight() { return maxInFlight.get(); }

    private void answer(HttpExchange x) throws IOException {
        try (x) {
            String rel = URI.create(x.getRequestURI().getRawPath()).getPath().substring(1);
            String range = x.getRequestHeaders().getFirst("Range");
            Request req = new Request(rel, range, x.getRequestHeaders().getFirst("Authorization"), requests.size());
            requests.add(req);
            Fault fault = faults.apply(req);
            if (fault instanceof Fault.Slow s) {
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                try {
                    Thread.sleep(s.millis());
                } catch (InterruptedException e) {
                    return;
                } finally {
                    inFlight.decrementAndGet();
                }
            } else if (fault instanceof Fault.Redirect r) {
                x.getResponseHeaders().set("Location", r.to().toString());
                x.sendResponseHeaders(302, -1);
                return;
            } else if (fault instanceof Fault.Status s) {
                x.sendResponseHeaders(s.code(), -1);
                return;
            }
            Path file = root.resolve(rel).normalize();
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                x.sendResponseHeaders(404, -1);
                return;
            }
            long size = Files.size(file);
            x.getResponseHeaders().set("Accept-Ranges", "bytes");
            x.getResponseHeaders().set("ETag", fault instanceof Fault.ChangedETag ? "\"v2\"" : "\"v1\"");
            Matcher m = range == null ? null : RANGE.matcher(range);
            if (m == null || !m.matches() || fault instanceof Fault.IgnoreRange) {
                x.sendResponseHeaders(200, size == 0 ? -1 : size);
                send(x.getResponseBody(), file, 0, size, false);
                return;
            }
            long first = Long.parseLong(m.group(1));
            long last = m.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(m.group(2)));
            if (first >= size || last < first) {
                x.getResponseHeaders().set("Content-Range", "bytes */" + size);
                x.sendResponseHeaders(416, -1);
                return;
            }
            if (fault instanceof Fault.WrongContentRange && last + 1 < size) {
                first++;
                last++;
            }
            long n = last - first + 1;
            x.getResponseHeaders().set("Content-Range", "bytes " + first + "-" + last + "/" + size);
            x.sendResponseHeaders(206, n);
            send(x.getResponseBody(), file, first, n, fault instanceof Fault.DropMidBody);
        }
    }

    private static void send(OutputStream out, Path file, long offset, long length, boolean drop) throws IOException {
        long stop = drop ? length / 2 : length;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            long done = 0;
            while (done < stop) {
                buf.clear().limit((int) Math.min(buf.capacity(), stop - done));
                int r = ch.read(buf, offset + done);
                if (r < 0) break;
                out.write(buf.array(), 0, r);
                done += r;
            }
        }
        out.flush();
        if (drop) throw new IOException("dropped on purpose"); // the exchange closes the connection short
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
