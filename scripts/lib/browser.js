'use strict';
// The browser the console's tests drive: Debian's Chromium (Playwright's own browser download cannot be
// reached), and a CJK font so that the console's Chinese pages render as text, not boxes, in screenshots.
// Installed with apt when missing and possible (root, apt-get present); otherwise a message names them.
// Plain Node.js with no dependencies, so it works before `npm ci`.

const fs = require('fs');
const { spawnSync } = require('child_process');
const { MissingPrerequisiteError, log, which, withLock } = require('./tools');

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];
/**
 * Debian packages: the browser and Noto CJK (the serif and sans faces the console and its printed documents name;
 * Chinese text in screenshots renders in the same faces as on an office's machine).
 */
const APT_PACKAGES = { browser: 'chromium', font: 'fonts-noto-cjk' };

function findChromium() {
  if (process.env.CHROMIUM_PATH) return fs.existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : undefined;
  return CANDIDATES.find((p) => fs.existsSync(p)) || which('chromium') || which('chromium-browser');
}

/** Noto CJK SC is installed (another CJK font alone still draws Chinese, but not in the faces the console names). */
function hasCjkFont() {
  const r = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  return r.status === 0 && /Noto (Sans|Serif) CJK SC/.test(r.stdout);
}

function aptInstall(packages) {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!asRoot || !which('apt-get')) return false;
  log(`installing ${packages.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { stdio: 'inherit', env });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { stdio: 'inherit', env });
  }
  return r.status === 0;
}

/** Path of a Chromium for the browser tests (CHROMIUM_PATH overrides); installs it and a CJK font when it can. */
async function ensureChromium() {
  let chromium = findChromium();
  const missing = [];
  if (!chromium) missing.push(APT_PACKAGES.browser);
  if (!hasCjkFont()) missing.push(APT_PACKAGES.font);
  if (missing.length) {
    await withLock('apt', async () => aptInstall(missing));
    chromium = findChromium();
  }
  if (!chromium) {
    throw new MissingPrerequisiteError(
      "the console tests need Chromium: install Debian's `chromium` package (apt-get install chromium), or set CHROMIUM_PATH to a Chromium or Chrome binary",
    );
  }
  if (!hasCjkFont()) log(`no Chinese font found: screenshots show boxes for Chinese text (apt-get install ${APT_PACKAGES.font})`);
  return chromium;
}

module.exports = { ensureChromium, findChromium };

if (require.main === module) {
  ensureChromium().then(
    (p) => process.stdout.write(`${p}\n`),
    (e) => {
      log(e.message);
      process.exit(1);
    },
  );
}
