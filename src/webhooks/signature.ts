/**
 * The signature of a delivery, as Stripe and others sign theirs so receivers already know how to
 * check it: header `Fengkong-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * The time inside the signed text lets a receiver refuse an old delivery replayed at it (five minutes
 * is the usual tolerance); `verifySignature` is what a receiver written in Node.js can call.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The header name. */
export const SIGNATURE_HEADER = 'Fengkong-Signature';

/** A new webhook secret: `whsec_` and 32 random bytes, base64url. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** The header value for `body` sent at `unixSeconds`. */
export function signature(secret: string, unixSeconds: number, body: string): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

/**
 * Whether `header` signs `body` with `secret` and is at most `toleranceS` seconds from `nowS`
 * (compared in constant time; any v1 of several matches, as after a secret rotation).
 */
export function verifySignature(secret: string, header: string, body: string, nowS = Math.floor(Date.now() / 1000), toleranceS = 300): boolean {
  let t = NaN;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const [k, v] = part.split('=', 2);
    if (k === 't') t = Number(v);
    else if (k === 'v1' && v !== undefined) v1.push(v);
  }
  if (!Number.isInteger(t) || Math.abs(nowS - t) > toleranceS) return false;
  const want = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  return v1.some((s) => s.length === want.length && timingSafeEqual(Buffer.from(s), want));
}
