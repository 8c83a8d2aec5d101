// The README tells a new user the truth: its configuration table is CONFIG_KEYS, and the commands and files
// it names exist.
import * as fs from 'fs';
import * as path from 'path';
import { CONFIG_KEYS } from '../../libs/config/src';

const root = path.resolve(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

describe('README.md', () => {
  it('has the configuration table of CONFIG_KEYS, row for row', () => {
    const rows = readme
      .split('\n')
      .filter((line) => /^\| `[A-Z_]+` \|/.test(line))
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    expect(rows).toEqual(CONFIG_KEYS.map((k) => [`\`${k.key}\``, k.default, k.meaning]));
  });

  it('names the two commands, and they run the bootstrap scripts', () => {
    expect(readme).toContain('npm start');
    expect(readme).toContain('npm test');
    expect(pkg.scripts.start).toBe('node scripts/massline-start.js');
    expect(pkg.scripts.test).toBe('node scripts/massline-test.js');
    for (const file of [
      'scripts/massline-start.js',
      'scripts/massline-test.js',
      'scripts/lib/tools.js',
      'bin/massline',
      '.ci/run',
      'docker-compose.yml',
      'Dockerfile',
    ]) {
      expect(fs.existsSync(path.join(root, file))).toBe(true);
    }
  });

  it('has an architecture sketch', () => {
    expect(readme).toMatch(/```mermaid\n[\s\S]+?```/);
  });
});
