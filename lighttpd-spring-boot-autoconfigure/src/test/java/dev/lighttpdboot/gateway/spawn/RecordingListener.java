package dev.lighttpdboot.gateway.spawn;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records a supervisor's events as {@code "up 0"} and {@code "down 0 <reason>"}, checking each address.
 */
final class RecordingListener implements SpawnedBackends.Listener {

	private final List<String> addresses;

	private final List<String> events = new CopyOnWriteArrayList<>();

	RecordingListener(SpawnedBackends spawned) {
		this.addresses = spawned.addresses();
	}

	@Override
	public void down(int index, String address, String reason) {
		check(index, address);
		this.events.add("down " + index + " " + reason);
	}

	@Override
	public void up(int index, String address) {
		check(index, address);
		this.events.add("up " + index);
	}

	private void check(int index, String address) {
		if (!this.addresses.get(index).equals(address)) {
			this.events.add("wrong address " + address + " for " + index);
		}
	}

	List<String> events() {
		return List.copyOf(this.events);
	}

}
