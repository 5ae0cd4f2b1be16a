package dev.tensorfile.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How remote files are read over HTTP(S) ({@link TensorFiles#open(java.net.URI, RemoteOptions, ReadLimits)}): one
 * immutable value, like {@link ReadLimits}. See docs/remote.md for the rules each option bounds.
 *
 * @param token the bearer token sent as {@code Authorization: Bearer TOKEN} to the URL's own host (scheme, host and
 *     port) and never to another host a redirect leads to; empty for none. {@link #DEFAULT} takes it from the
 *     environment: {@code TENSORFILE_HTTP_TOKEN}, else {@code HF_TOKEN}
 * @param timeout the most one request may take, connecting to its last byte; a request past it is abandoned and
 *     retried
 * @param retries how many times a request is repeated after a dropped connection, a timeout or a 5xx answer,
 *     waiting {@code 200 ms × 2^attempt} (with jitter) between attempts
 * @param maxRedirects the most redirects one request follows
 * @param allowFullDownload whether a server that ignores range requests (answers 200 with the whole file) may be
 *     read by downloading the whole file; refused by default, since the point of a remote read is not to
 * @param concurrency the most requests in flight at once for one logical file (the shards of a sharded set)
 */
public record RemoteOptions(Optional<String> token, Duration timeout, int retries, int maxRedirects,
        boolean allowFullDownload, int concurrency) {

    /** The defaults: the token from the environment, 30 s per request, 3 retries, 5 redirects, ranges only, 8 at once. */
    public static final RemoteOptions DEFAULT = new RemoteOptions(tokenFromEnvironment(), Duration.ofSeconds(30), 3, 5,
            false, 8);

    public RemoteOptions {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive");
        if (retries < 0 || maxRedirects < 0 || concurrency <= 0) {
            throw new IllegalArgumentException("retries and redirects must be non-negative, concurrency positive");
        }
    }

    /** {@code TENSORFILE_HTTP_TOKEN}, else {@code HF_TOKEN}, else empty. */
    public static Optional<String> tokenFromEnvironment() {
        for (String name : new String[] {"TENSORFILE_HTTP_TOKEN", "HF_TOKEN"}) {
            String v = System.getenv(name);
            if (v != null && !v.isBlank()) return Optional.of(v.strip());
        }
        return Optional.empty();
    }

    /** These options with another token (null or blank for none). */
    public RemoteOptions withToken(String newToken) {
        return new RemoteOptions(newToken == null || newToken.isBlank() ? Optional.empty() : Optional.of(newToken),
                timeout, retries, maxRedirects, allowFullDownload, concurrency);
    }

    /** These options with another timeout per request. */
    public RemoteOptions withTimeout(Duration newTimeout) {
        return new RemoteOptions(token, newTimeout, retries, maxRedirects, allowFullDownload, concurrency);
    }

    /** These options with another number of retries. */
    public RemoteOptions withRetries(int newRetries) {
        return new RemoteOptions(token, timeout, newRetries, maxRedirects, allowFullDownload, concurrency);
    }

    /** These options allowing (or not) a full download from a server that ignores ranges. */
    public RemoteOptions withAllowFullDownload(boolean allow) {
        return new RemoteOptions(token, timeout, retries, maxRedirects, allow, concurrency);
    }

    /** These options with another bound on requests in flight. */
    public RemoteOptions withConcurrency(int newConcurrency) {
        return new RemoteOptions(token, timeout, retries, maxRedirects, allowFullDownload, newConcurrency);
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "RemoteOptions[token=" + (token.isPresent() ? "(set)" : "(none)") + ", timeout=" + timeout + ", retries="
                + retries + ", maxRedirects=" + maxRedirects + ", allowFullDownload=" + allowFullDownload
                + ", concurrency=" + concurrency + "]";
    }
}
