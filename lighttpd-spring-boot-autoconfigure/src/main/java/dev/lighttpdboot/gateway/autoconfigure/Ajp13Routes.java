package dev.lighttpdboot.gateway.autoconfigure;

import dev.lighttpdboot.gateway.GatewayProtocol;
import dev.lighttpdboot.gateway.ajp13.Ajp13Protocol;
import dev.lighttpdboot.gateway.ajp13.Ajp13Settings;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Gives an ajp13 route's protocol the route's own {@code ajp13.*} settings (secret, packet size).
 */
final class Ajp13Routes {

	private Ajp13Routes() {
	}

	static GatewayProtocol configure(String prefix, GatewayProperties.Route route, GatewayProtocol protocol) {
		if (!(protocol instanceof Ajp13Protocol ajp13)) {
			return protocol;
		}
		GatewayProperties.Ajp13 properties = route.getAjp13();
		long packetSize = properties.getPacketSize().toBytes();
		try {
			return ajp13.withSettings(new Ajp13Settings(properties.getSecret(), (int) Math.min(packetSize,
					Integer.MAX_VALUE)));
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".ajp13.packet-size",
					properties.getPacketSize(), ex.getMessage());
		}
	}

}
