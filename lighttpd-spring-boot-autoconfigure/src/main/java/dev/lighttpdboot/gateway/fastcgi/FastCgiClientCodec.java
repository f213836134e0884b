package dev.lighttpdboot.gateway.fastcgi;

import io.netty.channel.CombinedChannelDuplexHandler;

/**
 * The client side of FastCGI 1.0 in one handler: {@link FastCgiRequestEncoder} for what the client writes,
 * {@link FastCgiResponseDecoder} for what the application sends back.
 */
public final class FastCgiClientCodec
		extends CombinedChannelDuplexHandler<FastCgiResponseDecoder, FastCgiRequestEncoder> {

	public FastCgiClientCodec() {
		super(new FastCgiResponseDecoder(), new FastCgiRequestEncoder());
	}

}
