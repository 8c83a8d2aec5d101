// `massline audit reset <workflow> --to <eventId|last-good> (--dry-run | --confirm <code> --reason "…")`: an operator
// resets a stuck run, knowingly. The dry run prints what the reset would discard and reapply and the code that
// confirms that plan; with the code (and only while the run has not moved since) it resets
// (ResetWorkflowExecution, a request id derived from the run and the event) and records who, what, when and
// why in the audit log. The same command run again finds the reset done and resets nothing.
import * as os from 'os';
import {
  fetchJsonHistory,
  NONDETERMINISM_CAUSE,
  performReset,
  planReset,
  recordedTaskFailure,
  repeatedReset,
  ResetPointError,
  resetConfirmation,
  resetReason,
  toWorkflowId,
  type ResetPlan,
  type ResetPlanEntry,
  type ResetTarget,
  type StuckRunDiagnosis,
} from '../../../../libs/audit/src';
import { unitIdOfItem } from '../../../../libs/domain/src';
import { UsageError, type ParsedArgs } from './args';
import type { AuditConnections, AuditIo } from './connections';

/** Lines of each list the text output shows (--json shows every one). */
const LINES_SHOWN = 50;

export function parseTarget(raw: string | undefined): ResetTarget {
  if (raw === undefined) throw new UsageError('reset needs --to <eventId|last-good>');
  if (raw === 'last-good') return raw;
  if (!/^[1-9]\d{0,9}$/.test(raw))
    throw new UsageError(`--to must be an event id (a WorkflowTaskCompleted event) or last-good, got "${raw}"`);
  return Number(raw);
}

/** Who resets: --by, else the user running the command. */
function operator(args: ParsedArgs, env: Record<string, string | undefined>): string {
  const by =
    args.values.by?.trim() ||
    (() => {
      try {
        return os.userInfo().username;
      } catch {
        return env.USER ?? env.LOGNAME ?? '';
      }
    })();
  if (!by) throw new UsageError('say who resets with --by <name> (the operating system names no user)');
  return by;
}

const subjectOf = (workflowId: string): { unitId?: string; itemId?: string } => {
  if (workflowId.startsWith('massline-unit-')) return { unitId: workflowId.slice('massline-unit-'.length) };
  if (workflowId.startsWith('massline-item-')) {
    const itemId = workflowId.slice('massline-item-'.length);
    const unitId = unitIdOfItem(itemId);
    return { itemId, ...(unitId ? { unitId } : {}) };
  }
  return {};
};

function listLines(title: string, entries: ResetPlanEntry[]): string[] {
  const lines = [`${title} (${entries.length}):`];
  if (!entries.length) lines.push('  nothing');
  const width = Math.max(...entries.slice(0, LINES_SHOWN).map((e) => e.kind.length), 0);
  for (const e of entries.slice(0, LINES_SHOWN)) lines.push(`  event ${String(e.eventId).padEnd(6)} ${e.kind.padEnd(width)}  ${e.what}`);
  if (entries.length > LINES_SHOWN) lines.push(`  … and ${entries.length - LINES_SHOWN} more (--json lists every one)`);
  return lines;
}

export function planText(plan: ResetPlan): string {
  const d = plan.diagnosis;
  const lines = [`${plan.workflowId} run ${plan.runId} (${plan.status}, ${plan.historyLength} events)`];
  if (d) {
    const where =
      d.failedEventId !== undefined ? ` at event ${d.failedEventId}` : d.source === 'replay' ? ' (a replay with the current build)' : '';
    lines.push(`its workflow task fails: ${d.cause}${where}: ${d.message.length > 300 ? `${d.message.slice(0, 297)}...` : d.message}`);
  }
  lines.push(
    `reset to event ${plan.resetEventId}${plan.to === 'last-good' ? ' (last-good: before the first task the current build cannot replay)' : ''}: ` +
      `the workflow task completed there runs again with the current code; events ${plan.resetEventId}–${plan.historyLength} are discarded`,
    '',
    ...listLines('discards', plan.discard),
    '',
    ...listLines('reapplies (signals and Updates accepted after the point, given to the new run again)', plan.reapply),
  );
  return lines.join('\n');
}

/** The diagnosis the run's history records, else the detector's (it may have replayed the run with the worker's build). */
async function diagnosisOf(
  history: Parameters<typeof recordedTaskFailure>[0],
  runId: string,
  c: AuditConnections,
): Promise<StuckRunDiagnosis | undefined> {
  const recorded = recordedTaskFailure(history);
  if (recorded?.cause === NONDETERMINISM_CAUSE) return recorded;
  const row = await (await c.store()).stuckRuns.get(runId).catch(() => undefined);
  if (row && !row.clearedAt && row.cause === NONDETERMINISM_CAUSE) {
    return {
      cause: row.cause,
      message: row.message,
      source: row.source,
      ...(row.divergingEventId !== undefined ? { divergingEventId: row.divergingEventId } : {}),
      ...(row.lastGoodEventId !== undefined ? { lastGoodEventId: row.lastGoodEventId } : {}),
    };
  }
  return recorded;
}

export async function resetCommand(args: ParsedArgs, c: AuditConnections, io: AuditIo): Promise<number> {
  const req = resetRequest(args, io);
  const client = await c.client();
  const runId = await latestRunId(client, req.workflowId, io);
  if (runId === undefined) return 1;
  const history = await fetchJsonHistory(client, req.workflowId, runId.runId);
  if (!history) {
    io.err.write(`massline audit: no history for ${req.workflowId} run ${runId.runId}\n`);
    return 1;
  }
  const store = await c.store();

  // The same command again: the latest run is the one this very reset made.
  const repeat = await repeatedReset(client, req.workflowId, runId.runId, history, req.to);
  if (repeat) return answerRepeat(req, repeat, store, io);

  let plan: ResetPlan;
  try {
    const diagnosis = await diagnosisOf(history, runId.runId, c);
    plan = planReset({ workflowId: req.workflowId, runId: runId.runId, status: runId.status, history, to: req.to, diagnosis });
  } catch (error) {
    if (error instanceof ResetPointError) {
      io.err.write(`massline audit: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const confirmation = resetConfirmation(plan);
  if (req.dryRun) return answerDryRun(plan, confirmation, req.json, io);
  const refused = refusedConfirmation(req, plan, confirmation, io);
  if (refused !== undefined) return refused;
  return resetAndRecord(req, plan, { client, namespace: c.namespace, store }, io);
}

/** What the operator asked for, checked before anything is read. */
interface ResetRequest {
  workflowId: string;
  to: ResetTarget;
  dryRun: boolean;
  reason: string;
  confirm: string | undefined;
  by: string;
  json: boolean;
}

function resetRequest(args: ParsedArgs, io: AuditIo): ResetRequest {
  const workflowId = toWorkflowId(args.positionals[0]);
  const to = parseTarget(args.values.to);
  const dryRun = args.flags['dry-run'];
  const reason = args.values.reason?.trim() ?? '';
  if (!dryRun && !reason) throw new UsageError('a reset needs --reason "…": why, for the audit log and the run\'s history');
  const confirm = args.values.confirm?.trim();
  if (dryRun && confirm !== undefined) throw new UsageError('--confirm is for the reset itself, after the dry run');
  return { workflowId, to, dryRun, reason, confirm, by: operator(args, io.env), json: args.flags.json };
}

type Client = Awaited<ReturnType<AuditConnections['client']>>;
type Store = Awaited<ReturnType<AuditConnections['store']>>;

/** The workflow's latest run and its status, or undefined (said) when there is no such workflow. */
async function latestRunId(client: Client, workflowId: string, io: AuditIo): Promise<{ runId: string; status: string } | undefined> {
  try {
    const description = await client.workflow.getHandle(workflowId).describe();
    return { runId: description.runId, status: description.status.name };
  } catch (error) {
    if ((error as { name?: string }).name === 'WorkflowNotFoundError' || (error as { code?: number }).code === 5) {
      io.err.write(`massline audit: no workflow ${workflowId}\n`);
      return undefined;
    }
    throw error;
  }
}

/** The reset was done already: says so, and records it if the audit log missed it. */
async function answerRepeat(
  req: ResetRequest,
  repeat: NonNullable<Awaited<ReturnType<typeof repeatedReset>>>,
  store: Store,
  io: AuditIo,
): Promise<number> {
  const { workflowId } = req;
  const recorded = await store.resets.byRequestId(repeat.plan.requestId);
  let recordedNow = false;
  if (!recorded && !req.dryRun) {
    recordedNow = await store.resets.record({
      by: req.by,
      workflowId,
      ...subjectOf(workflowId),
      runId: repeat.plan.runId,
      newRunId: repeat.newRunId,
      eventId: repeat.plan.resetEventId,
      reason: req.reason || '(recorded when the reset command was repeated)',
      requestId: repeat.plan.requestId,
      detail: { to: req.to, recordedOnRepeat: true },
    });
  }
  const said =
    `${workflowId}: already reset — run ${repeat.plan.runId} was reset to event ${repeat.plan.resetEventId} into run ${repeat.newRunId}` +
    (recorded ? ` by ${recorded.by} at ${recorded.at} (${recorded.reason})` : recordedNow ? '; recorded in the audit log now' : '') +
    '. Nothing was reset now.';
  if (req.json)
    io.out.write(
      `${JSON.stringify({ status: 'already-reset', workflowId, runId: repeat.plan.runId, newRunId: repeat.newRunId, eventId: repeat.plan.resetEventId, recorded: recorded ?? null, recordedNow }, null, 2)}\n`,
    );
  else io.out.write(`${said}\n`);
  return 0;
}

function answerDryRun(plan: ResetPlan, confirmation: string, json: boolean, io: AuditIo): number {
  if (json) io.out.write(`${JSON.stringify({ status: 'dry-run', plan, confirmation }, null, 2)}\n`);
  else {
    io.out.write(
      `${planText(plan)}\n\ndry run: nothing changed. To reset exactly this, run the same command with --confirm ${confirmation} --reason "…" ` +
        'instead of --dry-run: the run is reset and the reset recorded in the audit log.\n',
    );
  }
  return 0;
}

/** Only a plan the operator has seen: its dry run's code, while the run has not moved since. An exit code when refused. */
function refusedConfirmation(req: ResetRequest, plan: ResetPlan, confirmation: string, io: AuditIo): number | undefined {
  if (!req.confirm)
    throw new UsageError(
      `a reset needs --confirm <code>: run it with --dry-run first, read what it discards and reapplies, and confirm with the code it prints`,
    );
  if (req.confirm === confirmation) return undefined;
  io.err.write(
    `massline audit: --confirm ${req.confirm} does not confirm this plan (${req.workflowId} run ${plan.runId}, ${plan.historyLength} events, reset to event ${plan.resetEventId}): ` +
      'the run has moved since the dry run, or the dry run was of another reset point. Nothing was reset: run the dry run again.\n',
  );
  return 2;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Resets the run, then records who, what, when and why in the audit log. */
async function resetAndRecord(
  req: ResetRequest,
  plan: ResetPlan,
  c: { client: Client; namespace: string; store: Store },
  io: AuditIo,
): Promise<number> {
  const { workflowId, by, reason } = req;
  const { runId } = plan;
  let newRunId: string;
  try {
    newRunId = await performReset(c.client, c.namespace, plan, { by, reason });
  } catch (error) {
    io.err.write(
      `massline audit: the engine refused the reset of ${workflowId} run ${runId} to event ${plan.resetEventId}: ${messageOf(error)}\n`,
    );
    return 1;
  }
  let auditId: string | undefined;
  try {
    await c.store.resets.record({
      by,
      workflowId,
      ...subjectOf(workflowId),
      runId,
      newRunId,
      eventId: plan.resetEventId,
      reason,
      requestId: plan.requestId,
      detail: resetDetail(req, plan),
    });
    auditId = (await c.store.resets.byRequestId(plan.requestId))?.id;
  } catch (error) {
    io.err.write(
      `massline audit: ${workflowId} run ${runId} was reset into run ${newRunId}, but the audit log could not be written (${messageOf(error)}): ` +
        'run the same command again once the database answers — it resets nothing twice and records the reset\n',
    );
    return 1;
  }
  if (req.json) io.out.write(`${JSON.stringify({ status: 'reset', plan, newRunId, auditLogId: auditId, by }, null, 2)}\n`);
  else
    io.out.write(
      `${planText(plan)}\n\nreset: ${workflowId} run ${runId} → run ${newRunId}, by ${by}; recorded in the audit log${auditId ? ` (entry ${auditId})` : ''}.\n`,
    );
  return 0;
}

/** The audit log's detail of a reset: the point, the engine's reason, the failure it cured, what it discarded and reapplied. */
function resetDetail(req: ResetRequest, plan: ResetPlan): Record<string, unknown> {
  const count = (entries: ResetPlanEntry[]) =>
    entries.reduce<Record<string, number>>((acc, e) => ({ ...acc, [e.kind]: (acc[e.kind] ?? 0) + 1 }), {});
  return {
    to: req.to,
    engineReason: resetReason(req.by, req.reason),
    ...(plan.diagnosis
      ? {
          cause: plan.diagnosis.cause,
          failure: plan.diagnosis.message.slice(0, 2000),
          ...(plan.diagnosis.divergingEventId !== undefined ? { divergingEventId: plan.diagnosis.divergingEventId } : {}),
        }
      : {}),
    historyLength: plan.historyLength,
    discarded: count(plan.discard),
    reapplied: plan.reapply.slice(0, 200).map((e) => ({ eventId: e.eventId, kind: e.kind, what: e.what })),
  };
}
