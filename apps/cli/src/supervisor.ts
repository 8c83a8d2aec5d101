// The processes `massline up` runs, kept running: started in order, stopped in reverse order, and — once the
// system is up — a child that dies on its own is started again after a pause that doubles with each crash.
// A child that keeps crashing (CRASH_LIMIT exits within CRASH_WINDOW_MS) is given up, and everything stops.
import { ChildProcess } from 'child_process';
import { hasExited, stopProcess, waitForExit } from './embedded/process';

/** A child that exits this many times within CRASH_WINDOW_MS is not started again. */
export const CRASH_LIMIT = 5;
export const CRASH_WINDOW_MS = 120_000;
/** Pause before the n-th restart within the window: 1 s, 2 s, 4 s, 8 s, … at most 30 s. */
export const restartDelayMs = (crashesInWindow: number): number => Math.min(1000 * 2 ** Math.max(0, crashesInWindow - 1), 30_000);

export interface ChildSpec {
  /** `postgres`, `frontend`, `worker-1`, `api-2`, … */
  name: string;
  logFile: string;
  /** A string on the child's command line or in its environment that shows a pid is ours (see up.ts). */
  marker: string;
  /** Starts the child (again, after a crash); may wait until it serves. */
  start(): Promise<ChildProcess>;
  stopSignal?: NodeJS.Signals;
  stopGraceMs?: number;
}

export interface Supervised {
  spec: ChildSpec;
  process: ChildProcess;
  crashes: number[];
  restarting?: Promise<void>;
}

export interface SupervisorEvents {
  /** A line for the terminal. */
  say(line: string): void;
  /** The set of processes (or a pid) changed: e.g. rewrite the state file. */
  changed(): void;
  /** A child keeps crashing, or died while starting (`logFile`: its log, worth showing): the caller stops everything. */
  giveUp(reason: string, logFile?: string): void;
}

export class Supervisor {
  readonly children: Supervised[] = [];
  private supervising = false;
  private stopping = false;
  /** Pauses before restarts; Ctrl-C ends them at once. */
  private pauses = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  constructor(
    private readonly events: SupervisorEvents,
    private readonly now: () => number = Date.now,
  ) {}

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Read after an await: stopping may have begun meanwhile (a method, so the compiler does not keep an earlier answer). */
  private stopRequested(): boolean {
    return this.stopping;
  }

  /** Adds an already started child (its spec restarts it later). */
  adopt(spec: ChildSpec, process: ChildProcess): Supervised {
    if (this.stopping) {
      // Started while everything is being stopped (a start step still under way): stop it too.
      void stopProcess(process, spec.stopSignal ?? 'SIGTERM', spec.stopGraceMs ?? 15_000);
      throw new Error(`${spec.name} started while stopping`);
    }
    const child: Supervised = { spec, process, crashes: [] };
    this.children.push(child);
    this.watch(child);
    this.events.changed();
    return child;
  }

  /** Starts a child and adds it. */
  async start(spec: ChildSpec): Promise<Supervised> {
    return this.adopt(spec, await spec.start());
  }

  /** From now on, a child that exits on its own is started again (before, an exit fails the start). */
  superviseFromNow(): void {
    this.supervising = true;
  }

  private watch(child: Supervised): void {
    const proc = child.process;
    proc.once('exit', (code, signal) => {
      if (this.stopping || child.process !== proc) return;
      const how = signal ?? `code ${code}`;
      if (!this.supervising) {
        // Before everything is up, a death is a failed start, not a crash to ride out.
        this.events.giveUp(`${child.spec.name} exited during the start (${how}); its log: ${child.spec.logFile}`, child.spec.logFile);
        return;
      }
      this.restart(child, how);
    });
  }

  private restart(child: Supervised, how: string): void {
    const now = this.now();
    child.crashes = [...child.crashes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    const n = child.crashes.length;
    const { name, logFile } = child.spec;
    if (n >= CRASH_LIMIT) {
      this.events.say(`${name} exited (${how}), its ${n}th crash within ${CRASH_WINDOW_MS / 1000} s: giving up on it; its log: ${logFile}`);
      this.events.giveUp(`${name} keeps crashing (${n} times within ${CRASH_WINDOW_MS / 1000} s)`);
      return;
    }
    const delay = restartDelayMs(n);
    this.events.say(
      `${name} exited unexpectedly (${how}); restarting it in ${delay / 1000} s (crash ${n} of ${CRASH_LIMIT} allowed within ${CRASH_WINDOW_MS / 1000} s); its log: ${logFile}`,
    );
    child.restarting = (async () => {
      await new Promise<void>((resolve) => {
        const pause = {
          timer: setTimeout(() => {
            this.pauses.delete(pause);
            resolve();
          }, delay),
          resolve,
        };
        this.pauses.add(pause);
      });
      if (this.stopRequested()) return;
      try {
        const proc = await child.spec.start();
        if (this.stopRequested()) {
          await stopProcess(proc, child.spec.stopSignal ?? 'SIGTERM', child.spec.stopGraceMs ?? 15_000);
          return;
        }
        child.process = proc;
        this.watch(child);
        this.events.changed();
        this.events.say(`${name} restarted (pid ${proc.pid})`);
        // It may have died while starting: then that exit counts as its next crash.
        if (hasExited(proc)) this.restart(child, proc.signalCode ?? `code ${proc.exitCode}`);
      } catch (err) {
        this.events.say(`${name} could not be started again: ${(err as Error).message}`);
        if (!this.stopRequested()) this.restart(child, 'failed to start');
      }
    })().finally(() => (child.restarting = undefined));
  }

  /** Stops every child, newest first (a restart under way is finished and stopped too). */
  async stopAll(onStopped: (name: string) => void = () => undefined): Promise<void> {
    this.stopping = true;
    for (const pause of this.pauses) {
      clearTimeout(pause.timer);
      pause.resolve();
    }
    this.pauses.clear();
    for (const child of [...this.children].reverse()) {
      await child.restarting;
      if (hasExited(child.process)) continue;
      try {
        await stopProcess(child.process, child.spec.stopSignal ?? 'SIGTERM', child.spec.stopGraceMs ?? 15_000);
      } catch (err) {
        this.events.say(`could not stop ${child.spec.name}: ${(err as Error).message}`);
      }
      onStopped(child.spec.name);
    }
  }

  /** Kills every child at once (a second Ctrl-C). */
  killAll(): void {
    this.stopping = true;
    for (const child of this.children) if (!hasExited(child.process)) child.process.kill('SIGKILL');
  }

  async waitForAllExited(): Promise<void> {
    await Promise.all(this.children.flatMap((c) => (c.restarting ? [c.restarting] : [])));
    await Promise.all(this.children.map((c) => waitForExit(c.process)));
  }
}
