// Simulations run one at a time, each in a process of its own (`massline simulate --input … --progress json`): a
// simulation keeps a worker, a Java test server and a scratch PostgreSQL busy for minutes, which must neither share
// the API's event loop nor die with a request. Progress goes to simulation_jobs as the child reports it; the report
// is stored when it is written. Each queued or running job is held by an advisory lock of the API that took it, so
// another API (or this one, restarted) marks a job failed only when its API is gone.
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'child_process';
import type { Readable } from 'stream';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { DataSource } from 'typeorm';
import type { SimulationInput } from '../../../../libs/simulation/src';
import type { JsonLogger } from '../common/logger';
import { SessionLocks, type SimulationsRepository } from '../../../../libs/persistence/src';

/** Progress is written at most this often (and always when the stage changes). */
const FLUSH_EVERY_MS = 500;
/** Lines of the child's error output kept to say why it failed. */
const STDERR_LINES = 20;

const lockKey = (id: string) => `massline-simulation:${id}`;

/** The compiled CLI, beside this file in dist/ or in the project's dist/ when this runs from source (tests). */
export function simulatorMain(): string {
  const compiled = path.resolve(__dirname, '..', '..', '..', 'cli', 'src', 'main.js');
  if (fs.existsSync(compiled)) return compiled;
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'dist', 'apps', 'cli', 'src', 'main.js');
    if (fs.existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('the simulator is not built: run npm run build (dist/apps/cli/src/main.js is missing)');
    dir = up;
  }
}

export class SimulationRunner {
  private readonly queue: Array<{ id: string; input: SimulationInput }> = [];
  private running?: Promise<void>;
  private child?: ChildProcess;
  private stopping = false;
  /** The locks of the jobs this API holds, on a connection of their own. */
  private readonly locks: SessionLocks;

  constructor(
    private readonly repository: SimulationsRepository,
    private readonly dataSource: DataSource,
    private readonly logger: JsonLogger,
    private readonly options: { main?: string; args?: string[] } = {},
  ) {
    this.locks = new SessionLocks(dataSource);
  }

  /** How many jobs this API holds (queued and running). */
  get held(): number {
    return this.queue.length + (this.child ? 1 : 0);
  }

  async enqueue(id: string, input: SimulationInput): Promise<void> {
    if (this.stopping) throw new Error('the API is stopping');
    await this.locks.lock(lockKey(id));
    this.queue.push({ id, input });
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Marks failed the queued or running jobs whose API is gone (no one holds their lock). */
  async failOrphans(): Promise<number> {
    const { items } = await this.repository.page(0, 500);
    let failed = 0;
    // Probed from a session of its own: this API's own locks are re-entrant in its session.
    const probe = new SessionLocks(this.dataSource);
    try {
      for (const job of items.filter((j) => j.status === 'queued' || j.status === 'running')) {
        if (!(await probe.tryLock(lockKey(job.id)))) continue;
        await this.repository.failed(job.id, 'interrupted: the API that ran it stopped before it finished');
        await probe.unlock(lockKey(job.id));
        failed++;
      }
    } finally {
      await probe.release();
    }
    return failed;
  }

  /** Stops the running simulation (its process) and fails what was queued. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.child?.kill('SIGTERM');
    await this.running;
    for (const job of this.queue.splice(0))
      await this.repository.failed(job.id, 'interrupted: the API stopped before the simulation ran').catch(() => undefined);
    await this.locks.release().catch(() => undefined);
  }

  private async drain(): Promise<void> {
    while (!this.stopping) {
      const job = this.queue.shift();
      if (!job) break;
      try {
        await this.run(job.id, job.input);
      } finally {
        await this.locks.unlock(lockKey(job.id)).catch(() => undefined);
        await this.repository.sweep().catch(() => undefined);
      }
    }
  }

  private async run(id: string, input: SimulationInput): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `massline-simulation-job-`));
    const started = Date.now();
    try {
      const inputFile = path.join(dir, 'input.json');
      fs.writeFileSync(inputFile, JSON.stringify(input));
      await this.repository.started(id);
      const child = this.spawnSimulator(inputFile, path.join(dir, 'out'));
      this.child = child;
      const output = new SimulatorOutput(child, (progress) => this.repository.progress(id, progress));
      // 'close', not 'exit': the child's last lines (its outcome, why it failed) are read by then.
      const code = await new Promise<number | null>((resolve) => child.on('close', (c, signal) => resolve(signal ? null : c)));
      this.child = undefined;
      await output.settled();
      if (code === 0 && output.written) {
        const report = fs.readFileSync(path.join(output.written.out, 'report.json'), 'utf8');
        await this.repository.done(id, report, output.written.stats);
        this.logger.event('info', 'simulation done', { jobId: id, units: input.units.length, ms: Date.now() - started });
        return;
      }
      const why = this.stopping ? 'interrupted: the API stopped while the simulation ran' : output.failure(code);
      await this.repository.failed(id, why);
      this.logger.event('warn', 'simulation failed', { jobId: id, error: why });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.logger.event('error', 'simulation failed', { jobId: id, error: message });
      await this.repository.failed(id, message).catch(() => undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /** `massline simulate` on the input, its progress as JSON lines on stdout, its report written under `out`. */
  private spawnSimulator(inputFile: string, out: string): ChildProcessByStdio<null, Readable, Readable> {
    const main = this.options.main ?? simulatorMain();
    return spawn(
      process.execPath,
      [main, 'simulate', '--input', inputFile, '--out', out, '--progress', 'json', ...(this.options.args ?? [])],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: process.env,
      },
    );
  }
}

/**
 * What a running simulator says: its progress (saved to the job at most every FLUSH_EVERY_MS, and at once when the
 * stage changes), where it wrote its report, and its last lines of error output.
 */
class SimulatorOutput {
  /** Where the report is and its run's figures, once the simulator has written it. */
  written: { out: string; stats: Record<string, unknown> } | undefined;
  private readonly stderr: string[] = [];
  private last: Record<string, unknown> = {};
  private lastFlush = 0;
  // Progress is written in order, and all of it before the job's outcome: a write landing after the outcome
  // would find the job no longer running and be lost (the last stage with it).
  private progressWritten: Promise<unknown> = Promise.resolve();

  constructor(
    child: ChildProcessByStdio<null, Readable, Readable>,
    private readonly save: (progress: Record<string, unknown>) => Promise<unknown>,
  ) {
    eachLine(child.stdout, (line) => {
      this.onProgressLine(line);
    });
    // The tools' own lines (e.g. fetching the test server with Maven the first time) say what is being prepared.
    eachLine(child.stderr, (line) => {
      this.onErrorLine(line);
    });
  }

  /** Every progress write made so far, landed (or failed: progress is best effort). */
  settled(): Promise<unknown> {
    return this.progressWritten;
  }

  /** Why the simulator failed: its last error lines without stack frames, or how it exited. */
  failure(code: number | null): string {
    return (
      this.stderr
        .map((l) => l.replace(/^massline( simulate)?: /, ''))
        .filter((l) => l.trim() && !/^\s+at /.test(l))
        .slice(-4)
        .join('\n') || `the simulator exited with ${code === null ? 'a signal' : `code ${code}`}`
    );
  }

  private onProgressLine(line: string): void {
    const p = progressLine(line);
    if (!p) return;
    if (p.stage === 'written')
      this.written = typeof p.out === 'string' ? { out: p.out, stats: isRecord(p.stats) ? p.stats : {} } : undefined;
    else if (p.stage === 'log') this.last = { ...this.last, note: p.note };
    else {
      const changed = p.stage !== this.last.stage;
      this.last = p;
      this.flush(changed);
    }
  }

  private onErrorLine(line: string): void {
    this.stderr.push(line);
    if (this.stderr.length > STDERR_LINES) this.stderr.shift();
    const tool = /^\[massline\] (.*)$/.exec(line);
    if (tool && this.last.stage !== 'running') {
      this.last = { ...this.last, stage: 'preparing', note: tool[1].trim() };
      this.flush(true);
    }
  }

  private flush(force = false): void {
    if (!force && Date.now() - this.lastFlush < FLUSH_EVERY_MS) return;
    this.lastFlush = Date.now();
    const progress = this.last;
    this.progressWritten = this.progressWritten.then(() => this.save(progress)).catch(() => undefined);
  }
}

/** Calls `onLine` with each complete line the stream carries. */
function eachLine(stream: Readable, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let at: number;
    while ((at = buffered.indexOf('\n')) >= 0) {
      onLine(buffered.slice(0, at));
      buffered = buffered.slice(at + 1);
    }
  });
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** One line of the simulator's `--progress json` output, parsed; a line that is not a JSON object is not progress. */
function progressLine(line: string): Record<string, unknown> | undefined {
  try {
    const p: unknown = JSON.parse(line);
    return isRecord(p) ? p : undefined;
  } catch {
    return undefined;
  }
}
