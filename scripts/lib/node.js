'use strict';
// Other Node.js releases than the one running, for CI to run the tests on every supported release (README,
// "Versions"): the npm registry carries Node.js itself as `node-<platform>-<arch>` packages, fetched here with npm
// (the ordinary client, which checks the registry's integrity hash) into the per-user cache, once per release.
// Plain Node.js with no dependencies, like tools.js.
//
//   node scripts/lib/node.js 24                      prints the bin folder of Node.js 24
//   node scripts/lib/node.js 24 -- npm run test:unit runs a command with that Node.js first on PATH

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { cacheDir, withLock, log, MissingPrerequisiteError } = require('./tools');

/** The release of each supported major line that CI runs (bumped by hand, like every pinned tool). */
const NODE_RELEASES = { 22: '22.23.5', 24: '24.22.3' };

const packageName = () => `node-${process.platform}-${process.arch}`;

function nodeDir(version) {
  return path.join(cacheDir(), `node-${version}-${process.platform}-${process.arch}`);
}

function nodeVersionOf(bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The bin folder of Node.js `major` (22 or 24), fetched from the npm registry into the cache if missing. */
async function ensureNode(major) {
  const version = NODE_RELEASES[major];
  if (!version)
    throw new MissingPrerequisiteError(
      `no Node.js ${major} release is pinned (scripts/lib/node.js knows ${Object.keys(NODE_RELEASES).join(', ')})`,
    );
  if (process.versions.node === version) return path.dirname(process.execPath);
  const dir = nodeDir(version);
  const bin = path.join(dir, 'package', 'bin');
  const ready = () => nodeVersionOf(path.join(bin, 'node')) === `v${version}`;
  if (ready()) return bin;
  return withLock(`node-${version}`, async () => {
    if (ready()) return bin;
    const spec = `${packageName()}@${version}`;
    log(`fetching Node.js ${version} (${spec}) from the npm registry into ${dir}`);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'massline-node-'));
    try {
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      const packed = spawnSync(npm, ['pack', spec, '--pack-destination', tmp, '--json', '--ignore-scripts'], {
        encoding: 'utf8',
        cwd: tmp,
      });
      if (packed.status !== 0)
        throw new MissingPrerequisiteError(
          `npm pack ${spec} failed: ${(packed.stderr || packed.stdout).trim().split('\n').slice(-3).join(' ')}`,
        );
      const file = path.join(tmp, JSON.parse(packed.stdout)[0].filename);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      const untar = spawnSync('tar', ['-xzf', file, '-C', dir], { encoding: 'utf8' });
      if (untar.status !== 0) throw new Error(`could not unpack ${file}: ${untar.stderr}`);
      fs.chmodSync(path.join(bin, 'node'), 0o755);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    if (!ready()) throw new Error(`${path.join(bin, 'node')} does not run as Node.js ${version}`);
    log(`Node.js ${version} ready in ${dir}`);
    return bin;
  });
}

/** Runs `command` with Node.js `major` first on PATH; resolves to its exit code. */
async function runWithNode(major, command) {
  const bin = await ensureNode(major);
  const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` };
  log(`running \`${command.join(' ')}\` on Node.js ${nodeVersionOf(path.join(bin, 'node'))}`);
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { env, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    child.on('error', (err) => {
      log(`could not run ${command[0]}: ${err.message}`);
      resolve(1);
    });
  });
}

module.exports = { NODE_RELEASES, ensureNode, runWithNode };

if (require.main === module) {
  const [major, sep, ...command] = process.argv.slice(2);
  (async () => {
    if (!major || (sep !== undefined && sep !== '--')) {
      log('usage: node scripts/lib/node.js <22|24> [-- command …]');
      process.exit(2);
    }
    if (!command.length) {
      process.stdout.write(`${await ensureNode(Number(major))}\n`);
      return;
    }
    process.exit(await runWithNode(Number(major), command));
  })().catch((e) => {
    log(e.message);
    process.exit(1);
  });
}
