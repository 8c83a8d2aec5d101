#!/usr/bin/env node
// `massline <command>`: the command-line entry point (bin/massline runs the compiled file).
import 'reflect-metadata';

const HELP = `massline — durable workflows for a mass-line education campaign

Usage: massline <command> [options]

Commands:
  up       start everything on this machine: Temporal (dev server), PostgreSQL (embedded), migrations,
           the workers and the APIs, restarted if they crash; Ctrl-C stops it (npm start runs this after
           building); --cluster runs Temporal's services apart on PostgreSQL (massline up --help)
  simulate rehearse a whole campaign in minutes on the time-skipping test server against a scratch database,
           units behaving as a seeded profile says; writes a JSON and an HTML report (massline simulate --help)
  audit    auditors' tools: timelines, history export, replay, reconciliation; an operator's reset of a
           stuck run, dry run first (massline audit help)
  help     this text

Configuration comes from environment variables (PORT, DATABASE_URL, TEMPORAL_ADDRESS, …): see README.md.`;

async function main(argv: string[]): Promise<number> {
  const command = argv.at(0);
  const rest = argv.slice(1);
  switch (command) {
    case 'up': {
      const { up } = await import('./up');
      return up(rest);
    }
    case 'simulate': {
      const { runSimulate } = await import('./simulate');
      return runSimulate(rest);
    }
    case 'audit': {
      let audit: { runAudit(argv: string[]): Promise<number> };
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- a build may leave the audit commands out: a missing module is a clear message, not a crash
        audit = require('./audit') as typeof audit;
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'MODULE_NOT_FOUND' && /['"]\.\/audit['"]/.test(err.message)) {
          process.stderr.write('massline audit: the audit commands are not part of this build\n');
          return 1;
        }
        throw e;
      }
      return await audit.runAudit(rest);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${HELP}\n`);
      return 0;
    default:
      process.stderr.write(`massline: unknown command "${command}"\n\n${HELP}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`massline: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
