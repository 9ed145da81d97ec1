package io.socketaudit.demo;

import java.util.List;

/**
 * Plays, on loopback, each way a TCP connection can end, one scenario after another, so that a
 * run with the socket-audit agent attached has every kind of close in its log. Each scenario
 * checks that the connection ended the way it is meant to and prints one line; the exit status
 * is 1 when any scenario went differently.
 *
 * <p>The agent reports the first non-JDK frame of the closing stack as {@code caller}, so every
 * {@code close()} and {@code shutdownOutput()} is called from the scenario method itself or from
 * a helper named for what it does.
 */
public final class DemoApp {

    /** One way of ending a connection; returns what was seen, for the printed line. */
    @FunctionalInterface
    interface Play {
        String run() throws Exception;
    }

    record Scenario(String number, String title, Play play) {
    }

    private DemoApp() {
    }

    public static void main(String[] args) throws Exception {
        int failures;
        try (SocketScenarios sockets = new SocketScenarios();
             ChannelScenarios channels = new ChannelScenarios()) {
            failures = playAll(List.of(
                    new Scenario("1", "server says a last word and half-closes", sockets::serverSaysGoodbyeAndHalfCloses),
                    new Scenario("2", "server closes abruptly (linger 0)", sockets::serverClosesAbruptly),
                    new Scenario("3", "server half-closes, closes once all is read", sockets::serverEndsThenClosesOncePeerHasReadEverything),
                    new Scenario("4", "client quits first", sockets::clientQuitsFirst),
                    new Scenario("5", "server drops an idle client", sockets::serverDropsIdleClient),
                    new Scenario("6", "server closes with the request unread", sockets::serverClosesWithRequestUnread),
                    new Scenario("7", "peer resets mid-stream", sockets::peerResetsMidStream),
                    new Scenario("8a", "NIO channel closed normally", channels::channelClosedNormally),
                    new Scenario("8b", "NIO channel closed by interrupt", channels::channelClosedByInterruptOfBlockedReader),
                    new Scenario("8c", "NIO channel closed by another thread", channels::channelClosedByAnotherThreadWhileReading),
                    new Scenario("9", "TLS socket closed cleanly", TlsScenario::sslSocketClosedCleanly)));
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    private static int playAll(List<Scenario> scenarios) {
        int failures = 0;
        for (Scenario scenario : scenarios) {
            String heading = String.format("%-3s %-46s ", scenario.number(), scenario.title());
            try {
                System.out.println(heading + scenario.play().run());
            } catch (Exception e) {
                failures++;
                System.out.println(heading + "FAILED: " + e);
                e.printStackTrace(System.out);
            }
        }
        System.out.println(failures == 0
                ? "all " + scenarios.size() + " scenarios played as expected"
                : failures + " of " + scenarios.size() + " scenarios FAILED");
        return failures;
    }
}
