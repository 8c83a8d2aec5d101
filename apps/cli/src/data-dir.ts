// massline's data and log folders are private: the office token, the generated Temporal config (with the
// database password) and the logs are for the user who runs it. Folders are 0700 and files 0600 — except that,
// run as root, PostgreSQL runs as the `postgres` user inside the data folder: then the folders on its way are
// 0710 with group `postgres` (that user may pass through, nobody else may look).
import * as fs from 'fs';
import * as path from 'path';
import { postgresUser } from './embedded/postgres';

/** Creates `dir` or tightens an existing one; `postgresPassesThrough`: PostgreSQL's data lives below it. */
export function privateDir(dir: string, { postgresPassesThrough = false }: { postgresPassesThrough?: boolean } = {}): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const runAs = postgresPassesThrough ? postgresUser() : {};
  if (runAs.gid !== undefined) {
    fs.chownSync(dir, fs.statSync(dir).uid, runAs.gid);
    fs.chmodSync(dir, 0o710);
  } else {
    fs.chmodSync(dir, 0o700);
  }
}

/** The logs folder: 0700, and every file in it 0600 (logs written before this rule are tightened too). */
export function privateLogDir(dir: string): void {
  privateDir(dir);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isFile()) fs.chmodSync(file, 0o600);
  }
}

/** Opens `file` for appending, created 0600 (and tightened if it existed). */
export function openPrivateLog(file: string): number {
  const fd = fs.openSync(file, 'a', 0o600);
  fs.fchmodSync(fd, 0o600);
  return fd;
}
