package dev.tollgate.wire.canonical;

import dev.tollgate.wire.GatewayError;

/**
 * A provider's error answer, understood: the neutral error to show the caller, and how the gateway should treat it.
 *
 * @param error status, kind and code as the caller should see them; the code is {@code context_length_exceeded},
 *     {@code rate_limited} or {@code overloaded} when recognised, whatever the provider's wording
 * @param retryAfterMillis what the provider asked to wait, -1 when it did not say
 * @param deploymentFault true when another deployment may succeed (429, 5xx, 529, auth problems of the gateway's own
 *     key); false when the request itself is wrong and must go back to the caller
 */
public record ProviderError(GatewayError error, long retryAfterMillis, boolean deploymentFault) {}
