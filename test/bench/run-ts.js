#!/usr/bin/env node
'use strict';
// Runs a TypeScript bench of test/bench/ without a build: `node test/bench/run-ts.js replay` loads
// test/bench/replay.bench.ts through @swc/core (a dev dependency, configured by .swcrc) and calls its main().
const fs = require('fs');
const path = require('path');
const swc = require('@swc/core');

const root = path.resolve(__dirname, '..', '..');
const swcrc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
require.extensions['.ts'] = function compileTs(module, filename) {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), { ...swcrc, filename, swcrc: false, sourceMaps: 'inline' });
  module._compile(code, filename);
};

const name = process.argv[2];
if (!name) {
  process.stderr.write('usage: node test/bench/run-ts.js <name>   (runs test/bench/<name>.bench.ts)\n');
  process.exit(2);
}
const file = path.join(__dirname, `${name}.bench.ts`);
if (!fs.existsSync(file)) {
  process.stderr.write(`no bench ${file}\n`);
  process.exit(2);
}
Promise.resolve(require(file).main()).catch((e) => {
  process.stderr.write(`${(e && e.stack) || e}\n`);
  process.exit(1);
});
