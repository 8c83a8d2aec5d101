// The supervisor of `massline up`, with real processes: once supervising, a child that dies is started again
// after 1 s, 2 s, 4 s, 8 s; the 5th death within the window gives up (and up.ts then stops everything). Before
// supervising, a death is a failed start. Ctrl-C (stopAll) stops children newest first, a pending restart too.
import { spawn, type ChildProcess } from 'child_process';
import { hasExited, waitForExit } from '../../apps/cli/src/embedded/process';
import { CRASH_LIMIT, restartDelayMs, Supervisor, type ChildSpec } from '../../apps/cli/src/supervisor';
import { eventually } from '../support/eventually';

const node = (code: string): ChildProcess => spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
const spec = (name: string, start: () => ChildProcess): ChildSpec => ({
  name,
  logFile: `/dev/null/${name}.log`,
  marker: name,
  start: () => Promise.resolve(start()),
});

function recorder() {
  const lines: string[] = [];
  const gaveUp: string[] = [];
  let changes = 0;
  let onGiveUp: () => void = () => undefined;
  const gave = new Promise<void>((resolve) => (onGiveUp = resolve));
  return {
    lines,
    gaveUp,
    changes: () => changes,
    gave,
    events: {
      say: (line: string) => lines.push(line),
      changed: () => {
        changes++;
      },
      giveUp: (reason: string) => {
        gaveUp.push(reason);
        onGiveUp();
      },
    },
  };
}

describe('the supervisor of massline up', () => {
  it('doubles the pause between restarts: 1 s, 2 s, 4 s, 8 s', () => {
    expect([1, 2, 3, 4].map(restartDelayMs)).toEqual([1000, 2000, 4000, 8000]);
    expect(restartDelayMs(10)).toBe(30_000);
  });

  it('starts a child that was killed again, and stops the new one on stopAll', async () => {
    const r = recorder();
    const supervisor = new Supervisor(r.events);
    const child = await supervisor.start(spec('worker', () => node('setInterval(() => {}, 1000)')));
    supervisor.superviseFromNow();
    const first = child.process;
    first.kill('SIGKILL');
    await eventually(() => child.process !== first, 'the restart');
    expect(hasExited(first)).toBe(true);
    expect(hasExited(child.process)).toBe(false);
    expect(r.lines[0]).toMatch(/^worker exited unexpectedly \(SIGKILL\); restarting it in 1 s \(crash 1 of 5 allowed within 120 s\)/);
    await eventually(() => r.lines.length === 2, 'the restart to be said');
    expect(r.lines[1]).toBe(`worker restarted (pid ${child.process.pid})`);
    expect(r.gaveUp).toEqual([]);

    const stoppedNames: string[] = [];
    await supervisor.stopAll((name) => stoppedNames.push(name));
    expect(stoppedNames).toEqual(['worker']);
    expect((await waitForExit(child.process)).signal).toBe('SIGTERM');
  });

  it(`gives up on a child that dies ${CRASH_LIMIT} times within the window`, async () => {
    const r = recorder();
    const supervisor = new Supervisor(r.events);
    let starts = 0;
    // Lives until the supervisor watches it, then dies at once every time it is started again.
    await supervisor.start(
      spec('api', () => {
        starts++;
        return starts === 1 ? node('setTimeout(() => process.exit(3), 200)') : node('process.exit(3)');
      }),
    );
    supervisor.superviseFromNow();
    await r.gave;
    expect(starts).toBe(CRASH_LIMIT);
    expect(r.gaveUp).toEqual([`api keeps crashing (${CRASH_LIMIT} times within 120 s)`]);
    const pauses = r.lines.filter((l) => l.startsWith('api exited unexpectedly')).map((l) => /restarting it in (\d+) s/.exec(l)?.[1]);
    expect(pauses).toEqual(['1', '2', '4', '8']);
    expect(r.lines.at(-1)).toMatch(/^api exited \(code 3\), its 5th crash within 120 s: giving up on it/);
    await supervisor.stopAll();
  });

  it('before it supervises, a death is a failed start', async () => {
    const r = recorder();
    const supervisor = new Supervisor(r.events);
    await supervisor.start(spec('postgres', () => node('process.exit(1)')));
    await r.gave;
    expect(r.gaveUp).toEqual(['postgres exited during the start (code 1); its log: /dev/null/postgres.log']);
    expect(r.lines).toEqual([]);
  });

  it('stops children newest first, and a restart that is waiting does not happen', async () => {
    const r = recorder();
    const supervisor = new Supervisor(r.events);
    const names = ['postgres', 'temporal', 'worker', 'api'];
    for (const name of names) await supervisor.start(spec(name, () => node('setInterval(() => {}, 1000)')));
    supervisor.superviseFromNow();
    const worker = supervisor.children[2];
    const killed = worker.process;
    killed.kill('SIGKILL');
    await eventually(() => r.lines.length === 1, 'the crash to be seen');
    const stopped: string[] = [];
    await supervisor.stopAll((name) => stopped.push(name));
    expect(stopped).toEqual(['api', 'temporal', 'postgres']); // the worker was down, waiting for its restart
    expect(worker.process).toBe(killed);
    expect(r.lines).toHaveLength(1);
    for (const child of supervisor.children) expect(hasExited(child.process)).toBe(true);
  });
});
