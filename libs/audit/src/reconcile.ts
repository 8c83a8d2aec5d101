// Reconciliation: the PostgreSQL read model (unit_states, item_states) checked against the workflows
// themselves — a running workflow answers a query, a closed one is read from its history (the view it returned,
// or the input of its last completed projection activity). Every difference is listed; none is repaired here.
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { itemWorkflowId, unitHeader, unitWorkflowId, type ItemView, type UnitHeader, type UnitView } from '../../domain/src';
import { itemStateQuery, PROJECTIONS_IN_TASK, unitStateQuery } from '../../contracts/src';
import { attributesOf, decodePayloads, type JsonHistory, type JsonPayloads } from './events';
import { fetchJsonHistory } from './history';
import type { AuditStore, ItemStateRow, UnitStateRow } from '../../persistence/src';

export interface Mismatch {
  unitId?: string;
  itemId?: string;
  workflowId: string;
  field: string;
  projection: unknown;
  history: unknown;
  source: MismatchSource;
}

/** Where a mismatch's workflow value came from (`documents`: a stored text checked against its digest). */
export const MISMATCH_SOURCES = ['query', 'history', 'engine', 'documents'] as const;
export type MismatchSource = (typeof MISMATCH_SOURCES)[number];

export interface ReconciliationReport {
  campaignId: string;
  checked: number;
  mismatches: Mismatch[];
  /** Rows behind the workflow only because a projection activity is still on its way (not a mismatch). */
  inFlight: Array<{ unitId?: string; itemId?: string; workflowId: string; projectionVersion: number; workflowVersion: number }>;
}

/** Whether a run writes its projections in its workflow tasks (local activities), whose input no history holds. */
export function projectsInTask(history: JsonHistory): boolean {
  return history.events.some((event) => {
    if (event.eventType !== 'EVENT_TYPE_MARKER_RECORDED') return false;
    const details = attributesOf(event).details as Record<string, JsonPayloads> | undefined;
    return (decodePayloads(details?.['patch-data'])[0] as { id?: string } | undefined)?.id === PROJECTIONS_IN_TASK;
  });
}

/**
 * What a history says was last projected: the view a run returned when it completed (it projects that view
 * before it returns), else the input of its last completed projection activity; and whether a projection may
 * still be on its way — an activity scheduled and not completed, or, for a run that projects in its workflow
 * tasks, a task scheduled and not completed.
 */
export function lastProjection(
  history: JsonHistory,
  activity: 'projectUnit' | 'projectItem',
): { view?: UnitHeader | ItemView; pending: boolean } {
  const scheduled = new Map<number, unknown>();
  let view: unknown;
  let lastScheduled = 0;
  let lastCompleted = 0;
  let taskOpen = false;
  let returned: unknown;
  for (const event of history.events) {
    const a = attributesOf(event);
    if (event.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED' && (a.activityType as { name?: string } | undefined)?.name === activity) {
      // A projection's input is { view, changes }: the view it wrote, and the entries that changed with it.
      scheduled.set(Number(event.eventId), (decodePayloads(a.input as JsonPayloads)[0] as { view?: unknown } | undefined)?.view);
      lastScheduled = Number(event.eventId);
    } else if (event.eventType === 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED' && scheduled.has(Number(a.scheduledEventId))) {
      const id = Number(a.scheduledEventId);
      const candidate = scheduled.get(id) as { version?: number } | undefined;
      // Projections only overwrite an older version: the row holds the highest version completed.
      if (!view || (candidate?.version ?? 0) >= ((view as { version?: number }).version ?? 0)) view = candidate;
      lastCompleted = Math.max(lastCompleted, id);
    } else if (event.eventType === 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED') {
      taskOpen = true;
    } else if (event.eventType === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED') {
      taskOpen = false;
    } else if (event.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED') {
      returned = decodePayloads(a.result as JsonPayloads | undefined)[0];
    }
  }
  const isView = (v: unknown): v is { version: number } =>
    !!v && typeof v === 'object' && typeof (v as { version?: unknown }).version === 'number';
  if (isView(returned) && (!view || returned.version >= ((view as { version?: number }).version ?? 0))) view = returned;
  const closed = history.events.some((e) =>
    /EVENT_TYPE_WORKFLOW_EXECUTION_(COMPLETED|FAILED|TERMINATED|CANCELED|TIMED_OUT|CONTINUED_AS_NEW)/.test(e.eventType),
  );
  const inTask = projectsInTask(history);
  // A run projecting in its tasks holds no projected view in its history until it returns one.
  if (inTask && !isView(returned)) view = undefined;
  return {
    view: view as UnitHeader | ItemView | undefined,
    pending: !closed && (lastScheduled > lastCompleted || (inTask && taskOpen)),
  };
}

const sameTime = (a: string | null | undefined, b: string | null | undefined) =>
  (a ?? null) === (b ?? null) || (!!a && !!b && Date.parse(a) === Date.parse(b));

const stable = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.keys(x)
            .sort()
            .map((k) => [k, (x as Record<string, unknown>)[k]]),
        )
      : x,
  );

/** The first path at which two JSON values differ (`taskBook.items[0].status`), or undefined. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (stable(a) === stable(b)) return undefined;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}.length`.replace(/^\./, '');
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
  }
  return path || '(root)';
}

const valueAt = (v: unknown, path: string): unknown =>
  path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean)
    .reduce<unknown>(
      (o, k) =>
        o && typeof o === 'object' ? (k === 'length' && Array.isArray(o) ? o.length : (o as Record<string, unknown>)[k]) : undefined,
      v,
    );

/** Differences between a unit's row and the workflow's view of it (column by column, then the stored header). */
export function compareUnit(
  row: UnitStateRow,
  full: UnitView | UnitHeader,
): Array<{ field: string; projection: unknown; history: unknown }> {
  const view = unitHeader(full);
  const out: Array<{ field: string; projection: unknown; history: unknown }> = [];
  const check = (field: string, projection: unknown, history: unknown, equal = stable(projection) === stable(history)) => {
    if (!equal) out.push({ field, projection, history });
  };
  check('phase', row.phase, view.phase);
  check('status', row.status, view.status);
  check('card', row.card, view.card);
  check('batch', row.batch, view.batch);
  check('groupId', row.groupId, view.groupId);
  check('code', row.code, view.code);
  check('campaignId', row.campaignId, view.campaignId);
  check('windowStartsAt', row.windowStartsAt, view.window?.startsAt ?? null, sameTime(row.windowStartsAt, view.window?.startsAt ?? null));
  check('windowEndsAt', row.windowEndsAt, view.window?.endsAt ?? null, sameTime(row.windowEndsAt, view.window?.endsAt ?? null));
  check('unmetGates', row.unmetGates, view.unmetGates);
  check('version', row.version, view.version);
  if (!out.length) {
    const path = firstDifference(row.view, view);
    if (path) out.push({ field: `view.${path}`, projection: valueAt(row.view, path), history: valueAt(view, path) });
  }
  return out;
}

export function compareItem(row: ItemStateRow, view: ItemView): Array<{ field: string; projection: unknown; history: unknown }> {
  const out: Array<{ field: string; projection: unknown; history: unknown }> = [];
  const check = (field: string, projection: unknown, history: unknown, equal = stable(projection) === stable(history)) => {
    if (!equal) out.push({ field, projection, history });
  };
  check('status', row.status, view.status);
  check('card', row.card, view.card);
  check('deadline', row.deadline, view.deadline, sameTime(row.deadline, view.deadline));
  check('measure', row.measure, view.measure.digest);
  check('owner', row.owner, view.owner);
  check('unitId', row.unitId, view.unitId);
  check('groupId', row.groupId, view.groupId);
  check('campaignId', row.campaignId, view.campaignId);
  check('version', row.version, view.version);
  if (!out.length) {
    const path = firstDifference(row.view, view);
    if (path) out.push({ field: `view.${path}`, projection: valueAt(row.view, path), history: valueAt(view, path) });
  }
  return out;
}

type Kind = 'unit' | 'item';

/** Queries a run that projects in its tasks gets before it is reported unanswered (its history holds no view). */
const QUERY_ATTEMPTS = 3;

interface WorkflowTruth {
  exists: boolean;
  running: boolean;
  view?: UnitView | UnitHeader | ItemView;
  source: 'query' | 'history';
  /** A running workflow no worker answered for, whose history does not hold its projected view. */
  unanswered?: boolean;
}

/** Entries the read model must hold for a view: one per thing the workflow counted. */
export function expectedEntries(kind: 'unit' | 'item', view: UnitView | UnitHeader | ItemView): Record<string, number> {
  if (kind === 'item') {
    const c = (view as ItemView).counts;
    return { progress: c.progress, extension: c.extensions, verification: c.verifications };
  }
  const v = view as UnitView | UnitHeader;
  const c = v.counts;
  const tb = v.taskBook;
  return {
    record: Object.values(c.records).reduce((n, k) => n + k, 0),
    opinion: c.opinions,
    problem: c.problems,
    meeting: c.meetings,
    transition: c.transitions,
    objection: tb?.objectionCounts.filed ?? 0,
    // A full view lists the items; a header (what a projection stores) counts them.
    'task-book-item': tb ? ('items' in tb ? tb.items.length : tb.itemCount) : 0,
  };
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ReconcileOptions {
  client: Client;
  store: AuditStore;
  campaignId: string;
  /** Workflows checked at once. */
  concurrency?: number;
  /** How long a running workflow may take to answer its query before its history is read instead. */
  queryTimeoutMs?: number;
  onProgress?: (checked: number, total: number) => void;
  /** Units per page (RECONCILE_PAGE_UNITS). */
  pageUnits?: number;
  /** Told of each page as its rows are read. */
  onPage?: (page: { units: number; unitRows: number; itemRows: number }) => void;
}

/** Units whose rows (and their items' rows and entry counts) a reconciliation holds in memory at once. */
export const RECONCILE_PAGE_UNITS = 500;

/**
 * Checks every unit and item row of a campaign (and every enrolled unit with a workflow) against its workflow, a
 * page of units at a time: what it holds grows with the page, not with the campaign.
 */
export async function reconcileCampaign(options: ReconcileOptions): Promise<ReconciliationReport> {
  const { store, campaignId } = options;
  const pageUnits = options.pageUnits ?? RECONCILE_PAGE_UNITS;
  const unitIds = await store.reconciledUnitIds(campaignId);
  const run = new Reconciliation(options, unitIds.length);
  for (let from = 0; from < unitIds.length; from += pageUnits) {
    const page = unitIds.slice(from, from + pageUnits);
    const [unitRows, itemRows] = await Promise.all([store.unitStates(campaignId, page), store.itemStates(campaignId, page)]);
    // Entries are compared only where a row is (an item known only from a task book has none to compare).
    const entryCounts = await store.entryCounts(campaignId, [...page, ...itemRows.map((r) => r.itemId)]);
    options.onPage?.({ units: page.length, unitRows: unitRows.length, itemRows: itemRows.length });
    await run.checkPage(page, { unitRows, itemRows, entryCounts });
  }
  const { report } = run;
  report.mismatches.push(...(await documentMismatches(store, campaignId)));
  const order = (m: Mismatch) => `${m.unitId ?? m.itemId ?? ''}\u0000${m.field}`;
  report.mismatches.sort((a, b) => order(a).localeCompare(order(b)));
  return report;
}

/** Every text the read model refers to must still be the one the history recorded (same sha256). */
async function documentMismatches(store: AuditStore, campaignId: string): Promise<Mismatch[]> {
  return (await store.documentProblems(campaignId)).map((d) => {
    const isItem = d.subjectId.includes('.item-');
    return {
      ...(isItem ? { itemId: d.subjectId } : { unitId: d.subjectId }),
      workflowId: isItem ? itemWorkflowId(d.subjectId) : unitWorkflowId(d.subjectId),
      field: `document.${d.digest}`,
      projection: d.problem === 'missing' ? 'no document' : 'text altered',
      history: d.digest,
      source: 'documents',
    };
  });
}

type Ids = { unitId: string } | { itemId: string };

/** Rows of a page of units: theirs, their items', and the entries of both counted by subject. */
interface PageRows {
  unitRows: UnitStateRow[];
  itemRows: ItemStateRow[];
  entryCounts: Map<string, Record<string, number>>;
}

/** One reconciliation of a campaign: the report so far, the page of rows being checked, and its items to check. */
class Reconciliation {
  readonly report: ReconciliationReport;
  private readonly client: Client;
  private readonly queryTimeoutMs: number;
  private unitRowById = new Map<string, UnitStateRow>();
  private itemRowById = new Map<string, ItemStateRow>();
  private entryCounts = new Map<string, Record<string, number>>();
  private itemIds = new Set<string>();
  /** Units of the pages not checked yet (for the progress total). */
  private unitsLeft: number;
  /** Items found in a unit's task book while checking it, queued for checking too. */
  private readonly pendingItems: string[] = [];

  constructor(
    private readonly options: ReconcileOptions,
    units: number,
  ) {
    this.client = options.client;
    this.queryTimeoutMs = options.queryTimeoutMs ?? 10_000;
    this.report = { campaignId: options.campaignId, checked: 0, mismatches: [], inFlight: [] };
    this.unitsLeft = units;
  }

  /** A page's units, then its items (those with a row, and those the units' task books name), a few at once. */
  async checkPage(unitIds: string[], rows: PageRows): Promise<void> {
    this.unitRowById = new Map(rows.unitRows.map((r) => [r.unitId, r]));
    this.itemRowById = new Map(rows.itemRows.map((r) => [r.itemId, r]));
    this.itemIds = new Set(rows.itemRows.map((r) => r.itemId));
    this.entryCounts = rows.entryCounts;
    this.unitsLeft -= unitIds.length;
    const queue: Array<[Kind, string]> = [
      ...unitIds.map((id): [Kind, string] => ['unit', id]),
      ...[...this.itemIds].map((id): [Kind, string] => ['item', id]),
    ];
    const pending = this.pendingItems;
    const total = () => this.report.checked + queue.length - next + pending.length + this.unitsLeft;
    const concurrency = this.options.concurrency ?? 16;
    let next = 0;
    const worker = async () => {
      for (;;) {
        if (next >= queue.length && pending.length) queue.push(...pending.splice(0).map((id): [Kind, string] => ['item', id]));
        if (next >= queue.length) return;
        const [kind, id] = queue[next++];
        await this.checkOne(kind, id);
        this.options.onProgress?.(this.report.checked, total());
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    // Units discovered late may have queued items after the workers drained.
    while (pending.length) {
      queue.push(...pending.splice(0).map((id): [Kind, string] => ['item', id]));
      await Promise.all(Array.from({ length: concurrency }, worker));
    }
  }

  /** What the workflow says: a running one's query, else its history's last completed projection. */
  private async truth(kind: Kind, workflowId: string): Promise<WorkflowTruth> {
    let running: boolean;
    try {
      const description = await this.client.workflow.getHandle(workflowId).describe();
      running = description.status.name === 'RUNNING';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return { exists: false, running: false, source: 'history' };
      throw error;
    }
    if (running) {
      const view = await this.query(kind, workflowId);
      if (view) return { exists: true, running, view, source: 'query' };
    }
    // No worker answered: the history still says what was projected — unless the run projects in its tasks,
    // whose history holds no view: then its worker is asked again, a busy one may answer a little later.
    const history = await fetchJsonHistory(this.client, workflowId);
    const last = history && lastProjection(history, kind === 'unit' ? 'projectUnit' : 'projectItem');
    if (running && !last?.view && !!history && projectsInTask(history)) {
      for (let attempt = 2; attempt <= QUERY_ATTEMPTS; attempt++) {
        const view = await this.query(kind, workflowId);
        if (view) return { exists: true, running, view, source: 'query' };
      }
      return { exists: true, running, source: 'history', unanswered: true };
    }
    return { exists: true, running, view: last?.view, source: 'history' };
  }

  /** The running workflow's view from its worker, or undefined when none answered in time. */
  private async query(kind: Kind, workflowId: string): Promise<UnitView | ItemView | undefined> {
    try {
      const handle = this.client.workflow.getHandle(workflowId);
      return await withTimeout<UnitView | ItemView>(
        kind === 'unit' ? handle.query(unitStateQuery) : handle.query(itemStateQuery),
        this.queryTimeoutMs,
      );
    } catch {
      return undefined;
    }
  }

  /** Whether the row trails the workflow only because a projection is still being delivered. */
  private async projectionInFlight(kind: Kind, workflowId: string, row: { version: number } | undefined): Promise<boolean> {
    const history = await fetchJsonHistory(this.client, workflowId);
    if (!history) return false;
    const last = lastProjection(history, kind === 'unit' ? 'projectUnit' : 'projectItem');
    if (!last.pending) return false;
    // A task still open writes the row before it completes.
    if (projectsInTask(history)) return true;
    // The row must hold what the last completed projection wrote (or nothing yet).
    return row ? !!last.view && last.view.version === row.version : !last.view;
  }

  private async checkOne(kind: Kind, id: string): Promise<void> {
    const workflowId = kind === 'unit' ? unitWorkflowId(id) : itemWorkflowId(id);
    const row = kind === 'unit' ? this.unitRowById.get(id) : this.itemRowById.get(id);
    const ids: Ids = kind === 'unit' ? { unitId: id } : { itemId: id };
    const t = await this.truth(kind, workflowId);
    this.report.checked++;
    if (kind === 'unit' && t.view) this.queueItemsOf(t.view as UnitView);
    if (t.unanswered) {
      // Nothing to compare the row with: such a run is checked by its query, which needs a worker.
      this.report.mismatches.push({
        ...ids,
        workflowId,
        field: 'workflow',
        projection: row ? `version ${row.version}` : null,
        history: 'running, and no worker answered its query',
        source: 'engine',
      });
      return;
    }
    if (!t.exists || !t.view) {
      const missing = t.exists
        ? { field: 'row', history: 'never projected', source: t.source }
        : { field: 'workflow', history: 'no such workflow', source: 'engine' as const };
      if (row)
        this.report.mismatches.push({
          ...ids,
          workflowId,
          field: missing.field,
          projection: 'row present',
          history: missing.history,
          source: missing.source,
        });
      return;
    }
    const view = t.view;
    const diffs = this.differences(kind, id, row, view);
    if (!diffs.length) return;
    if (t.running && (!row || view.version > row.version) && (await this.projectionInFlight(kind, workflowId, row))) {
      this.report.inFlight.push({ ...ids, workflowId, projectionVersion: row?.version ?? 0, workflowVersion: view.version });
      return;
    }
    for (const d of diffs) this.report.mismatches.push({ ...ids, workflowId, ...d, source: t.source });
  }

  /** Items the unit knows of are checked too, even when their row is missing. */
  private queueItemsOf(view: UnitView): void {
    for (const item of view.taskBook?.items ?? []) {
      if (!this.itemIds.has(item.id)) {
        this.itemIds.add(item.id);
        this.pendingItems.push(item.id);
      }
    }
  }

  /** The row against the workflow's view; at the same version, the entries' numbers too. */
  private differences(
    kind: Kind,
    id: string,
    row: UnitStateRow | ItemStateRow | undefined,
    view: UnitView | UnitHeader | ItemView,
  ): Array<{ field: string; projection: unknown; history: unknown }> {
    const diffs = row
      ? kind === 'unit'
        ? compareUnit(row as UnitStateRow, view as UnitView)
        : compareItem(row as ItemStateRow, view as ItemView)
      : [{ field: 'row', projection: null, history: 'projected state' }];
    // The row and its entries are written in one transaction: at the same version they must agree in number.
    if (row && !diffs.length && row.version === view.version) {
      const held = this.entryCounts.get(id) ?? {};
      for (const [entryKind, n] of Object.entries(expectedEntries(kind, view))) {
        if ((held[entryKind] ?? 0) !== n) diffs.push({ field: `entries.${entryKind}`, projection: held[entryKind] ?? 0, history: n });
      }
    }
    return diffs;
  }
}
