/**
 * Forwarding a request to its partition's owner (docs/scale-out.md, "Routing"): any node accepts any
 * request, and one that does not own the request's partition hands it over NATS request–reply to the
 * node that does, on `fk.<c>.p.<p>.in`, coalescing one event-loop turn's requests per partition into
 * one message. This module is the one entry point; its parts are one file each:
 *
 * - forward-frames.ts — the versioned wire format (`Fk-Forward: 1`) and the request/answer types;
 * - forwarder.ts — the sender (`Forwarder`): coalescing, splitting, retrying while no node owns the
 *   partition, and turning every cluster failure into a 503 answer rather than an exception;
 * - forward-server.ts — the owner (`serveForwarded`): decodes, answers in arrival order, replies.
 */
export type { ForwardedAnswer, ForwardedRequest } from './forward-frames.js';
export { FORWARD_HEADER, FORWARD_VERSION } from './forward-frames.js';
export { Forwarder, type ForwarderOptions, type ForwarderStats } from './forwarder.js';
export { serveForwarded, type ForwardAnswerer, type ForwardServer } from './forward-server.js';
