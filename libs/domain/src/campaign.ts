// Live counters of a campaign, kept from the deltas its units report (one signal per change).
import type { Batch, Card, Phase } from './types';
import type { CampaignCounters } from './views';

export interface UnitProgressDelta {
  batch: Batch;
  phase?: { from: Phase | null; to: Phase };
  card?: { from: Card; to: Card };
  referrals?: number;
  overdueItems?: number;
}

export const emptyCounters = (): CampaignCounters => ({
  byBatch: { '1': { P1: 0, P2: 0, P3: 0, DONE: 0 }, '2': { P1: 0, P2: 0, P3: 0, DONE: 0 } },
  cards: { yellow: 0, red: 0 },
  referrals: 0,
  overdueItems: 0,
});

export function applyUnitProgress(c: CampaignCounters, r: UnitProgressDelta): void {
  const b = c.byBatch[String(r.batch) as '1' | '2'];
  if (b && r.phase) {
    if (r.phase.from) b[r.phase.from] -= 1;
    b[r.phase.to] += 1;
  }
  if (r.card) {
    if (r.card.from !== 'none') c.cards[r.card.from] -= 1;
    if (r.card.to !== 'none') c.cards[r.card.to] += 1;
  }
  if (r.referrals) c.referrals += r.referrals;
  if (r.overdueItems) c.overdueItems += r.overdueItems;
}

/** Units of the batches that have reported so far and are not yet done. */
export const activeUnits = (c: CampaignCounters): number =>
  Object.values(c.byBatch).reduce((n, b) => n + b.P1 + b.P2 + b.P3, 0);
export const doneUnits = (c: CampaignCounters): number => Object.values(c.byBatch).reduce((n, b) => n + b.DONE, 0);
