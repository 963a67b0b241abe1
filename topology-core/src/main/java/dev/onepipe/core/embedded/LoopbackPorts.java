package dev.onepipe.core.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for servers that must know their port before they bind it: a KRaft controller named in
 * {@code controller.quorum.voters}, a service restarted on the port its clients already use.
 */
public final class LoopbackPorts {

    /** Below Linux's default ephemeral range, {@code net.ipv4.ip_local_port_range} = 32768-60999. */
    private static final int FROM = 20_000;
    private static final int TO = 32_768;
    private static final int PROBES = 20;

    private LoopbackPorts() {
    }

    /**
     * A port on {@code 127.0.0.1} that nothing listens on now, below the ephemeral range so that the outgoing
     * connections of clients, whose local ports the kernel takes from that range, cannot take it before the caller
     * binds it. Another server can still take it in between: callers bind with a retry on another port. Falls back to an
     * ephemeral port when {@value #PROBES} probes of the range find none free.
     *
     * @throws UncheckedIOException when not even an ephemeral port can be bound
     */
    public static int freePort() {
        for (int probe = 0; probe < PROBES; probe++) {
            int port = ThreadLocalRandom.current().nextInt(FROM, TO);
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return port;
            } catch (IOException e) {
                // taken: probe another
            }
        }
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free loopback port", e);
        }
    }
}
