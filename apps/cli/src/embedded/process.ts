// Small process helpers shared by the embedded services, `massline up` and the test harness.
import { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A port free to listen on, from 20000–32767: below Linux's ephemeral range (32768–60999), which the kernel hands
 * to outgoing connections, so that none of them takes the port between this answer and the listen that follows.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    if (await canListen(port, host)) return port;
  }
  return listenAndRelease(0, host); // a crowded range: any port the kernel gives
}

function canListen(port: number, host: string): Promise<boolean> {
  return listenAndRelease(port, host).then(
    () => true,
    () => false,
  );
}

function listenAndRelease(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(port, host, () => {
      const { port: bound } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(bound));
    });
  });
}

/** True when something accepts TCP connections on host:port. */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves when the child has exited (at once if it already has). */
export function waitForExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (hasExited(child)) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Sends `signal`, then SIGKILL if the child is still there after `graceMs`. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
  if (hasExited(child)) return;
  const exited = waitForExit(child);
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs))),
  ]);
  if (timer) clearTimeout(timer);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Last `bytes` of a log file, for error messages. */
export function tailOfFile(file: string, bytes = 4000): string {
  try {
    const stat = fs.statSync(file);
    const fd = fs.openSync(file, 'r');
    try {
      const length = Math.min(bytes, stat.size);
      const buf = Buffer.alloc(length);
      fs.readSync(fd, buf, 0, length, stat.size - length);
      return buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

/**
 * Polls `probe` until it returns true; fails early when `child` exits and after `timeoutMs`.
 * `what` names the thing waited for in errors.
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  { timeoutMs, child, intervalMs = 100, logFile }: { timeoutMs: number; child?: ChildProcess; intervalMs?: number; logFile?: string },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && hasExited(child)) {
      const tail = logFile ? `\n--- ${logFile} (end) ---\n${tailOfFile(logFile)}` : '';
      throw new Error(`${what}: the process exited (code ${child.exitCode}, signal ${child.signalCode}) before it was ready${tail}`);
    }
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) {
      const tail = logFile ? `\n--- ${logFile} (end) ---\n${tailOfFile(logFile)}` : '';
      throw new Error(`${what}: not ready after ${Math.round(timeoutMs / 1000)} s${tail}`);
    }
    await sleep(intervalMs);
  }
}
