// The web console (apps/console, built by `npm run build` into dist/console) is served by the API itself at
// `/`: files as they are, gzipped once and kept in memory; every other GET that asks for a page gets the
// console's index.html, so that its own paths (/inbox, /units/…) survive a reload. /api, /docs, /health and
// /metrics are never touched.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { NextFunction, Request, Response } from 'express';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Paths that belong to the API, never to the console. */
const NOT_CONSOLE = /^\/(api|docs|docs-json|health|metrics)(\/|$|-)/;

/**
 * The console's headers: scripts only from here; styles inline too (Ant Design writes its styles at run time);
 * no framing; no referrer (a sign-in code never leaves in one anyway: it travels in the fragment).
 */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; " +
    "connect-src 'self'; frame-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

interface CachedFile {
  type: string;
  body: Buffer;
  gzip: Buffer | undefined;
  etag: string;
  immutable: boolean;
}

/** The project's root: the nearest folder upwards holding massline's package.json (from src/ or dist/ alike). */
export function projectRoot(from = __dirname): string {
  let dir = from;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const manifest: unknown = JSON.parse(readFileSync(pkg, 'utf8'));
        if (typeof manifest === 'object' && manifest !== null && 'name' in manifest && manifest.name === 'massline') return dir;
      } catch {
        /* not ours */
      }
    }
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

export const consoleDir = (): string => join(projectRoot(), 'dist', 'console');

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>massline</title></head>
<body><main><h1>massline</h1><p>The web console is not built. Run <code>npm run build</code> (or <code>npm start</code>, which builds it),
then reload. The API answers under <a href="/docs">/docs</a>.</p></main></body></html>`;

/** Reads the console's files from `dir`, each once (index.html each time: it may be rebuilt while the API runs). */
function consoleFiles(dir: string): (relative: string) => CachedFile | null {
  const cache = new Map<string, CachedFile | null>();
  return (relative) => {
    const cached = cache.get(relative);
    if (cached !== undefined) return cached;
    const file = normalize(join(dir, relative));
    let found: CachedFile | null = null;
    if (file.startsWith(dir + sep) && existsSync(file) && statSync(file).isFile()) {
      const body = readFileSync(file);
      const type = TYPES[extname(file)] ?? 'application/octet-stream';
      const compressible = /text|json|svg|manifest/.test(type) && body.length > 512;
      found = {
        type,
        body,
        gzip: compressible ? gzipSync(body, { level: 9 }) : undefined,
        etag: `"${statSync(file).mtimeMs.toString(36)}-${body.length.toString(36)}"`,
        // Vite names built assets by content hash: they never change under the same name.
        immutable: relative.startsWith('assets/'),
      };
    }
    // index.html may be rebuilt while the API runs (npm run build): re-read it each time it is asked for.
    if (relative !== 'index.html') cache.set(relative, found);
    return found;
  };
}

/** Answers a file (304 when the caller has it; gzipped when it may be); a page with the console's security headers. */
function sendFile(req: Request, res: Response, f: CachedFile, isPage: boolean): void {
  res.setHeader('Content-Type', f.type);
  res.setHeader('ETag', f.etag);
  res.setHeader('Cache-Control', f.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  res.setHeader('Vary', 'Accept-Encoding');
  if (isPage) for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
  else res.setHeader('X-Content-Type-Options', 'nosniff');
  if (req.header('if-none-match') === f.etag) {
    res.status(304).end();
    return;
  }
  const gzip = f.gzip && /\bgzip\b/.test(req.header('accept-encoding') ?? '') ? f.gzip : undefined;
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  const body = gzip ?? f.body;
  res.setHeader('Content-Length', String(body.length));
  res.status(200);
  if (req.method === 'HEAD') res.end();
  else res.end(body);
}

/** The console's path asked for, or undefined when the request is not the console's (or names no file). */
function consolePath(req: Request): string | undefined {
  if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_CONSOLE.test(req.path)) return undefined;
  try {
    const relative = decodeURIComponent(req.path).replace(/^\/+/, '');
    return relative.includes('\0') ? undefined : relative;
  } catch {
    return undefined;
  }
}

export function consoleStatic(dir: string = consoleDir()) {
  const load = consoleFiles(dir);
  return (req: Request, res: Response, next: NextFunction): void => {
    const relative = consolePath(req);
    if (relative === undefined) {
      next();
      return;
    }
    const file = relative && relative !== 'index.html' ? load(relative) : null;
    if (file) {
      sendFile(req, res, file, extname(relative) === '.html');
      return;
    }
    // A path of the console itself (no extension) gets the app; a missing asset is a plain 404.
    if (extname(relative) && relative !== 'index.html') {
      next();
      return;
    }
    const index = load('index.html');
    if (index) {
      sendFile(req, res, index, true);
      return;
    }
    res.status(503).setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Retry-After', '30');
    res.end(NOT_BUILT);
  };
}
