// The replay progress bar: drawn in place on a terminal, silent in logs and pipes.
import { PassThrough } from 'node:stream';
import { ProgressBar } from '../../apps/cli/src/audit/progress';
import { parseArgs, UsageError } from '../../apps/cli/src/audit/args';

function stream(isTTY: boolean) {
  const s = Object.assign(new PassThrough(), { isTTY, columns: 100 });
  const chunks: string[] = [];
  s.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  return { s, text: () => chunks.join('') };
}

describe('ProgressBar', () => {
  it('redraws one line on a terminal and ends it', async () => {
    const { s, text } = stream(true);
    const bar = new ProgressBar(s, 'replay');
    bar.update(0, 4);
    bar.update(4, 4, '1 diverged');
    bar.done();
    await new Promise((r) => setImmediate(r));
    const out = text();
    expect(out.startsWith('\rreplay ')).toBe(true);
    expect(out).toContain('4/4 100%');
    expect(out).toContain('1 diverged');
    expect(out.endsWith('\n')).toBe(true);
    expect(out.split('\n')).toHaveLength(2);
  });

  it('writes nothing when the output is not a terminal', async () => {
    const { s, text } = stream(false);
    const bar = new ProgressBar(s, 'replay');
    bar.update(1, 2);
    bar.done();
    await new Promise((r) => setImmediate(r));
    expect(text()).toBe('');
  });
});

describe('parseArgs', () => {
  const spec = { values: ['campaign'], lists: ['workflow'], flags: ['json'], positionals: 0 };
  it('takes repeated and multi-valued lists, values and switches', () => {
    expect(parseArgs(['--workflow', 'a', 'b', '--json', '--workflow=c', '--campaign', 'x'], spec)).toEqual({
      values: { campaign: 'x' },
      lists: { workflow: ['a', 'b', 'c'] },
      flags: { json: true },
      positionals: [],
    });
  });
  it('refuses unknown options, missing values and stray arguments', () => {
    expect(() => parseArgs(['--colour'], spec)).toThrow(UsageError);
    expect(() => parseArgs(['--campaign'], spec)).toThrow('--campaign needs a value');
    expect(() => parseArgs(['--campaign', '--json'], spec)).toThrow('--campaign needs a value');
    expect(() => parseArgs(['x'], spec)).toThrow('unexpected argument x');
    expect(() => parseArgs([], { positionals: 1 })).toThrow('missing argument');
  });
});
