// `massline audit …`: the auditors' tools from a terminal. Talks to Temporal and PostgreSQL directly
// (configuration from the environment, as every massline process), never through the API.
import * as fs from 'fs';
import * as os from 'os';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig, type MasslineConfig } from '../../../../libs/config/src';
import {
  AuditStore,
  buildDossier,
  buildItemTimeline,
  buildUnitTimeline,
  bundleWorkflows,
  DossierNotFound,
  exportHistory,
  historyFromCliJson,
  reconcileCampaign,
  renderDossierHtml,
  replayHistories,
  replaySelection,
  toWorkflowId,
  type ReplayFailure,
  type ReplayProgress,
  type ReplaySelection,
  type TimelineEntry,
  textOf,
  type JsonHistory,
} from '../../../../libs/audit/src';
import { parseArgs, UsageError, type ParsedArgs } from './args';
import { ProgressBar } from './progress';
import { Connections, type AuditIo } from './connections';
import { resetCommand } from './reset';

export const AUDIT_HELP = `massline audit — auditors' and operators' tools (read only, except reset)

Usage:
  massline audit export <unitId|itemId|workflowId> [--run <runId>] [--out <file>]
      the workflow history in the engine's standard JSON (what \`temporal workflow show --output json\` prints)
  massline audit timeline <unitId|itemId> [--items] [--lang zh|en] [--json]
      who did what, when and why, from the history, with refused decisions from the audit log
  massline audit replay --campaign <campaignId> | --workflow <id> [--workflow <id>…]
                        | --closed-after <ISO time> [--closed-before <ISO time>] | --file <history.json>…
                        [--concurrency <n>] [--json]
      replays the histories against the current workflow code; names each diverging workflow and event
      (n replay workers side by side; default one per core, at most 4)
  massline audit reconcile <campaignId> [--json]
      checks the PostgreSQL read model against the workflows; lists every mismatch
  massline audit dossier <escalationId> [--html] [--out <file>]
      the referral dossier: the item's and unit's whole escalation trail
  massline audit reset <unitId|itemId|workflowId> --to <eventId|last-good> --dry-run [--json]
  massline audit reset <unitId|itemId|workflowId> --to <eventId|last-good> --confirm <code> --reason "…" [--by <name>] [--json]
      resets the workflow's latest run to a WorkflowTaskCompleted event (last-good: the one before the first
      task the current build cannot replay). The dry run prints what it discards and reapplies, and the code
      that confirms exactly that plan; the reset needs it (a run that moved since needs a new dry run), then
      records who (--by, else your user), what, when and why in the audit log.

Exit status: 0 all clear (a reset done, or found done already), 1 divergences or mismatches found (or not
found, or the engine refused a reset), 2 usage or configuration error (a reset point that is not valid).
Configuration: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, DATABASE_URL (see README.md).`;

type Io = AuditIo;

export async function runAudit(argv: string[], io: Io = { out: process.stdout, err: process.stderr, env: process.env }): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.out.write(`${AUDIT_HELP}\n`);
    return command ? 0 : 2;
  }
  const config = auditConfig(io);
  if (config === undefined) return 2;
  const connections = new Connections(config);
  try {
    const run = AUDIT_COMMANDS.get(command);
    if (!run) throw new UsageError(`unknown audit command "${command}"`);
    return await run(rest, connections, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err.write(`massline audit: ${e.message}\n\n${AUDIT_HELP}\n`);
      return 2;
    }
    if (e instanceof DossierNotFound) {
      io.err.write(`massline audit: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    await connections.close();
  }
}

/** The configuration from the environment, or undefined after saying what is wrong with it. */
function auditConfig(io: Io): MasslineConfig | undefined {
  try {
    return loadConfig(io.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err.write(`massline audit: ${e.message}\n`);
      return undefined;
    }
    throw e;
  }
}

type AuditCommand = (rest: string[], c: Connections, io: Io) => Promise<number>;

/** Each audit command with the options it takes. */
const AUDIT_COMMANDS = new Map<string, AuditCommand>([
  ['export', (rest, c, io) => exportCommand(parseArgs(rest, { values: ['run', 'out'], positionals: 1 }), c, io)],
  ['timeline', (rest, c, io) => timelineCommand(parseArgs(rest, { values: ['lang'], flags: ['items', 'json'], positionals: 1 }), c, io)],
  [
    'replay',
    (rest, c, io) =>
      replayCommand(
        parseArgs(rest, {
          values: ['campaign', 'closed-after', 'closed-before', 'concurrency'],
          lists: ['workflow', 'file'],
          flags: ['json'],
          positionals: 0,
        }),
        c,
        io,
      ),
  ],
  ['reconcile', (rest, c, io) => reconcileCommand(parseArgs(rest, { flags: ['json'], positionals: 1 }), c, io)],
  ['dossier', (rest, c, io) => dossierCommand(parseArgs(rest, { values: ['out'], flags: ['html'], positionals: 1 }), c, io)],
  [
    'reset',
    (rest, c, io) =>
      resetCommand(parseArgs(rest, { values: ['to', 'reason', 'by', 'confirm'], flags: ['dry-run', 'json'], positionals: 1 }), c, io),
  ],
]);

// ---------- export ----------

async function exportCommand(args: ParsedArgs, c: Connections, io: Io): Promise<number> {
  const workflowId = toWorkflowId(args.positionals[0]);
  const json = await exportHistory(await c.client(), workflowId, args.values.run);
  if (json === undefined) {
    io.err.write(`massline audit: no workflow ${workflowId}${args.values.run ? ` run ${args.values.run}` : ''}\n`);
    return 1;
  }
  if (args.values.out) {
    fs.writeFileSync(args.values.out, json);
    io.err.write(`${workflowId}: ${(JSON.parse(json) as JsonHistory).events.length} events written to ${args.values.out}\n`);
  } else {
    io.out.write(json);
  }
  return 0;
}

// ---------- timeline ----------

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

function detailLine(e: TimelineEntry): string {
  const skip = new Set(['updateId', 'auditLogId', 'route']);
  const parts = Object.entries(e.detail)
    .filter(([k, v]) => !skip.has(k) && v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const text = parts.join(' ');
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

async function timelineCommand(args: ParsedArgs, c: Connections, io: Io): Promise<number> {
  const id = args.positionals[0];
  const lang = args.values.lang ?? 'zh';
  if (lang !== 'zh' && lang !== 'en') throw new UsageError('--lang must be zh or en');
  const client = await c.client();
  let store: Pick<AuditStore, 'refusals' | 'texts'>;
  try {
    store = await c.store();
  } catch (e) {
    io.err.write(`massline audit: refused decisions and stored texts not shown — the database is unreachable: ${(e as Error).message}\n`);
    store = { refusals: () => Promise.resolve([]), texts: () => Promise.resolve(new Map<string, string>()) };
  }
  const result =
    id.includes('.item-') || id.startsWith('massline-item-')
      ? await buildItemTimeline({ client, store, itemId: id.replace(/^massline-item-/, '') })
      : await buildUnitTimeline({ client, store, unitId: id.replace(/^massline-unit-/, ''), includeItems: args.flags.items });
  if (args.flags.json) {
    io.out.write(`${JSON.stringify(result.entries, null, 2)}\n`);
    return result.started || result.entries.length ? 0 : 1;
  }
  if (!result.started && !result.entries.length) {
    io.err.write(`massline audit: no workflow ${result.workflowId} and nothing in the audit log\n`);
    return 1;
  }
  io.out.write(`${result.workflowId}${result.started ? '' : ' (not started)'}\n`);
  for (const e of result.entries) {
    const label = lang === 'zh' ? e.label.zh : e.label.en;
    const who = `${e.actor} (${e.role})`;
    const mark = e.outcome === 'refused' ? '✗ ' : '';
    io.out.write(`${e.at}  ${pad(mark + label, 24)}  ${pad(who, 30)}${e.itemId ? `  [${e.itemId}]` : ''}\n`);
    if (e.comment) io.out.write(`    ${lang === 'zh' ? '理由' : 'why'}: ${textOf(e.comment) ?? JSON.stringify(e.comment)}\n`);
    if (e.rule) io.out.write(`    rule: ${e.rule}\n`);
    const d = detailLine(e);
    if (d) io.out.write(`    ${d}\n`);
  }
  return 0;
}

// ---------- replay ----------

/** The replay worker's own chatter (state changes, the nondeterminism it reports to us) stays off the terminal. */
function quietReplayWorker(): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
  } catch {
    // A runtime exists already (the command runs inside another massline process): keep its logger.
  }
}

function failureLine(f: ReplayFailure): string {
  return `  ✗ ${f.workflowId}${f.runId ? ` (run ${f.runId})` : ''}: ${f.error}`;
}

async function replayCommand(args: ParsedArgs, c: Connections, io: Io): Promise<number> {
  const { files, selection, concurrency } = replayRequest(args);
  quietReplayWorker();
  const bar = new ProgressBar(io.err, 'replay');
  const started = Date.now();
  const onProgress = (p: ReplayProgress) => bar.update(p.replayed, p.total, p.failures.length ? `${p.failures.length} diverged` : '');
  const progress = files.length
    ? await replayFiles(files, concurrency, onProgress)
    : await replaySelection({ client: await c.client(), selection, concurrency, onProgress });
  bar.done();
  const seconds = (Date.now() - started) / 1000;
  if (args.flags.json) {
    io.out.write(
      `${JSON.stringify({ status: 'done', total: progress.total, replayed: progress.replayed, events: progress.events, seconds, failures: progress.failures }, null, 2)}\n`,
    );
  } else {
    io.out.write(
      `replayed ${progress.replayed} of ${progress.total} histories (${progress.events} events) in ${seconds.toFixed(1)} s: ${progress.failures.length ? `${progress.failures.length} diverged` : 'all follow from the current code'}\n`,
    );
    for (const f of progress.failures) io.out.write(`${failureLine(f)}\n`);
  }
  return progress.failures.length ? 1 : 0;
}

/** What to replay (files, or a selection of the engine's histories) and how many at once; a usage error otherwise. */
function replayRequest(args: ParsedArgs): { files: string[]; selection: ReplaySelection; concurrency: number } {
  const files = args.lists.file;
  const selection: ReplaySelection = {
    ...(args.values.campaign ? { campaignId: args.values.campaign } : {}),
    ...(args.lists.workflow.length ? { workflowIds: args.lists.workflow.map(toWorkflowId) } : {}),
    ...(args.values['closed-after'] ? { closedAfter: args.values['closed-after'] } : {}),
    ...(args.values['closed-before'] ? { closedBefore: args.values['closed-before'] } : {}),
  };
  for (const key of ['closedAfter', 'closedBefore'] as const) {
    const v = selection[key];
    if (v !== undefined && !Number.isFinite(Date.parse(v)))
      throw new UsageError(`--${key === 'closedAfter' ? 'closed-after' : 'closed-before'} must be an ISO time, got "${v}"`);
  }
  if (!files.length && !Object.keys(selection).length)
    throw new UsageError('replay needs --campaign, --workflow, --closed-after/--closed-before or --file');
  if (files.length && Object.keys(selection).length) throw new UsageError('--file replays files only; do not combine it with a selection');
  const concurrency = args.values.concurrency === undefined ? Math.min(4, Math.max(1, os.cpus().length)) : Number(args.values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new UsageError('--concurrency must be an integer from 1 to 64');
  return { files, selection, concurrency };
}

/** Replays exported history files against the current workflow code. */
async function replayFiles(files: string[], concurrency: number, onProgress: (p: ReplayProgress) => void): Promise<ReplayProgress> {
  const items = files.map((file) => {
    const text = fs.readFileSync(file, 'utf8');
    const parsed = JSON.parse(text) as { events?: Array<{ workflowExecutionStartedEventAttributes?: { workflowId?: unknown } }> } | null;
    // A file that is not a history is named by historyFromCliJson; its workflow id is read when it is there.
    const first = Array.isArray(parsed?.events) ? parsed.events[0]?.workflowExecutionStartedEventAttributes : undefined;
    return { workflowId: typeof first?.workflowId === 'string' ? first.workflowId : file, history: historyFromCliJson(parsed ?? text) };
  });
  const bundle = await bundleWorkflows();
  const live: ReplayProgress = { total: items.length, replayed: 0, failures: [], events: 0 };
  return replayHistories(items, {
    bundle,
    concurrency,
    onResult: (r) => {
      live.replayed++;
      if (r.failure) live.failures.push(r.failure);
      onProgress(live);
    },
  });
}

// ---------- reconcile ----------

async function reconcileCommand(args: ParsedArgs, c: Connections, io: Io): Promise<number> {
  const campaignId = args.positionals[0];
  const store = await c.store();
  if (!(await store.campaignExists(campaignId))) {
    io.err.write(`massline audit: campaign ${campaignId} not found\n`);
    return 1;
  }
  const bar = new ProgressBar(io.err, 'reconcile');
  const report = await reconcileCampaign({ client: await c.client(), store, campaignId, onProgress: (n, total) => bar.update(n, total) });
  bar.done();
  if (args.flags.json) {
    io.out.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    io.out.write(
      `checked ${report.checked} workflows of campaign ${campaignId}: ${report.mismatches.length ? `${report.mismatches.length} mismatches` : 'the read model matches the workflows'}\n`,
    );
    for (const m of report.mismatches) {
      io.out.write(
        `  ✗ ${m.unitId ? `unit ${m.unitId}` : `item ${m.itemId}`} ${m.field}: projection ${JSON.stringify(m.projection)} ≠ ${m.source} ${JSON.stringify(m.history)}\n`,
      );
    }
    for (const f of report.inFlight)
      io.out.write(`  … ${f.unitId ?? f.itemId}: projection v${f.projectionVersion} still catching up with v${f.workflowVersion}\n`);
  }
  return report.mismatches.length ? 1 : 0;
}

// ---------- dossier ----------

async function dossierCommand(args: ParsedArgs, c: Connections, io: Io): Promise<number> {
  const dossier = await buildDossier({ client: await c.client(), store: await c.store(), escalationId: args.positionals[0] });
  const text = args.flags.html ? renderDossierHtml(dossier) : `${JSON.stringify(dossier, null, 2)}\n`;
  if (args.values.out) {
    fs.writeFileSync(args.values.out, text);
    io.err.write(`dossier of escalation ${dossier.escalation.escalationId} written to ${args.values.out}\n`);
  } else {
    io.out.write(text);
  }
  return 0;
}
