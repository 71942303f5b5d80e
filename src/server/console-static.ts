/**
 * The analyst console's files under `/console/`: the single-page app Vite builds into a folder
 * (`dist/console` of the package by default; ServeOptions.consoleDir). Not an API route — no key
 * (the app signs in with its own), not in the OpenAPI document — and off the decision hot path: the
 * handler tries `/console` only after the payment routes, before the module routes.
 *
 * The whole folder is read into memory once, when the server starts (or, while it has no build, at
 * the first request after one appears), and never read again. Why not stream from disk: a console
 * build is a few hundred KiB to a few MiB, so memory costs little, and in exchange
 *  - a request is never turned into a file-system path: it can only name a key of the map the walk
 *    built (files under the folder, no symlinks followed, no dot files), so `..`, encoded dots,
 *    backslashes or NUL cannot reach anything else whatever the checks below miss — those checks
 *    only make such a request a 404 instead of the app's page;
 *  - the build served is one consistent snapshot: rebuilding the console while the server runs
 *    cannot hand a browser a new index.html naming assets that are not written yet, or an old one
 *    whose assets were deleted (restart the server to serve a new build);
 *  - no file descriptor, no disk read and no ETag hashing per request.
 * Limits (CONSOLE_LIMITS) keep a wrong folder from filling the memory.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

/** The path the console is served under. */
export const CONSOLE_PATH = '/console';

/**
 * The Content-Security-Policy of every console answer: scripts, styles, fonts and API calls from
 * this server only, no inline script or style, images from here or `data:` URLs, no plugins, not
 * framed by anyone, forms post only here. A console that shows payment data loads nothing from off
 * the machine, so a compromised CDN or an injected tag cannot read or send it anywhere.
 */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/** Headers on every console answer, errors and redirects included. */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Hashed build output (Vite's `assets/`): the name changes with the content, so it is cached for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html and the other files at the root: the browser asks again each time (a 304 when unchanged). */
const REVALIDATE = 'no-cache';

/** The folder of hashed files; a missing file there is a 404, never the app's page. */
const ASSETS = 'assets';

/** What the server will read of a console folder. */
export interface ConsoleLimits {
  readonly maxFiles: number;
  readonly maxBytes: number;
  /** While there is no build: how often a request may look for one again (ms). */
  readonly retryMs: number;
}

/** Generous for a single-page app (a React build is a few dozen files, a few MiB with source maps). */
export const CONSOLE_LIMITS: ConsoleLimits = { maxFiles: 2_000, maxBytes: 64 * 1024 * 1024, retryMs: 2_000 };

/** The answer for a console request; the caller writes it (without the body for HEAD and 304). */
export interface ConsoleAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** Content types by extension: what Vite emits and what a console may hold. */
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

interface ConsoleFile {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
  readonly cache: string;
}

/** What was found in the folder: a build, or why there is none to serve. */
type Build = { readonly files: ReadonlyMap<string, ConsoleFile> } | { readonly missing: string; readonly retry: boolean };

const NOT_BUILT = 'the analyst console is not built: run `npm run build:console`, then reload this page';

/** The console's files, read once; answers `/console` and everything under `/console/`. */
export class ConsoleFiles {
  private build: Build;
  private lookedAt: number;

  constructor(
    /** The folder Vite built into (its index.html at the top, hashed files in assets/). */
    readonly dir: string,
    private readonly limits: ConsoleLimits = CONSOLE_LIMITS,
    private readonly clock: () => number = Date.now,
  ) {
    this.build = loadBuild(dir, limits);
    this.lookedAt = clock();
  }

  /** True for the paths this serves: `/console` and everything under `/console/`. */
  static matches(path: string): boolean {
    return path.startsWith(CONSOLE_PATH) && (path.length === CONSOLE_PATH.length || path.charCodeAt(CONSOLE_PATH.length) === 47 /* / */);
  }

  /** The answer to `method` on `path` (no query), with the request's If-None-Match. */
  answer(method: string, path: string, ifNoneMatch?: string): ConsoleAnswer {
    if (method !== 'GET' && method !== 'HEAD') {
      return text(405, `${method} is not allowed here; use GET or HEAD`, { allow: 'GET, HEAD' });
    }
    if (path === CONSOLE_PATH) return { status: 301, headers: { ...CONSOLE_HEADERS, location: `${CONSOLE_PATH}/`, 'cache-control': REVALIDATE }, body: EMPTY };
    const rel = relativePath(path.slice(CONSOLE_PATH.length + 1));
    if (rel === null) return text(404, 'no such console file');
    const build = this.current();
    if ('missing' in build) return text(404, build.missing);
    const file = build.files.get(rel === '' ? 'index.html' : rel);
    if (file !== undefined) return serve(file, ifNoneMatch);
    if (rel === ASSETS || rel.startsWith(`${ASSETS}/`)) return text(404, 'no such console file');
    // any other path is a page of the app: its router reads the URL (SPA fallback)
    return serve(build.files.get('index.html')!, ifNoneMatch);
  }

  /** The build, looking for one again (at most every retryMs) while there is none; a refused one stays refused. */
  private current(): Build {
    if ('missing' in this.build && this.build.retry) {
      const now = this.clock();
      if (now - this.lookedAt >= this.limits.retryMs) {
        this.lookedAt = now;
        this.build = loadBuild(this.dir, this.limits);
      }
    }
    return this.build;
  }
}

const EMPTY = Buffer.alloc(0);

function text(status: number, message: string, extra: Record<string, string> = {}): ConsoleAnswer {
  return {
    status,
    headers: { ...CONSOLE_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': REVALIDATE, ...extra },
    body: Buffer.from(`${message}\n`, 'utf8'),
  };
}

function serve(file: ConsoleFile, ifNoneMatch: string | undefined): ConsoleAnswer {
  const headers = { ...CONSOLE_HEADERS, 'content-type': file.type, 'cache-control': file.cache, etag: file.etag };
  if (ifNoneMatch !== undefined && matchesEtag(ifNoneMatch, file.etag)) return { status: 304, headers, body: EMPTY };
  return { status: 200, headers, body: file.body };
}

/** True when an If-None-Match list names `etag` (or is `*`). */
function matchesEtag(header: string, etag: string): boolean {
  for (const raw of header.split(',')) {
    const t = raw.trim();
    if (t === '*' || t === etag || t === `W/${etag}`) return true;
  }
  return false;
}

/**
 * The file a request path names, relative to the console folder with `/` separators ('' for the
 * folder itself), or null when it tries to step outside or hide something: a segment that does
 * not decode, `.` or `..` (also encoded as `%2e`), and a backslash, NUL or slash inside a segment
 * (raw or encoded). Empty segments (`a//b`) are dropped, as a browser would resolve them.
 */
function relativePath(raw: string): string | null {
  const out: string[] = [];
  for (const part of raw.split('/')) {
    let seg: string;
    try {
      seg = part.includes('%') ? decodeURIComponent(part) : part;
    } catch {
      return null;
    }
    if (seg === '.' || seg === '..' || /[\\/\0]/.test(seg)) return null;
    if (seg !== '') out.push(seg);
  }
  return out.join('/');
}

/** Reads the build in `dir`: every regular file below it (no symlinks, no dot files), within the limits. */
function loadBuild(dir: string, limits: ConsoleLimits): Build {
  try {
    if (!statSync(join(dir, 'index.html')).isFile()) return { missing: NOT_BUILT, retry: true };
  } catch {
    return { missing: NOT_BUILT, retry: true };
  }
  const files = new Map<string, ConsoleFile>();
  let bytes = 0;
  const walk = (abs: string, rel: string, depth: number): string | null => {
    if (depth > 16) return `the console folder nests deeper than 16 levels`;
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        const why = walk(join(abs, e.name), childRel, depth + 1);
        if (why !== null) return why;
      } else if (e.isFile()) {
        const body = readFileSync(join(abs, e.name));
        bytes += body.length;
        if (files.size >= limits.maxFiles || bytes > limits.maxBytes) {
          return `the console folder holds more than ${limits.maxFiles} files or ${limits.maxBytes} bytes`;
        }
        const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
        const immutable = rel === ASSETS || rel.startsWith(`${ASSETS}/`);
        files.set(childRel, { body, type: TYPES[extname(e.name).toLowerCase()] ?? 'application/octet-stream', etag, cache: immutable ? IMMUTABLE : REVALIDATE });
      }
      // symlinks, sockets and the like are skipped: nothing outside the folder is ever served
    }
    return null;
  };
  try {
    const why = walk(dir, '', 0);
    if (why !== null) {
      process.stderr.write(`fengkong serve: not serving the console: ${why}\n`);
      return { missing: `the analyst console is not served: ${why}`, retry: false };
    }
  } catch (e) {
    return { missing: `the analyst console could not be read (${(e as NodeJS.ErrnoException).code ?? 'error'}); run \`npm run build:console\` again`, retry: true };
  }
  if (!files.has('index.html')) return { missing: NOT_BUILT, retry: true };
  return { files };
}
