// The bare baseline (`npm run bench baseline`): the least Temporal work a unit and a decision can cost, written
// the way the SDK's samples write it. Per unit: a start with the same typed search attributes as a massline unit,
// one activity writing its row to PostgreSQL, a timer (the phase window) and a signal (finish); per decision, an
// Update whose handler changes the state and answers with its version. No rules, no read model, no texts.
import { condition, defineSignal, defineUpdate, proxyActivities, setHandler, sleep } from '@temporalio/workflow';

export interface BareUnitInput {
  unitId: string;
  /** The phase window: a timer of this length runs for the unit's life. */
  windowMs: number;
}

export interface BareActivities {
  writeUnitRow(row: { unitId: string; version: number }): Promise<void>;
}

export interface BareDecision {
  kind: string;
  title: string;
}

export const decideUpdate = defineUpdate<{ version: number }, [BareDecision]>('decide');
export const finishSignal = defineSignal('finish');

const { writeUnitRow } = proxyActivities<BareActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

export async function bareUnitWorkflow(input: BareUnitInput): Promise<{ version: number; last?: BareDecision }> {
  let version = 0;
  let last: BareDecision | undefined;
  let finished = false;
  setHandler(decideUpdate, (decision) => {
    last = decision;
    return { version: ++version };
  });
  setHandler(finishSignal, () => {
    finished = true;
  });
  // The phase window's timer, and the unit's row, in the first workflow task.
  sleep(input.windowMs).catch(() => undefined);
  await writeUnitRow({ unitId: input.unitId, version });
  await condition(() => finished);
  return { version, ...(last ? { last } : {}) };
}
