/**
 * The dialect-neutral chat model every translation goes through: an ingress dialect decodes the caller's request into
 * a {@link dev.tollgate.wire.canonical.ChatRequest}, an upstream dialect encodes it for the provider, decodes the
 * provider's answer into a {@link dev.tollgate.wire.canonical.ChatResponse} or a sequence of
 * {@link dev.tollgate.wire.canonical.StreamEvent}s, and the ingress dialect encodes those for the caller.
 *
 * <p>Domain package: no Vert.x, no I/O. Used only when the caller's dialect and the provider's differ (or the provider
 * is not OpenAI); the OpenAI → OpenAI path forwards bytes and never builds these objects.
 */
package dev.tollgate.wire.canonical;
