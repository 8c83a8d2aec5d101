// 教育实践活动 — the campaign: owns the plan, opens each batch at its start (its units' workflows are started by
// an activity, by deterministic id: a batch may hold 10,000 units, beyond any parent's child limit), and ends
// once every unit it opened is done. It counts nothing itself: units never report to it (no hub through which
// every change of 10,000 units would pass); the dashboard's counters come from the read model.
import { allHandlersFinished, condition, continueAsNew, log, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import { parseInstant, type Batch, type BatchKey } from '../libs/domain/src';
import { campaignStateQuery, type CampaignState, type CampaignWorkflowInput } from '../libs/contracts/src';
import { batchActivities, campaignActivities, dbActivities } from './activities';
import { campaignIdKey, kindKey } from '../libs/contracts/src';
import { DEFAULT_HISTORY_LIMIT, historyIsLong } from './history-limit';
import { clockIndependentCommands, timerUntil } from './clock';

/** How often a campaign past its last window looks whether its last units are done: often enough for a rehearsal, hourly at most. */
export const campaignPollMs = (spanMs: number): number => Math.min(3_600_000, Math.max(1_000, Math.floor(spanMs / 1_000)));

/** Ends once every batch has opened, the last batch's window is over and every unit of the opened batches is DONE. */
export async function campaignWorkflow(input: CampaignWorkflowInput): Promise<CampaignState> {
  const clockIndependent = clockIndependentCommands();
  /** Waits until `atMs`: a timer always (workflows/clock.ts); runs recorded before that slept only while ahead. */
  const sleepUntil = async (atMs: number) => {
    if (clockIndependent) return sleep(timerUntil(atMs));
    const left = atMs - Date.now();
    if (left > 0) await sleep(left);
  };
  const openedBatches: Batch[] = [...(input.carried?.openedBatches ?? [])];
  const unitsByBatch: Partial<Record<BatchKey, number>> = { ...(input.carried?.unitsByBatch ?? {}) };
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  let status: CampaignState['status'] = 'running';

  setHandler(campaignStateQuery, () => ({ openedBatches: [...openedBatches], unitsByBatch: { ...unitsByBatch }, status }));

  const carryOnIfLong = async () => {
    if (!historyIsLong(historyLimit)) return;
    await condition(allHandlersFinished);
    await continueAsNew<typeof campaignWorkflow>({ ...input, carried: { openedBatches, unitsByBatch } });
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
    unitsByBatch[String(b.batch) as BatchKey] = started + existing;
    openedBatches.push(b.batch);
    log.info('batch opened', { campaignId: input.campaignId, batch: b.batch, started, existing });
    await carryOnIfLong();
  }

  const firstStart = parseInstant(batches[0].startsAt, 'startsAt');
  const lastEnd = Math.max(...batches.map((b) => parseInstant(b.endsAt, 'endsAt')));
  await sleepUntil(lastEnd);
  // A unit late in P3 keeps the campaign open, as it should.
  for (;;) {
    const progress = await campaignActivities.campaignProgress({ campaignId: input.campaignId, batches: openedBatches });
    if (progress.done >= progress.enrolled) break;
    await sleep(campaignPollMs(lastEnd - firstStart));
    await carryOnIfLong();
  }

  status = 'done';
  await dbActivities.projectCampaignStatus({ campaignId: input.campaignId, status: 'done' });
  await condition(allHandlersFinished);
  return { openedBatches, unitsByBatch, status };
}
