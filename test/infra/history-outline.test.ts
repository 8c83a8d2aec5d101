// The history outline a failing wait attaches (test/support/history-outline.ts), on a recorded item's history
// (a generation whose projections were local activities).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyFromCliJson } from '../../libs/audit/src/history-json';
import { historyOutline, withHistoryOnFailure } from '../support/history-outline';

const history = historyFromCliJson(
  readFileSync(path.join(__dirname, '../fixtures/histories/v3-recorded-item-of-item-referred-1.json'), 'utf8'),
);
const handle = { workflowId: 'massline-item-recorded', fetchHistory: () => Promise.resolve(history) } as unknown as WorkflowHandle;

describe('a history outline', () => {
  it('has a line per event, from the first one at +0 ms, naming activities and local activities with their sequence', async () => {
    const lines = (await historyOutline(handle)).split('\n');
    expect(lines).toHaveLength(history.events!.length);
    expect(lines[0]).toBe('1 +0ms WORKFLOW_EXECUTION_STARTED');
    expect(lines.some((l) => / MARKER_RECORDED core_local_activity projectItem#\d+$/.test(l))).toBe(true);
    expect(lines.some((l) => / ACTIVITY_TASK_SCHEDULED recordEscalation#\d+$/.test(l))).toBe(true);
  });

  it('is attached to the error of a wait that failed, which is thrown again', async () => {
    await expect(withHistoryOnFailure(handle, () => Promise.reject(new Error('timed out waiting for 3 rungs')))).rejects.toThrow(
      /^timed out waiting for 3 rungs\nhistory of massline-item-recorded:\n1 \+0ms WORKFLOW_EXECUTION_STARTED\n/,
    );
    await expect(withHistoryOnFailure(handle, () => Promise.resolve('answered'))).resolves.toBe('answered');
  });
});
