/**
 * Encryption at rest for a journal kept outside the embedded store (JetStream messages of a cluster,
 * docs/scale-out.md): the writer seals each message's payload, every reader opens it. A port, so the
 * NATS adapter and the PostgreSQL crypt that holds the cluster's data keys need not know each other.
 */

/** A data key's seal/open of a whole payload; null where one is taken stores payloads clear. */
export interface PayloadSealer {
  seal(b: Buffer): Buffer;
  open(b: Buffer): Buffer;
}
