package dev.lighttpdboot.gateway;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import io.netty.channel.unix.DomainSocketAddress;

/**
 * Parses a backend address as lighttpd and nginx users write it: {@code host:port}, {@code [ipv6]:port}, or
 * {@code unix:/path/to/socket}.
 */
public final class BackendAddress {

	private BackendAddress() {
	}

	/**
	 * Parse an address.
	 * @throws IllegalArgumentException if it is none of the accepted forms
	 */
	public static SocketAddress parse(String address) {
		String trimmed = address.trim();
		if (trimmed.startsWith("unix:")) {
			String path = trimmed.substring(5);
			if (path.isEmpty()) {
				throw new IllegalArgumentException("'" + address + "' names no socket path");
			}
			return new DomainSocketAddress(path);
		}
		int colon = trimmed.lastIndexOf(':');
		if (colon <= 0 || colon == trimmed.length() - 1) {
			throw new IllegalArgumentException("'" + address + "' is not host:port or unix:/path");
		}
		String host = trimmed.substring(0, colon);
		if (host.startsWith("[") && host.endsWith("]")) {
			host = host.substring(1, host.length() - 1);
		}
		int port;
		try {
			port = Integer.parseInt(trimmed.substring(colon + 1));
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("'" + address + "' has no numeric port");
		}
		if (port < 1 || port > 65535) {
			throw new IllegalArgumentException("'" + address + "' has a port out of range");
		}
		return InetSocketAddress.createUnresolved(host, port);
	}

}
