// 教育实践活动 — the campaign: owns the plan, opens each batch at its start (its units' workflows are started by
// an activity, by deterministic id: a batch may hold 10,000 units, beyond any parent's child limit), and keeps
// live counters from the units' progress signals.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import {
  activeUnits,
  applyUnitProgress,
  doneUnits,
  emptyCounters,
  parseInstant,
  type Batch,
  type CampaignCounters,
} from '../libs/domain/src';
import { campaignCountersQuery, unitProgressSignal, type CampaignWorkflowInput } from './definitions';
import { batchActivities, dbActivities } from './activities';
import { campaignIdKey, kindKey } from './search-attributes';
import { DEFAULT_HISTORY_LIMIT, historyIsLong } from './history-limit';

/**
 * Ends once every batch has opened, the last batch's window is over and every unit it started is DONE;
 * until then it keeps counting (a unit late in P3 keeps the campaign open, as it should).
 */
export async function campaignWorkflow(input: CampaignWorkflowInput): Promise<CampaignCounters & { openedBatches: Batch[] }> {
  const counters: CampaignCounters = input.carried?.counters ?? emptyCounters();
  const openedBatches: Batch[] = [...(input.carried?.openedBatches ?? [])];
  const unitsByBatch: Partial<Record<'1' | '2', number>> = { ...(input.carried?.unitsByBatch ?? {}) };
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;

  setHandler(unitProgressSignal, (report) => applyUnitProgress(counters, report));
  setHandler(campaignCountersQuery, () => ({ ...counters, openedBatches: [...openedBatches] }));

  const historyFull = () => historyIsLong(historyLimit);
  const carryOn = async () => {
    await condition(allHandlersFinished);
    await continueAsNew<typeof campaignWorkflow>({ ...input, carried: { counters, openedBatches, unitsByBatch } });
  };
  /** Sleeps until `at`, continuing-as-new meanwhile if the units' signals fill the history. */
  const sleepUntil = async (at: number, done: () => boolean = () => false) => {
    for (;;) {
      const left = at - Date.now();
      if (done() || left <= 0) return;
      if (await condition(() => historyFull() || done(), left)) {
        if (done()) return;
        await carryOn();
      }
    }
  };

  if (!input.carried) {
    upsertSearchAttributes([
      { key: campaignIdKey, value: input.campaignId },
      { key: kindKey, value: 'campaign' },
    ]);
    await dbActivities.projectCampaignStatus({ campaignId: input.campaignId, status: 'running' });
  }

  const batches = [...input.plan.batches].sort((a, b) => parseInstant(a.startsAt, 'startsAt') - parseInstant(b.startsAt, 'startsAt'));
  for (const b of batches) {
    if (openedBatches.includes(b.batch)) continue;
    // A batch's units start P1 when their batch opens, not before.
    await sleepUntil(parseInstant(b.startsAt, 'startsAt'));
    const { started, existing } = await batchActivities.startBatchUnits({ campaignId: input.campaignId, batch: b.batch });
    unitsByBatch[String(b.batch) as '1' | '2'] = started + existing;
    openedBatches.push(b.batch);
    log.info('batch opened', { campaignId: input.campaignId, batch: b.batch, started, existing });
    if (historyFull()) await carryOn();
  }

  const lastEnd = Math.max(...batches.map((b) => parseInstant(b.endsAt, 'endsAt')));
  const expected = () => Object.values(unitsByBatch).reduce((n, k) => n + (k ?? 0), 0);
  const finished = () => Date.now() >= lastEnd && activeUnits(counters) === 0 && doneUnits(counters) >= expected();
  await sleepUntil(lastEnd);
  while (!finished()) {
    await condition(() => finished() || historyFull());
    if (!finished()) await carryOn();
  }

  await dbActivities.projectCampaignStatus({ campaignId: input.campaignId, status: 'done' });
  await condition(allHandlersFinished);
  return { ...counters, openedBatches };
}
