/**
 * How the scale-out adapters' errors name a service and what went wrong with it: an error must name
 * the address that failed, never print the password a URL can carry, and still say something when
 * the driver's error has no message (Node's AggregateError of a refused dual-stack connect).
 */

/** `url` with any password replaced by `***` (unparsable text comes back as it is, minus anything before an `@`). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    const at = url.lastIndexOf('@');
    return at < 0 ? url : `***${url.slice(at)}`;
  }
}

/** A driver error in a few words: its message, its code when the message lacks it, or its first inner error's. */
export function describeCause(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: unknown }).code;
  let text = e.message;
  if (text === '' && e instanceof AggregateError && e.errors.length > 0) text = describeCause(e.errors[0]);
  if (typeof code === 'string' && !text.includes(code)) text = text === '' ? code : `${text} (${code})`;
  return text === '' ? e.name : text;
}
