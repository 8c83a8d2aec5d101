// Fetching a workflow's history from the engine, as the SDK message and as the CLI's JSON.
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { itemWorkflowId, unitWorkflowId } from '../../domain/src';
import { historyToCliJson, type History } from './history-json';
import type { JsonHistory } from './events';

/** A unit id, an item id or a workflow id → the workflow id (ids of massline workflows pass through). */
export function toWorkflowId(id: string): string {
  if (id.startsWith('massline-')) return id;
  return id.includes('.item-') ? itemWorkflowId(id) : unitWorkflowId(id);
}

/** The history of the workflow's latest run (or of `runId`), every page; undefined when there is no such workflow. */
export async function fetchHistory(client: Client, workflowId: string, runId?: string): Promise<History | undefined> {
  try {
    return await client.workflow.getHandle(workflowId, runId).fetchHistory();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError || (error as { code?: number } | null | undefined)?.code === 5) return undefined;
    throw error;
  }
}

/** The history as `temporal workflow show --output json -w <id>` prints it. */
export async function exportHistory(client: Client, workflowId: string, runId?: string): Promise<string | undefined> {
  const history = await fetchHistory(client, workflowId, runId);
  return history && historyToCliJson(history);
}

/** The history in its JSON form, parsed (what the timeline, the reconciliation and the dossier read). */
export async function fetchJsonHistory(client: Client, workflowId: string, runId?: string): Promise<JsonHistory | undefined> {
  const text = await exportHistory(client, workflowId, runId);
  return text ? (JSON.parse(text) as JsonHistory) : undefined;
}

/**
 * Every run of a workflow that continued as new, oldest first (each run's started event names the run it
 * continues). `maxRuns` bounds the walk.
 */
export async function fetchJsonHistoryChain(
  client: Client,
  workflowId: string,
  maxRuns = 1000,
): Promise<Array<{ runId?: string; history: JsonHistory }>> {
  const runs: Array<{ runId?: string; history: JsonHistory }> = [];
  let runId: string | undefined;
  for (let i = 0; i < maxRuns; i++) {
    const history = await fetchJsonHistory(client, workflowId, runId);
    if (!history) break;
    runs.unshift({ runId, history });
    const started = history.events[0]?.workflowExecutionStartedEventAttributes as { continuedExecutionRunId?: string } | undefined;
    if (!started?.continuedExecutionRunId) break;
    runId = started.continuedExecutionRunId;
  }
  return runs;
}
