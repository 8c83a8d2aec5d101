'use strict';
// External tools massline runs but does not ship: the Temporal CLI (dev server + Web UI) and the Java
// time-skipping test server. Both are prepared once per user in a cache folder and reused by every clone.
// Plain Node.js with no dependencies, so it works before `npm ci`.
//
// Each ensure* is cheap when the cache is ready (one stamp file read) and safe when several processes call
// it at once (a lock file in the cache folder; the second caller waits, then finds the stamp).

const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const net = require('net');
const { spawn, spawnSync } = require('child_process');

const TEMPORAL_CLI_VERSION = '1.5.1';
/** The Temporal server the CLI embeds; `temporal --version` names it, which identifies a v1.5.1 build. */
const TEMPORAL_SERVER_VERSION = '1.29.1';
const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
/** sha256 of the official release archives of the pinned CLI version. */
const TEMPORAL_CLI_RELEASE_SHA256 = {
  'linux-x64': 'ddc95e08b0b076efd4ea9733a3f488eb7d2be875f8834e616cd2a37358b4852d',
  'linux-arm64': 'bd1b0db9f18b051026de8bf6cc1505f2510f14bbb7a8b9a4a91fff46c77454f5',
  'darwin-x64': 'bbb73e2a31135abe50a1f1cdb35030c42961df618e8ce9c60ae89f201540c5d9',
  'darwin-arm64': 'cca01b7ea35ad56e2a328d9ae596bf716bd22313ef63c7a761c88354457c2415',
};
const TEST_SERVER_VERSION = '1.31.0';
const TEST_SERVER_MAIN = 'io.temporal.testserver.TestServer';
/**
 * The stock main binds with gRPC's default keepalive policy (client pings at most every 5 minutes), while the
 * TypeScript SDK's connections ping every 30 s: the server then drops them with "too many pings" in the middle
 * of tests. This main starts the same services on a server that accepts those pings. Compiled with javac when
 * there is one; the stock main is used otherwise.
 */
const TEST_SERVER_KEEPALIVE_MAIN = 'MasslineTestServer';
/** Its source, a file of its own; the class is named after the file. */
const TEST_SERVER_KEEPALIVE_SOURCE_FILE = path.join(__dirname, 'java', `${TEST_SERVER_KEEPALIVE_MAIN}.java`);
/**
 * Bumped when the way the test server is prepared changes. What a recipe generates (stamp, launcher, jar,
 * archive) carries its number, so clones on older recipes keep theirs in the same cache instead of redoing it.
 * (6: the main's source is read from its file, and its digest is in the stamp and the jar's name.)
 */
const TEST_SERVER_RECIPE = 6;
/** JVM flags for a fast start on small machines; the archive is only valid with the same flags. */
const TEST_SERVER_JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xshare:auto', '-Xlog:cds=off', '-Xlog:cds+dynamic=off'];

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

function log(msg) {
  process.stderr.write(`[massline] ${msg}\n`);
}

class MissingPrerequisiteError extends Error {
  constructor(message) {
    super(message);
    this.name = 'MissingPrerequisiteError';
  }
}

/** `${XDG_CACHE_HOME:-~/.cache}/massline` (MASSLINE_CACHE_DIR overrides it). */
function cacheDir() {
  if (process.env.MASSLINE_CACHE_DIR) return path.resolve(process.env.MASSLINE_CACHE_DIR);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'massline');
}

/** `.tools` in the project points at the cache folder, so the tools are easy to find (it is git-ignored). */
function linkToolsDir() {
  const link = path.join(PROJECT_ROOT, '.tools');
  try {
    const current = fs.readlinkSync(link);
    if (current === cacheDir()) return;
    return; // a user-made .tools: leave it alone
  } catch (e) {
    if (e.code === 'EINVAL') return; // a real folder
  }
  try {
    fs.symlinkSync(cacheDir(), link, 'dir');
  } catch {
    /* read-only checkout or a race with another process: the link is a convenience only */
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** Runs fn while holding `<cache>/<name>.lock`; waits for another holder, takes over a dead holder's lock. */
async function withLock(name, fn) {
  fs.mkdirSync(cacheDir(), { recursive: true });
  const lockPath = path.join(cacheDir(), `${name}.lock`);
  let announced = false;
  for (;;) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let holder = NaN;
      let ageMs = 0;
      try {
        holder = parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
        ageMs = Date.now() - fs.statSync(lockPath).mtimeMs;
      } catch {
        continue; // released meanwhile
      }
      const stale = Number.isInteger(holder) ? !pidAlive(holder) : ageMs > 10_000;
      if (stale) {
        fs.rmSync(lockPath, { force: true });
        continue;
      }
      if (!announced) {
        log(`waiting for another process (pid ${holder}) that is preparing ${name}…`);
        announced = true;
      }
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockPath, { force: true });
  }
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function writeJsonAtomic(file, value) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** First executable `name` on PATH, or undefined. */
function which(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Runs a long command, forwarding selected output lines and printing a heartbeat so nobody thinks it hangs. */
function runWithProgress(cmd, args, { label, env, cwd, showLine = () => false, heartbeatMs = 15_000 }) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(cmd, args, { env: env || process.env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const onData = (chunk) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-8000);
      for (const line of text.split('\n')) if (line.trim() && showLine(line)) log(`  ${line.trim()}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setInterval(() => log(`  … ${label}: ${Math.round((Date.now() - started) / 1000)} s`), heartbeatMs);
    child.on('error', (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearInterval(timer);
      if (code === 0) resolve({ seconds: (Date.now() - started) / 1000, output: tail });
      else reject(new Error(`${label} failed (${signal || `exit ${code}`}):\n${tail}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Temporal CLI

function temporalCliDir() {
  return path.join(cacheDir(), `temporal-cli-${TEMPORAL_CLI_VERSION}`);
}

function cliVersionLine(bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** A cached binary counts only with a stamp naming the pinned version (a go-installed build says 0.0.0-DEV). */
function cachedTemporalCli() {
  const bin = path.join(temporalCliDir(), 'temporal');
  if (!isExecutable(bin)) return undefined;
  const stampFile = path.join(temporalCliDir(), 'massline-stamp.json');
  const stamp = readJson(stampFile);
  if (stamp && stamp.version === TEMPORAL_CLI_VERSION) return bin;
  // A binary without a stamp (built by hand with the documented command): recognise it by its server version.
  const line = cliVersionLine(bin);
  if (line && line.includes(`Server ${TEMPORAL_SERVER_VERSION}`)) {
    writeJsonAtomic(stampFile, { version: TEMPORAL_CLI_VERSION, server: TEMPORAL_SERVER_VERSION, source: 'found', versionLine: line });
    return bin;
  }
  return undefined;
}

async function goInstallTemporalCli(go) {
  const dir = temporalCliDir();
  fs.mkdirSync(dir, { recursive: true });
  log(
    `building the Temporal CLI v${TEMPORAL_CLI_VERSION} with Go (${TEMPORAL_CLI_MODULE}); a first build takes a few minutes, later clones reuse it from ${dir}`,
  );
  const { seconds } = await runWithProgress(go, ['install', `${TEMPORAL_CLI_MODULE}@v${TEMPORAL_CLI_VERSION}`], {
    label: 'go install temporal',
    env: { ...process.env, GOBIN: dir, GOFLAGS: process.env.GOFLAGS || '-mod=mod' },
    showLine: (line) => /^go: (downloading|finding)/.test(line) && !/golang.org\/x|google.golang.org|gopkg.in/.test(line),
  });
  log(`built the Temporal CLI in ${Math.round(seconds)} s`);
  return 'go install';
}

function releaseAssetName(platform, arch) {
  const os_ = { linux: 'linux', darwin: 'darwin' }[platform];
  const arch_ = { x64: 'amd64', arm64: 'arm64' }[arch];
  return os_ && arch_ ? `temporal_cli_${TEMPORAL_CLI_VERSION}_${os_}_${arch_}.tar.gz` : undefined;
}

function httpsGet(url, redirects = 5) {
  const https = require('https');
  return new Promise((resolve, reject) => {
    const req = https.get(url, { timeout: 15_000, headers: { 'user-agent': 'massline-tools' } }, (res) => {
      if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location && redirects > 0) {
        res.resume();
        resolve(httpsGet(new URL(res.headers.location, url).toString(), redirects - 1));
        return;
      }
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
        return;
      }
      resolve(res);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timed out`)));
    req.on('error', reject);
  });
}

async function downloadTemporalCli() {
  const key = `${process.platform}-${process.arch}`;
  const asset = releaseAssetName(process.platform, process.arch);
  const expected = TEMPORAL_CLI_RELEASE_SHA256[key];
  if (!asset || !expected) throw new Error(`no pinned Temporal CLI release for ${key}`);
  const url = `https://github.com/temporalio/cli/releases/download/v${TEMPORAL_CLI_VERSION}/${asset}`;
  const dir = temporalCliDir();
  fs.mkdirSync(dir, { recursive: true });
  const archive = path.join(dir, `${asset}.${process.pid}.part`);
  log(`downloading ${url}`);
  const res = await httpsGet(url);
  const total = Number(res.headers['content-length']) || 0;
  const hash = crypto.createHash('sha256');
  const out = fs.createWriteStream(archive);
  let got = 0;
  let lastReport = 0;
  await new Promise((resolve, reject) => {
    res.on('data', (chunk) => {
      hash.update(chunk);
      got += chunk.length;
      if (Date.now() - lastReport > 3000) {
        lastReport = Date.now();
        log(`  … ${(got / 1e6).toFixed(1)} MB${total ? ` of ${(total / 1e6).toFixed(1)} MB` : ''}`);
      }
    });
    res.on('error', reject);
    out.on('error', reject);
    out.on('finish', resolve);
    res.pipe(out);
  });
  const actual = hash.digest('hex');
  if (actual !== expected) {
    fs.rmSync(archive, { force: true });
    throw new Error(`checksum mismatch for ${asset}: expected ${expected}, got ${actual}`);
  }
  const r = spawnSync('tar', ['-xzf', archive, '-C', dir, 'temporal'], { encoding: 'utf8' });
  fs.rmSync(archive, { force: true });
  if (r.status !== 0) throw new Error(`could not unpack ${asset}: ${r.stderr || r.error}`);
  log(`downloaded the Temporal CLI v${TEMPORAL_CLI_VERSION} (sha256 verified)`);
  return 'release download';
}

function internetReachable(host = 'github.com') {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: 443, timeout: 5000 });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.on('connect', () => done(true));
    socket.on('timeout', () => done(false));
    socket.on('error', () => done(false));
  });
}

/**
 * Path of a Temporal CLI: TEMPORAL_CLI, else `temporal` on PATH, else the per-user cache — built with Go if
 * needed, or downloaded (checksum verified) where Go is absent.
 */
async function ensureTemporalCli() {
  if (process.env.TEMPORAL_CLI) {
    const bin = path.resolve(process.env.TEMPORAL_CLI);
    if (!isExecutable(bin)) throw new MissingPrerequisiteError(`TEMPORAL_CLI=${process.env.TEMPORAL_CLI} is not an executable file`);
    return bin;
  }
  const onPath = which('temporal');
  if (onPath) return onPath;
  const cached = cachedTemporalCli();
  if (cached) return cached;

  return withLock(`temporal-cli-${TEMPORAL_CLI_VERSION}`, async () => {
    const again = cachedTemporalCli();
    if (again) return again;
    let source;
    const go = which('go');
    if (go) {
      source = await goInstallTemporalCli(go);
    } else if (await internetReachable()) {
      source = await downloadTemporalCli();
    } else {
      throw new MissingPrerequisiteError(
        `The Temporal CLI v${TEMPORAL_CLI_VERSION} is needed and cannot be prepared: Go is not installed and the release cannot be downloaded.\n` +
          `  Install Go 1.25 or later (https://go.dev/dl/) so it can be built with \`go install ${TEMPORAL_CLI_MODULE}@v${TEMPORAL_CLI_VERSION}\`,\n` +
          `  or put a \`temporal\` binary on PATH, or set TEMPORAL_CLI to one.`,
      );
    }
    const bin = path.join(temporalCliDir(), 'temporal');
    const line = cliVersionLine(bin);
    if (!line) throw new Error(`the Temporal CLI at ${bin} does not run`);
    writeJsonAtomic(path.join(temporalCliDir(), 'massline-stamp.json'), {
      version: TEMPORAL_CLI_VERSION,
      server: TEMPORAL_SERVER_VERSION,
      source,
      versionLine: line,
      preparedAt: new Date().toISOString(),
    });
    linkToolsDir();
    return bin;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Temporal server (cluster mode): the server, its SQL schema tool, the PostgreSQL schemas and the Web UI server

const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';
/** The Web UI server the CLI v1.5.1 embeds (same UI as the dev server's). */
const TEMPORAL_UI_SERVER_VERSION = '2.42.1';
const TEMPORAL_UI_SERVER_MODULE = 'github.com/temporalio/ui-server/v2';
/** Bumped when the way the server tools are prepared changes, so caches made the old way are redone. */
const TEMPORAL_SERVER_RECIPE = 1;

function temporalServerDir() {
  return path.join(cacheDir(), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
}

/** What the cluster mode runs, inside temporalServerDir(). */
function temporalServerLayout(dir = temporalServerDir()) {
  return {
    dir,
    server: path.join(dir, 'temporal-server'),
    sqlTool: path.join(dir, 'temporal-sql-tool'),
    /** Undefined in the stamp when the UI server did not build: the cluster then runs without a Web UI. */
    uiServer: path.join(dir, 'temporal-ui-server'),
    /** schema/postgresql/v12/{temporal,visibility}/versioned of the server module, copied out of Go's module cache. */
    schemaDir: path.join(dir, 'schema', 'postgresql', 'v12'),
  };
}

function cachedTemporalServer() {
  const layout = temporalServerLayout();
  const stamp = readJson(path.join(layout.dir, 'massline-stamp.json'));
  if (!stamp || stamp.version !== TEMPORAL_SERVER_VERSION || stamp.recipe !== TEMPORAL_SERVER_RECIPE) return undefined;
  if (!isExecutable(layout.server) || !isExecutable(layout.sqlTool)) return undefined;
  if (
    !fs.existsSync(path.join(layout.schemaDir, 'temporal', 'versioned')) ||
    !fs.existsSync(path.join(layout.schemaDir, 'visibility', 'versioned'))
  )
    return undefined;
  const ui = stamp.ui && isExecutable(layout.uiServer) ? layout.uiServer : undefined;
  return {
    version: TEMPORAL_SERVER_VERSION,
    server: layout.server,
    sqlTool: layout.sqlTool,
    uiServer: ui,
    schemaDir: layout.schemaDir,
    uiProblem: ui ? undefined : stamp.uiProblem,
  };
}

/** `go install pkg@version` into `dir`, renaming the binary Go names after the package folder. */
async function goInstallInto(go, dir, pkgs, label) {
  const work = fs.mkdtempSync(path.join(dir, 'gobin-'));
  try {
    const { seconds } = await runWithProgress(go, ['install', ...pkgs.map((p) => p.pkg)], {
      label,
      env: { ...process.env, GOBIN: work, GOFLAGS: process.env.GOFLAGS || '-mod=mod' },
      showLine: (line) => /^go: (downloading|finding)/.test(line) && /temporal/.test(line),
    });
    for (const p of pkgs) fs.renameSync(path.join(work, p.built), path.join(dir, p.as));
    return seconds;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The Temporal server v1.29.1 (the one the CLI embeds), its SQL schema tool, the PostgreSQL schemas and the
 * Temporal Web UI server, built with `go install` once per user into the cache. Resolves with their paths;
 * `uiServer` is undefined when the UI server could not be built (`uiProblem` says why).
 */
async function ensureTemporalServer() {
  const cached = cachedTemporalServer();
  if (cached) return cached;
  const go = which('go');
  if (!go) {
    throw new MissingPrerequisiteError(
      `The cluster mode runs the Temporal server v${TEMPORAL_SERVER_VERSION}, built once with Go: install Go 1.25 or later (https://go.dev/dl/).\n` +
        `  (It runs \`go install ${TEMPORAL_SERVER_MODULE}/cmd/server@v${TEMPORAL_SERVER_VERSION}\` and \`…/cmd/tools/sql\` into ${temporalServerDir()}.)`,
    );
  }
  // The CLI build compiles most of the same packages: wait for one that is under way rather than build beside it.
  await withLock(`temporal-cli-${TEMPORAL_CLI_VERSION}`, async () => undefined);
  return withLock(`temporal-server-${TEMPORAL_SERVER_VERSION}`, async () => {
    const again = cachedTemporalServer();
    if (again) return again;
    const layout = temporalServerLayout();
    fs.mkdirSync(layout.dir, { recursive: true });
    const v = `v${TEMPORAL_SERVER_VERSION}`;
    log(
      `building the Temporal server ${v} and its SQL tool with Go (${TEMPORAL_SERVER_MODULE}); a first build takes about 5 minutes, later clones reuse it from ${layout.dir}`,
    );
    const serverSeconds = await goInstallInto(
      go,
      layout.dir,
      [
        { pkg: `${TEMPORAL_SERVER_MODULE}/cmd/server@${v}`, built: 'server', as: 'temporal-server' },
        { pkg: `${TEMPORAL_SERVER_MODULE}/cmd/tools/sql@${v}`, built: 'sql', as: 'temporal-sql-tool' },
      ],
      'go install temporal server',
    );
    log(`built the Temporal server and SQL tool in ${Math.round(serverSeconds)} s`);

    // The schemas ship in the server module, which go install has just put into Go's module cache.
    const modDir = spawnSync(go, ['list', '-m', '-f', '{{.Dir}}', `${TEMPORAL_SERVER_MODULE}@${v}`], {
      encoding: 'utf8',
      cwd: layout.dir,
      env: { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'on' },
    });
    let source = modDir.status === 0 ? modDir.stdout.trim() : '';
    if (!source || !fs.existsSync(path.join(source, 'schema'))) {
      const gomodcache = spawnSync(go, ['env', 'GOMODCACHE'], { encoding: 'utf8' }).stdout.trim();
      source = path.join(gomodcache, `${TEMPORAL_SERVER_MODULE}@${v}`);
    }
    const schemaSource = path.join(source, 'schema', 'postgresql', 'v12');
    if (!fs.existsSync(path.join(schemaSource, 'temporal', 'versioned')))
      throw new Error(`the server module's schemas are not in ${schemaSource}`);
    fs.rmSync(layout.schemaDir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(layout.schemaDir), { recursive: true });
    fs.cpSync(schemaSource, layout.schemaDir, { recursive: true });
    for (const f of walk(layout.schemaDir)) fs.chmodSync(f, fs.statSync(f).isDirectory() ? 0o755 : 0o644); // the module cache is read-only

    // The Web UI server: a separate module that embeds the built UI (the same version the CLI's dev server shows).
    let ui = false;
    let uiProblem;
    try {
      const uiSeconds = await goInstallInto(
        go,
        layout.dir,
        [{ pkg: `${TEMPORAL_UI_SERVER_MODULE}/cmd/server@v${TEMPORAL_UI_SERVER_VERSION}`, built: 'server', as: 'temporal-ui-server' }],
        'go install temporal ui-server',
      );
      log(`built the Temporal Web UI server v${TEMPORAL_UI_SERVER_VERSION} in ${Math.round(uiSeconds)} s`);
      ui = true;
    } catch (e) {
      uiProblem = String(e.message).split('\n').slice(0, 6).join('\n');
      log(`the Temporal Web UI server did not build; the cluster will run without a Web UI:\n${uiProblem}`);
    }
    writeJsonAtomic(path.join(layout.dir, 'massline-stamp.json'), {
      version: TEMPORAL_SERVER_VERSION,
      recipe: TEMPORAL_SERVER_RECIPE,
      ui: ui ? TEMPORAL_UI_SERVER_VERSION : null,
      uiProblem,
      buildSeconds: Math.round(serverSeconds),
      preparedAt: new Date().toISOString(),
    });
    linkToolsDir();
    return cachedTemporalServer();
  });
}

function walk(dir) {
  const out = [dir];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(full));
    else out.push(full);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Java time-skipping test server

function testServerDir() {
  return path.join(cacheDir(), `temporal-test-server-${TEST_SERVER_VERSION}`);
}

/** The java that will run the server: JAVA_HOME's, else PATH's (resolved, since the CDS archive is per JVM). */
function findJava() {
  const fromHome = process.env.JAVA_HOME && path.join(process.env.JAVA_HOME, 'bin', 'java');
  const java = fromHome && isExecutable(fromHome) ? fromHome : which('java');
  return java ? fs.realpathSync(java) : undefined;
}

/** A file of the current recipe in the test server's folder (`name-r5.ext`). */
function recipeFile(name, ext = '') {
  return path.join(testServerDir(), `${name}-r${TEST_SERVER_RECIPE}${ext}`);
}

function testServerLauncher() {
  return recipeFile('temporal-test-server');
}

/** The keepalive main's source and its sha256: a change to the source makes the cached build stale. */
function keepaliveMainSource() {
  const text = fs.readFileSync(TEST_SERVER_KEEPALIVE_SOURCE_FILE, 'utf8');
  return { text, sha256: crypto.createHash('sha256').update(text).digest('hex') };
}

function cachedTestServer(java, mainSourceSha256) {
  const stamp = readJson(recipeFile('massline-stamp', '.json'));
  if (
    stamp &&
    stamp.version === TEST_SERVER_VERSION &&
    stamp.recipe === TEST_SERVER_RECIPE &&
    stamp.java === java &&
    stamp.mainSourceSha256 === mainSourceSha256 &&
    isExecutable(testServerLauncher())
  ) {
    return testServerLauncher();
  }
  return undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function portAnswers(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** Starts the launcher on a free port; resolves with the ms until it listens, and the child. */
async function launchAndWait(launcher, timeoutMs, extraEnv = {}) {
  const port = await freePort();
  const started = Date.now();
  const child = spawn(launcher, [String(port)], { stdio: 'ignore', env: { ...process.env, ...extraEnv } });
  let exited = false;
  child.on('exit', () => (exited = true));
  while (!(await portAnswers(port))) {
    if (exited) throw new Error('the test server exited before listening');
    if (Date.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`the test server did not listen within ${timeoutMs} ms`);
    }
    await sleep(20);
  }
  return { ms: Date.now() - started, child };
}

function stopAndWait(child, signal = 'SIGTERM') {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/**
 * Compiles the keepalive-tolerant main into `<dir>/massline-test-server-r<recipe>-<digest>.jar` (a jar, not a folder:
 * class-data sharing only archives classes from jars; named by the source's digest, so a rebuild never rewrites a
 * jar a running server holds open); returns the main class and classpath, or the stock main without a JDK.
 */
function compileKeepaliveMain(java, classpath, source) {
  const tool = (name) => {
    const beside = path.join(path.dirname(java), name);
    return isExecutable(beside) ? beside : which(name);
  };
  const javac = tool('javac');
  const jar = tool('jar');
  if (!javac || !jar) {
    log('  no javac/jar (a JRE only): using the stock test-server main (connections may be dropped with "too many pings")');
    return { main: TEST_SERVER_MAIN, classpath };
  }
  const dir = testServerDir();
  const work = fs.mkdtempSync(path.join(dir, 'build-'));
  try {
    const file = path.join(work, `${TEST_SERVER_KEEPALIVE_MAIN}.java`);
    fs.writeFileSync(file, source.text);
    const compiled = spawnSync(javac, ['-nowarn', '-d', path.join(work, 'classes'), '-cp', classpath, file], { encoding: 'utf8' });
    const jarFile = recipeFile('massline-test-server', `-${source.sha256.slice(0, 16)}.jar`);
    // Packed beside it and renamed into place, never rewritten under a server that has it open.
    const packing = path.join(work, 'main.jar');
    const packed = compiled.status === 0 && spawnSync(jar, ['cf', packing, '-C', path.join(work, 'classes'), '.'], { encoding: 'utf8' });
    if (!packed || packed.status !== 0) {
      log(`  could not build the test-server main, using the stock one:\n${compiled.stderr || (packed && packed.stderr)}`);
      return { main: TEST_SERVER_MAIN, classpath };
    }
    fs.renameSync(packing, jarFile);
    // Jars of earlier sources go (a server running from one keeps its open file).
    const prefix = `massline-test-server-r${TEST_SERVER_RECIPE}-`;
    for (const old of fs.readdirSync(dir)) {
      if (old.startsWith(prefix) && old.endsWith('.jar') && path.join(dir, old) !== jarFile)
        fs.rmSync(path.join(dir, old), { force: true });
    }
    return { main: TEST_SERVER_KEEPALIVE_MAIN, classpath: `${jarFile}:${classpath}` };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function writeLauncher(java, classpath, archive, main) {
  const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = [
    '#!/bin/sh',
    `# Temporal Java time-skipping test server ${TEST_SERVER_VERSION}, generated by massline scripts/lib/tools.js.`,
    '# Usage: temporal-test-server <port>. The class-data-sharing archive makes the JVM listen well within',
    '# the 5 s the TypeScript SDK waits for it; MASSLINE_TEST_SERVER_CDS_DUMP=<file> records a new archive.',
    `if [ -n "$MASSLINE_TEST_SERVER_CDS_DUMP" ]; then CDS="-XX:ArchiveClassesAtExit=$MASSLINE_TEST_SERVER_CDS_DUMP"; else CDS=${q(`-XX:SharedArchiveFile=${archive}`)}; fi`,
    `exec ${q(java)} "$CDS" ${TEST_SERVER_JVM_FLAGS.join(' ')} -cp ${q(classpath)} ${main} "$@"`,
    '',
  ].join('\n');
  const file = testServerLauncher();
  fs.writeFileSync(`${file}.tmp`, script, { mode: 0o755 });
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

/**
 * Path of a launcher script `temporal-test-server <port>` for io.temporal:temporal-test-server, its classpath
 * resolved from Maven Central into the cache, with a class-data-sharing archive recorded on first use.
 */
async function ensureTestServer() {
  const java = findJava();
  if (!java) {
    throw new MissingPrerequisiteError(
      'Java 17 or later is needed to run the Temporal time-skipping test server (io.temporal:temporal-test-server).\n' +
        '  Install a JDK (e.g. `apt-get install openjdk-17-jdk-headless`, or https://adoptium.net/) or set JAVA_HOME.',
    );
  }
  const source = keepaliveMainSource();
  const cached = cachedTestServer(java, source.sha256);
  if (cached) return cached;

  return withLock(`temporal-test-server-${TEST_SERVER_VERSION}`, async () => {
    const again = cachedTestServer(java, source.sha256);
    if (again) return again;
    const dir = testServerDir();
    fs.mkdirSync(dir, { recursive: true });
    const libDir = path.join(dir, 'lib');
    const classpathFile = path.join(dir, 'classpath.txt');
    const pom = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <!-- Resolves the Temporal time-skipping test server and its runtime classpath (generated by massline). -->
  <groupId>massline.tools</groupId>
  <artifactId>temporal-test-server-classpath</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEST_SERVER_VERSION}</version>
    </dependency>
    <!-- The server logs through SLF4J 1.7; without a binding it prints a warning into every test run. -->
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-nop</artifactId>
      <version>1.7.36</version>
    </dependency>
  </dependencies>
</project>
`;
    const pomFile = path.join(dir, 'pom.xml');
    // The classpath is reused while the pom that produced it is the same and its jars are there.
    const samePom = fs.existsSync(pomFile) && fs.readFileSync(pomFile, 'utf8') === pom;
    let classpath = samePom && fs.existsSync(classpathFile) ? fs.readFileSync(classpathFile, 'utf8').trim() : '';
    if (!classpath || !classpath.split(':').every((jar) => fs.existsSync(jar))) {
      const mvn = which('mvn');
      if (!mvn) {
        throw new MissingPrerequisiteError(
          `Maven is needed once, to fetch io.temporal:temporal-test-server:${TEST_SERVER_VERSION} and its classpath from Maven Central.\n` +
            '  Install it (e.g. `apt-get install maven`, or https://maven.apache.org/install.html).',
        );
      }
      fs.writeFileSync(pomFile, pom);
      log(`fetching io.temporal:temporal-test-server:${TEST_SERVER_VERSION} and its classpath with Maven into ${dir}`);
      fs.rmSync(libDir, { recursive: true, force: true });
      await runWithProgress(
        mvn,
        [
          '-B',
          '-ntp',
          '-f',
          path.join(dir, 'pom.xml'),
          'dependency:copy-dependencies',
          `-DoutputDirectory=${libDir}`,
          '-DincludeScope=runtime',
        ],
        { label: 'mvn dependency:copy-dependencies', showLine: (line) => /ERROR|BUILD/.test(line) },
      );
      const jars = fs
        .readdirSync(libDir)
        .filter((f) => f.endsWith('.jar'))
        .sort();
      if (!jars.some((j) => j.startsWith(`temporal-test-server-${TEST_SERVER_VERSION}`))) {
        throw new Error(`Maven did not produce temporal-test-server-${TEST_SERVER_VERSION}.jar in ${libDir}`);
      }
      classpath = jars.map((j) => path.join(libDir, j)).join(':');
      fs.writeFileSync(classpathFile, classpath + '\n');
      log(`  ${jars.length} jars`);
    }

    // Record which classes the server loads up to listening (ended with SIGTERM so the JVM writes the archive).
    const archive = recipeFile('test-server', '.jsa');
    const started = compileKeepaliveMain(java, classpath, source);
    const launcher = writeLauncher(java, started.classpath, archive, started.main);
    const recording = `${archive}.${process.pid}.tmp`;
    log('recording a class-data-sharing archive for a fast test-server start');
    const cold = await launchAndWait(launcher, 60_000, { MASSLINE_TEST_SERVER_CDS_DUMP: recording });
    await sleep(500);
    await stopAndWait(cold.child, 'SIGTERM');
    if (fs.existsSync(recording)) fs.renameSync(recording, archive);
    else log('  the JVM wrote no archive; the test server will start without one');
    const warm = await launchAndWait(launcher, 60_000);
    await stopAndWait(warm.child, 'SIGKILL');
    log(`  test server listens in ${warm.ms} ms (${cold.ms} ms without the archive)`);

    writeJsonAtomic(recipeFile('massline-stamp', '.json'), {
      version: TEST_SERVER_VERSION,
      recipe: TEST_SERVER_RECIPE,
      java,
      mainSourceSha256: source.sha256,
      listenMsWithoutArchive: cold.ms,
      listenMs: warm.ms,
      main: started.main,
      preparedAt: new Date().toISOString(),
    });
    linkToolsDir();
    return launcher;
  });
}

module.exports = {
  TEMPORAL_CLI_VERSION,
  TEMPORAL_SERVER_VERSION,
  TEST_SERVER_VERSION,
  MissingPrerequisiteError,
  PROJECT_ROOT,
  cacheDir,
  ensureTemporalCli,
  ensureTestServer,
  ensureTemporalServer,
  TEMPORAL_UI_SERVER_VERSION,
  withLock,
  which,
  log,
  runWithProgress,
  freePort,
};

if (require.main === module) {
  // `node scripts/lib/tools.js` prepares both tools and prints their paths; `--cluster` also the Temporal server's.
  (async () => {
    const cli = await ensureTemporalCli();
    const testServer = await ensureTestServer();
    process.stdout.write(`temporal cli: ${cli}\ntest server: ${testServer}\n`);
    if (process.argv.includes('--cluster')) {
      const server = await ensureTemporalServer();
      process.stdout.write(
        `temporal server: ${server.server}\nsql tool: ${server.sqlTool}\nweb ui server: ${server.uiServer || `none (${server.uiProblem})`}\n`,
      );
    }
    // The SDK gives the test server 5 s to listen; show how long it takes on this machine now.
    const { ms, child } = await launchAndWait(testServer, 5000);
    await stopAndWait(child, 'SIGKILL');
    process.stdout.write(`test server listens in ${ms} ms (the SDK allows 5000 ms)\n`);
  })().catch((e) => {
    log(e.message);
    process.exit(1);
  });
}
