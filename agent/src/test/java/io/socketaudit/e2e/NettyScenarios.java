package io.socketaudit.e2e;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Close scenarios on Netty's epoll transport, for the end-to-end tests: a plain Netty program, one scenario
 * after another in one JVM, on 127.0.0.1. Before ending a connection, a scenario prints both ends:
 * {@code scenario <name> role=<client|server> localPort=<port> remotePort=<port>}; every listener stays open
 * until the end, so ports are never reused within a run. The server's threads are named {@code server-loop-*},
 * the client's {@code client-loop-*}. Synchronised on Netty's futures and the kernel's TCP state, never on sleeps.
 *
 * <p>Run it without the agent to see what Netty and the kernel do on their own:
 * {@code java -cp <test classes and Netty's jars> io.socketaudit.e2e.NettyScenarios}.
 */
public final class NettyScenarios {

    static final List<String> SCENARIOS = List.of("clientClosesFirst", "serverClosesFromHandler",
            "clientShutsOutputDown", "clientClosesWithLingerZero", "serverClosesWithInputUnread", "leftOpenAtExit");

    /** Bytes the client sends that the server never reads, in serverClosesWithInputUnread. */
    static final int UNREAD_BYTES = 100;
    static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);
    static final byte[] REPLY = {'!'};
    /** Guard against a hang: never a synchronisation. */
    private static final long GUARD_SECONDS = 60;

    private final EventLoopGroup acceptor = new EpollEventLoopGroup(1, new DefaultThreadFactory("server-accept"));
    private final EventLoopGroup serverLoop = new EpollEventLoopGroup(1, new DefaultThreadFactory("server-loop"));
    private final EventLoopGroup clientLoop = new EpollEventLoopGroup(1, new DefaultThreadFactory("client-loop"));
    private final List<Channel> listeners = new ArrayList<>();

    private NettyScenarios() {
    }

    public static void main(String[] args) throws Exception {
        if (!Epoll.isAvailable()) {
            System.out.println("epoll unavailable: " + Epoll.unavailabilityCause());
            System.exit(3);
        }
        NettyScenarios run = new NettyScenarios();
        run.clientClosesFirst();
        run.serverClosesFromHandler();
        run.clientShutsOutputDown();
        run.clientClosesWithLingerZero();
        run.serverClosesWithInputUnread();
        run.leftOpenAtExit();
        for (Channel listener : run.listeners) {
            System.out.println("listener localPort=" + ((InetSocketAddress) listener.localAddress()).getPort());
            listener.close().syncUninterruptibly();
        }
        System.out.println("scenarios finished");
        System.out.flush();
        // The event loops' threads would keep the JVM alive; leftOpenAtExit's connection must still be open here.
        System.exit(0);
    }

    /** The client asks for a reply, then closes from the main thread; the server closes on the client's FIN. */
    private void clientClosesFirst() throws Exception {
        Connection c = connect("clientClosesFirst", false, false);
        c.exchange();
        c.client.close();
        c.awaitBothClosed();
    }

    /** The server's handler calls ctx.close() once the request is read; the client closes on the server's FIN. */
    private void serverClosesFromHandler() throws Exception {
        Connection c = connect("serverClosesFromHandler", true, false);
        c.client.writeAndFlush(Unpooled.wrappedBuffer(HELLO)).sync();
        c.awaitBothClosed();
    }

    /** The client shuts its output down, the server closes on that FIN, the client on the server's. */
    private void clientShutsOutputDown() throws Exception {
        Connection c = connect("clientShutsOutputDown", false, false);
        c.exchange();
        ((EpollSocketChannel) c.client).shutdownOutput().sync();
        c.awaitBothClosed();
    }

    /** SO_LINGER 0: the client's close is a reset, and the server closes on reading it. */
    private void clientClosesWithLingerZero() throws Exception {
        Connection c = connect("clientClosesWithLingerZero", false, true);
        c.exchange();
        c.client.close();
        c.awaitBothClosed();
    }

    /**
     * The server never reads (auto-read off): the client's bytes wait in the server's receive queue, which the
     * client knows once the server's kernel acknowledged all of them. The server's close is then a reset.
     */
    private void serverClosesWithInputUnread() throws Exception {
        Connection c = connect("serverClosesWithInputUnread", false, false, true);
        c.client.writeAndFlush(Unpooled.wrappedBuffer(new byte[UNREAD_BYTES])).sync();
        EpollSocketChannel client = (EpollSocketChannel) c.client;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        while (client.tcpInfo().unacked() != 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the server's kernel never acknowledged the unread bytes");
            }
            Thread.onSpinWait();
        }
        c.server.close();
        c.awaitBothClosed();
    }

    /** Both ends stay open until the JVM exits. */
    private void leftOpenAtExit() throws Exception {
        Connection c = connect("leftOpenAtExit", false, false);
        c.exchange();
    }

    private Connection connect(String scenario, boolean serverClosesOnRequest, boolean lingerZero) throws Exception {
        return connect(scenario, serverClosesOnRequest, lingerZero, false);
    }

    private Connection connect(String scenario, boolean serverClosesOnRequest, boolean lingerZero,
                               boolean serverNeverReads) throws Exception {
        ServerHandler serverHandler = new ServerHandler(serverClosesOnRequest);
        Channel listener = new ServerBootstrap().group(acceptor, serverLoop).channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, !serverNeverReads)
                .childHandler(serverHandler)
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        listeners.add(listener);
        ClientHandler clientHandler = new ClientHandler();
        Bootstrap bootstrap = new Bootstrap().group(clientLoop).channel(EpollSocketChannel.class).handler(clientHandler);
        if (lingerZero) {
            bootstrap.option(ChannelOption.SO_LINGER, 0);
        }
        Channel client = bootstrap.connect(listener.localAddress()).sync().channel();
        Channel server = serverHandler.accepted.get(GUARD_SECONDS, TimeUnit.SECONDS);
        int clientPort = ((InetSocketAddress) client.localAddress()).getPort();
        int serverPort = ((InetSocketAddress) server.localAddress()).getPort();
        System.out.println("scenario " + scenario + " role=client localPort=" + clientPort + " remotePort=" + serverPort);
        System.out.println("scenario " + scenario + " role=server localPort=" + serverPort + " remotePort=" + clientPort);
        return new Connection(client, server, clientHandler);
    }

    private record Connection(Channel client, Channel server, ClientHandler clientHandler) {

        /** A request and its one-byte reply, both read by the application. */
        void exchange() throws Exception {
            client.writeAndFlush(Unpooled.wrappedBuffer(HELLO)).sync();
            clientHandler.replied.get(GUARD_SECONDS, TimeUnit.SECONDS);
        }

        void awaitBothClosed() {
            if (!client.closeFuture().awaitUninterruptibly(GUARD_SECONDS, TimeUnit.SECONDS)
                    || !server.closeFuture().awaitUninterruptibly(GUARD_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a connection did not close");
            }
        }
    }

    /** Reads the request; replies to it, or closes the connection from the handler. */
    private static final class ServerHandler extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Channel> accepted = new CompletableFuture<>();
        private final boolean closeOnRequest;
        private final AtomicInteger received = new AtomicInteger();

        ServerHandler(boolean closeOnRequest) {
            this.closeOnRequest = closeOnRequest;
        }

        @Override
        public boolean isSharable() {
            return true;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            accepted.complete(ctx.channel());
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf bytes = (ByteBuf) msg;
            int total = received.addAndGet(bytes.readableBytes());
            bytes.release();
            if (total == HELLO.length) {
                if (closeOnRequest) {
                    ctx.close();
                } else {
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(REPLY));
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A reset by the peer: Netty closes the channel itself.
        }
    }

    private static final class ClientHandler extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Void> replied = new CompletableFuture<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ((ByteBuf) msg).release();
            replied.complete(null);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A reset by the peer: Netty closes the channel itself.
        }
    }
}
