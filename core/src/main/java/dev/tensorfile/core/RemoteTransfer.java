package dev.tensorfile.core;

/**
 * What reading a remote file has cost so far: HTTP requests sent (redirect hops and retries included) and body bytes
 * received.
 *
 * @param requests requests sent
 * @param bytesFetched response body bytes received
 */
public record RemoteTransfer(long requests, long bytesFetched) {}
