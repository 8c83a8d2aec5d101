// A unit's timeline (optionally with its items') and an item's timeline, each merged with the refusals of
// the audit log. Histories are fetched from the engine; refusals read from PostgreSQL.
import type { Client } from '@temporalio/client';
import { itemWorkflowId, unitWorkflowId } from '../../domain/src';
import { fetchJsonHistoryChain } from './history';
import type { AuditStore } from '../../persistence/src';
import type { JsonHistory } from './events';
import { mergeTimelines, refusalEntry, renderTimeline, withTimelineTexts, type TimelineEntry } from './timeline';

export interface TimelineResult {
  workflowId: string;
  /** False when the workflow has not been started (only refusals, if any, are shown). */
  started: boolean;
  entries: TimelineEntry[];
}

/** Runs of one workflow (continued as new) rendered as one timeline; only the first run's start is shown. */
function renderRuns(runs: Array<{ runId?: string; history: JsonHistory }>, workflowId: string): TimelineEntry[] {
  return runs.flatMap((run, i) =>
    renderTimeline(run.history, { workflowId }).filter(
      (e) => !(i > 0 && e.action === 'workflowStarted') && !(i < runs.length - 1 && e.action === 'workflowContinuedAsNew'),
    ),
  );
}

export async function buildUnitTimeline(options: {
  client: Client;
  store: Pick<AuditStore, 'refusals' | 'texts'>;
  unitId: string;
  includeItems?: boolean;
}): Promise<TimelineResult> {
  const { client, store, unitId } = options;
  const workflowId = unitWorkflowId(unitId);
  const runs = await fetchJsonHistoryChain(client, workflowId);
  const unitEntries = renderRuns(runs, workflowId);
  const lists: TimelineEntry[][] = [unitEntries];
  if (options.includeItems) {
    const itemIds = unitEntries
      .filter((e) => e.action === 'itemStarted' && typeof e.detail.itemId === 'string')
      .map((e) => e.detail.itemId as string);
    const itemLists = await Promise.all(
      itemIds.map(async (itemId) => {
        return renderRuns(await fetchJsonHistoryChain(client, itemWorkflowId(itemId)), itemWorkflowId(itemId));
      }),
    );
    lists.push(...itemLists);
  }
  const refusals = (await store.refusals({ unitId, workflowIds: [workflowId] })).filter((r) => options.includeItems || !r.itemId);
  lists.push(refusals.map(refusalEntry));
  return { workflowId, started: runs.length > 0, entries: await withTimelineTexts(mergeTimelines(...lists), (d) => store.texts(d)) };
}

export async function buildItemTimeline(options: {
  client: Client;
  store: Pick<AuditStore, 'refusals' | 'texts'>;
  itemId: string;
}): Promise<TimelineResult> {
  const { client, store, itemId } = options;
  const workflowId = itemWorkflowId(itemId);
  const runs = await fetchJsonHistoryChain(client, workflowId);
  const entries = renderRuns(runs, workflowId);
  const refusals = await store.refusals({ itemId, workflowIds: [workflowId] });
  return {
    workflowId,
    started: runs.length > 0,
    entries: await withTimelineTexts(mergeTimelines(entries, refusals.map(refusalEntry)), (d) => store.texts(d)),
  };
}
