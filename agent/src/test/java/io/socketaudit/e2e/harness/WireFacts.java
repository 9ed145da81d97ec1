package io.socketaudit.e2e.harness;

import io.socketaudit.e2e.harness.LoopbackCapture.Packet;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What one end of a connection sent on the wire, judged from the capture of that connection.
 *
 * <p>An RST is "provoked" when the peer sent data (length &gt; 0) after our FIN and before the
 * RST: that is the kernel refusing data that arrived for a socket the app had already closed
 * (for example a TLS close_notify answering ours), not something our close sent.
 */
public final class WireFacts {

    /** What one end is expected to send, independent of the agent. */
    public enum Expect {
        /** A FIN and no RST of its own (an RST answering late data from the peer is allowed). */
        FIN,
        /** A FIN, then an RST of its own: the JDK's Socket shuts output down, then the close resets. */
        FIN_THEN_RST,
        /** An RST and no FIN. */
        RST_ONLY,
        /** Neither FIN nor RST: the connection was already reset by the peer. */
        NOTHING,
        /** No RST; whether the FIN made it out depends on a race with the peer's RST. */
        NO_RST
    }

    private final List<Packet> sent;
    private final List<Packet> connection;
    private final int localPort;

    public WireFacts(List<Packet> allPackets, int localPort, int remotePort) {
        this.localPort = localPort;
        this.connection = allPackets.stream().filter(p -> p.between(localPort, remotePort)).collect(Collectors.toList());
        this.sent = connection.stream().filter(p -> p.from(localPort, remotePort)).collect(Collectors.toList());
    }

    boolean seen() {
        return !connection.isEmpty();
    }

    public boolean sentFin() {
        return sent.stream().anyMatch(Packet::fin);
    }

    boolean sentAnyRst() {
        return sent.stream().anyMatch(Packet::rst);
    }

    boolean receivedRst() {
        return connection.stream().anyMatch(p -> p.srcPort() != localPort && p.rst());
    }

    /** An RST from this end that is not the kernel answering data which arrived after our FIN. */
    boolean sentUnprovokedRst() {
        boolean finSent = false;
        boolean lateDataFromPeer = false;
        for (Packet p : connection) {
            if (p.srcPort() == localPort) {
                if (p.rst() && !lateDataFromPeer) {
                    return true;
                }
                if (p.fin()) {
                    finSent = true;
                }
            } else if (finSent && p.length() > 0) {
                lateDataFromPeer = true;
            }
        }
        return false;
    }

    /** A FIN from this end that precedes every RST of its own. */
    boolean finBeforeRst() {
        for (Packet p : sent) {
            if (p.rst()) {
                return false;
            }
            if (p.fin()) {
                return true;
            }
        }
        return false;
    }

    /** Null when the end sent what {@code expect} says, else what is wrong. */
    public String check(Expect expect) {
        if (!seen()) {
            return "no packets of this connection were captured";
        }
        switch (expect) {
            case FIN:
                if (!sentFin()) {
                    return "expected a FIN from this end, none was sent";
                }
                return sentUnprovokedRst() ? "expected no RST from this end, but it sent one" : null;
            case FIN_THEN_RST:
                if (!finBeforeRst()) {
                    return "expected a FIN from this end before its RST";
                }
                return sentUnprovokedRst() ? null : "expected an RST from this end after its FIN";
            case RST_ONLY:
                if (sentFin()) {
                    return "expected no FIN from this end (RST only), but it sent one";
                }
                return sentAnyRst() ? null : "expected an RST from this end, none was sent";
            case NOTHING:
                if (sentFin() || sentAnyRst()) {
                    return "expected neither FIN nor RST from this end (the peer had reset it)";
                }
                return null;
            case NO_RST:
                return sentUnprovokedRst() ? "expected no RST from this end, but it sent one" : null;
            default:
                throw new IllegalArgumentException(expect.toString());
        }
    }

    /**
     * The rule every close event must satisfy: graceful → a FIN from local to remote and no RST
     * of its own; abortive with any cause but peer-reset → an RST from local to remote;
     * peer-reset → an RST from remote to local. Null when satisfied.
     */
    public String checkEvent(String how, String cause) {
        if (!seen()) {
            return "no packets of this connection were captured";
        }
        if ("graceful".equals(how)) {
            if (!sentFin()) {
                return "event says graceful, but no FIN went from local to remote";
            }
            if (sentUnprovokedRst()) {
                return "event says graceful, but local sent an RST to remote";
            }
        } else if ("abortive".equals(how)) {
            if ("peer-reset".equals(cause)) {
                if (!receivedRst()) {
                    return "event says peer-reset, but no RST came from remote to local";
                }
            } else if (!sentAnyRst()) {
                return "event says abortive (" + cause + "), but no RST went from local to remote";
            }
        }
        return null;
    }

    public String describe() {
        if (connection.isEmpty()) {
            return "    (nothing captured)";
        }
        return connection.stream()
                .map(p -> "    " + (p.srcPort() == localPort ? "local->remote " : "remote->local ")
                        + "[" + p.flags() + "] length " + p.length())
                .collect(Collectors.joining("\n"));
    }
}
