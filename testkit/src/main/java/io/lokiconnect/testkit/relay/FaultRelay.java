package io.lokiconnect.testkit.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain HTTP/1.1 relay on the loopback interface between a client (the sink) and a server (the Loki receiver)
 * that breaks the path between them on purpose:
 *
 * <ul>
 *   <li>{@link #resetMidRequest(int)}: the next requests are cut by a TCP reset after half their body; the server
 *       never sees them;</li>
 *   <li>{@link #loseAnswers(int)}: the next requests reach the server, which stores the push and answers, and then
 *       the client's connection is reset instead of getting the answer (a lost answer: a retry sends it again);</li>
 *   <li>{@link #delay(Duration)}: every request waits this long before it is forwarded;</li>
 *   <li>{@link #refuseConnectionsFor(Duration)}: the port is closed (connections refused, open ones reset), then
 *       opened again;</li>
 *   <li>{@link #answerFor(Duration, int, String, String)}, {@link #answerNext(int, int, String, String)}: the relay
 *       answers any status itself (with an optional {@code Retry-After}) and forwards nothing.</li>
 * </ul>
 *
 * Requests and answers are forwarded byte for byte otherwise, each client connection with its own server
 * connection. Counters tell what happened.
 */
public final class FaultRelay implements AutoCloseable {

    private record Answer(int status, String retryAfter, String body) {
    }

    /** A request as the client sent it: what a lost answer's retry sends again. */
    public record Request(String contentType, String contentEncoding, String authorization, byte[] body) {
    }

    private record Guard(String header, String value, Answer answer) {
    }

    private final InetSocketAddress upstream;
    private final int port;
    private final ExecutorService connections = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-relay");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fault-relay-timer");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<String> oneShots = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Answer> nextAnswers = new ConcurrentLinkedQueue<>();
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final List<Request> lostRequests = Collections.synchronizedList(new ArrayList<>());
    private volatile Guard guard;
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong resetMidRequest = new AtomicLong();
    private final AtomicLong answersLost = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();
    private volatile ServerSocket listener;
    private volatile long delayMillis;
    private volatile Answer timedAnswer;
    private volatile Instant answerUntil = Instant.MIN;
    private volatile boolean closed;

    private FaultRelay(InetSocketAddress upstream) throws IOException {
        this.upstream = upstream;
        this.listener = listen(0);
        this.port = listener.getLocalPort();
        startAccepting(listener);
    }

    /** A relay on a free loopback port forwarding to {@code upstreamHost:upstreamPort}. */
    public static FaultRelay start(String upstreamHost, int upstreamPort) throws IOException {
        return new FaultRelay(new InetSocketAddress(upstreamHost, upstreamPort));
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>}: give the client this instead of the server's URL. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The next {@code count} requests are reset after half their body and never forwarded. */
    public void resetMidRequest(int count) {
        for (int i = 0; i < count; i++) {
            oneShots.add("reset");
        }
    }

    /** The next {@code count} requests are forwarded and answered, and the answer is lost (the client is reset). */
    public void loseAnswers(int count) {
        for (int i = 0; i < count; i++) {
            oneShots.add("lose");
        }
    }

    /** Every request waits {@code delay} before it is forwarded; {@link Duration#ZERO} to stop. */
    public void delay(Duration delay) {
        delayMillis = delay.toMillis();
    }

    /** Until {@code duration} from now, the relay answers every request with {@code status} itself. */
    public void answerFor(Duration duration, int status, String retryAfter, String body) {
        timedAnswer = new Answer(status, retryAfter, body);
        answerUntil = Instant.now().plus(duration);
    }

    /** The next {@code count} requests get {@code status} from the relay itself. */
    public void answerNext(int count, int status, String retryAfter, String body) {
        for (int i = 0; i < count; i++) {
            nextAnswers.add(new Answer(status, retryAfter, body));
        }
    }

    /**
     * Until {@link #heal()}, every request whose header {@code name} is not {@code value} gets {@code status} from the
     * relay itself: an auth proxy in front of Loki refusing a wrong token with 401, say.
     */
    public void answerUnlessHeader(String name, String value, int status, String body) {
        guard = new Guard(name, value, new Answer(status, null, body));
    }

    /**
     * Closes the port for {@code duration}: new connections are refused and open ones reset, as when the server is
     * down; then the same port is opened again.
     */
    public synchronized void refuseConnectionsFor(Duration duration) throws IOException {
        event("refusing connections for " + duration.toMillis() + " ms");
        refusals.incrementAndGet();
        listener.close();
        for (Socket socket : open) {
            reset(socket);
        }
        timer.schedule(this::reopen, duration.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void reopen() {
        if (closed) {
            return;
        }
        try {
            listener = listen(port);
            startAccepting(listener);
            event("accepting connections again");
        } catch (IOException e) {
            event("cannot listen on " + port + " again: " + e.getMessage());
            timer.schedule(this::reopen, 100, TimeUnit.MILLISECONDS);
        }
    }

    /** Clears every fault: no delay, no scripted answers or resets. Refused connections stay refused until due. */
    public void heal() {
        oneShots.clear();
        nextAnswers.clear();
        delayMillis = 0;
        answerUntil = Instant.MIN;
        guard = null;
    }

    /** Requests forwarded to the server and answered to the client. */
    public long forwarded() {
        return forwarded.get();
    }

    /** Requests cut by a reset before they were forwarded. */
    public long resetsMidRequest() {
        return resetMidRequest.get();
    }

    /** Requests the server answered whose answer the client never got. */
    public long answersLost() {
        return answersLost.get();
    }

    /** The requests whose answers were lost, as sent. */
    public List<Request> lostRequests() {
        synchronized (lostRequests) {
            return List.copyOf(lostRequests);
        }
    }

    /** Requests the relay answered itself. */
    public long answeredByRelay() {
        return answered.get();
    }

    /** What the relay did, one line per fault, for test reports. */
    public List<String> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        return socket;
    }

    private void startAccepting(ServerSocket server) {
        connections.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    open.add(client);
                    connections.execute(() -> serve(client));
                } catch (IOException e) {
                    return; // closed: refusing, or the relay is closed
                }
            }
        });
    }

    private void serve(Socket client) {
        Socket server = null;
        try (client) {
            InputStream fromClient = client.getInputStream();
            OutputStream toClient = client.getOutputStream();
            while (true) {
                HttpMessage.Head requestHead = HttpMessage.readHead(fromClient, false);
                if (requestHead == null) {
                    return;
                }
                if ("reset".equals(oneShots.peek()) && oneShots.remove("reset")) {
                    // Half the body arrives, then the connection is reset: the server never sees the request.
                    fromClient.readNBytes((int) Math.max(0, requestHead.contentLength() / 2));
                    resetMidRequest.incrementAndGet();
                    event("reset mid-request: " + requestHead.startLine());
                    reset(client);
                    return;
                }
                HttpMessage request = HttpMessage.readBody(requestHead, fromClient);
                if (delayMillis > 0) {
                    Thread.sleep(delayMillis);
                }
                Answer answer = nextAnswers.poll();
                if (answer == null && Instant.now().isBefore(answerUntil)) {
                    answer = timedAnswer;
                }
                Guard required = guard;
                if (answer == null && required != null
                        && !required.value().equals(request.header(required.header()))) {
                    answer = required.answer();
                }
                if (answer != null) {
                    answered.incrementAndGet();
                    toClient.write(response(answer));
                    toClient.flush();
                    continue;
                }
                boolean loseAnswer = "lose".equals(oneShots.peek()) && oneShots.remove("lose");
                if (server == null || server.isClosed()) {
                    server = new Socket();
                    server.connect(upstream, 5_000);
                    open.add(server);
                }
                server.getOutputStream().write(request.bytes());
                server.getOutputStream().flush();
                HttpMessage response = HttpMessage.read(server.getInputStream(), true);
                if (response == null) {
                    throw new SocketException("the server closed the connection without an answer");
                }
                if (loseAnswer) {
                    lostRequests.add(new Request(request.header("Content-Type"), request.header("Content-Encoding"),
                            request.header("Authorization"), request.body));
                    answersLost.incrementAndGet();
                    event("answer lost: " + response.startLine);
                    reset(client);
                    return;
                }
                toClient.write(response.bytes());
                toClient.flush();
                forwarded.incrementAndGet();
            }
        } catch (IOException e) {
            // The client or the server went away (or was reset on purpose): this connection is done.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(client);
            if (server != null) {
                open.remove(server);
                try {
                    server.close();
                } catch (IOException ignored) {
                    // nothing left to forward on it
                }
            }
        }
    }

    private static byte[] response(Answer answer) {
        byte[] body = answer.body() == null ? new byte[0] : answer.body().getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(answer.status()).append(' ')
                .append(reason(answer.status())).append("\r\n")
                .append("Content-Type: text/plain; charset=utf-8\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n");
        if (answer.retryAfter() != null) {
            head.append("Retry-After: ").append(answer.retryAfter()).append("\r\n");
        }
        byte[] headBytes = head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(body, 0, all, headBytes.length, body.length);
        return all;
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 204 -> "No Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 413 -> "Request Entity Too Large";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Status";
        };
    }

    /** Closes with a TCP reset (SO_LINGER 0) rather than an orderly close. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // already gone: the peer sees the connection end either way
        }
    }

    private void event(String what) {
        events.add(Instant.now() + " " + what);
    }

    @Override
    public synchronized void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        open.forEach(FaultRelay::reset);
        timer.shutdownNow();
        connections.shutdownNow();
    }
}
