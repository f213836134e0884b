package dev.lighttpdboot.uploadprogress;

import java.util.Map;

/**
 * What a store says about itself on the health endpoint.
 *
 * @param available whether the store can be reached; a shared store that cannot still counts uploads on each node,
 * so this is shown, not turned into a DOWN that would take the node out of its load balancer
 * @param details what to show, for example {@code store: redis}
 */
public record UploadProgressStoreStatus(boolean available, Map<String, Object> details) {

}
