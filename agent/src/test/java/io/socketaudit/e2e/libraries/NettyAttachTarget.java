package io.socketaudit.e2e.libraries;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.socketaudit.e2e.harness.ChildIo;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Netty epoll service that runs before any agent is attached: it binds a listener and makes one connection, so
 * that Netty's native socket classes are loaded, prints {@value #READY}, then obeys stdin:
 * {@code cycle} makes one more connection (connect, one byte each way, the client closes, the server closes on
 * its EOF) and answers {@code done cycle <client port> <server port>}; {@code exit} ends it.
 */
public final class NettyAttachTarget {

    static final String READY = "ready";

    private static final long GUARD_SECONDS = 60;

    private NettyAttachTarget() {
    }

    public static void main(String[] args) throws Exception {
        EventLoopGroup loops = new EpollEventLoopGroup(2);
        @SuppressWarnings("unchecked")
        CompletableFuture<Channel>[] accepted = new CompletableFuture[1]; // the current cycle's server end
        Channel listener = new ServerBootstrap().group(loops).channel(EpollServerSocketChannel.class)
                .childHandler(new EchoOnce(accepted))
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        Bootstrap client = new Bootstrap().group(loops).channel(EpollSocketChannel.class);

        accepted[0] = new CompletableFuture<>();
        cycle(listener, client, accepted[0]);
        ChildIo.say(READY);
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String command; (command = commands.readLine()) != null && !command.equals("exit"); ) {
            if (command.equals("cycle")) {
                accepted[0] = new CompletableFuture<>();
                ChildIo.say("done cycle " + cycle(listener, client, accepted[0]));
            } else {
                ChildIo.say("unknown command " + command);
            }
        }
        listener.close().sync();
        loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    }

    /** The server's handler, shared by its connections: the byte back; Netty closes the channel on the client's FIN. */
    @ChannelHandler.Sharable
    private static final class EchoOnce extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Channel>[] accepted;

        EchoOnce(CompletableFuture<Channel>[] accepted) {
            this.accepted = accepted;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            accepted[0].complete(ctx.channel());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg);
        }
    }

    /** One connection, both ends closed by the time it returns; its client and server ports. */
    private static String cycle(Channel listener, Bootstrap bootstrap, CompletableFuture<Channel> accepted)
            throws Exception {
        CompletableFuture<Object> reply = new CompletableFuture<>();
        Channel client = bootstrap.handler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ((ByteBuf) msg).release();
                reply.complete(msg);
            }
        }).connect(listener.localAddress()).sync().channel();
        Channel server = accepted.get(GUARD_SECONDS, TimeUnit.SECONDS);
        client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1})).sync();
        reply.get(GUARD_SECONDS, TimeUnit.SECONDS);
        client.close().sync();
        if (!server.closeFuture().awaitUninterruptibly(GUARD_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the server end did not close");
        }
        return ((InetSocketAddress) client.localAddress()).getPort() + " "
                + ((InetSocketAddress) server.localAddress()).getPort();
    }
}
