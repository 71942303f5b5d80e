/**
 * The printable report as a file: the key is a bearer header, so a plain link cannot fetch it; the
 * page fetches the HTML (`format=html`) and hands it to the browser as a Blob download.
 */
import { ApiError } from '../../api/client';

interface ErrorBody {
  readonly error?: { readonly code?: string; readonly message?: string };
}

function parseError(text: string): ErrorBody | null {
  try {
    return JSON.parse(text) as ErrorBody;
  } catch {
    return null; // not JSON: the status says it
  }
}

/** Fetches the HTML at `path` with the key; an ApiError when refused. */
export async function fetchHtml(path: string, key: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { authorization: `Bearer ${key}`, accept: 'text/html' }, credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
  }
  const text = await res.text();
  if (!res.ok) {
    const body = parseError(text);
    throw new ApiError(res.status, body?.error?.code ?? `http_${res.status}`, body?.error?.message ?? '');
  }
  return text;
}

/** Offers `html` as a file named `name`. */
export function saveHtml(html: string, name: string): void {
  const url = URL.createObjectURL(new Blob([html], { type: 'text/html;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
