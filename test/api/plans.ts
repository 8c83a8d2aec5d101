// Compressed plans for rehearsals over HTTP: the whole calendar in minutes, ladders in seconds.
import type { LadderRung, Plan } from '../../libs/domain/src';

const iso = (ms: number) => new Date(ms).toISOString();

export interface CompressedPlanOptions {
  /** When batch 1 opens (default: now). */
  startsAt?: number;
  /** Length of each phase window (default one hour: no window escalates during a test). */
  phaseMs?: number;
  disclosure?: string;
  ladder?: LadderRung[];
  windowLadder?: LadderRung[];
}

/** A whole plan (every part given), as a campaign is created with or `resolvePlan` takes it. */
export function compressedPlan(o: CompressedPlanOptions = {}): Plan {
  const start = o.startsAt ?? Date.now();
  const phase = o.phaseMs ?? 3_600_000;
  const batch = (n: 1 | 2, at: number) => ({
    batch: n,
    startsAt: iso(at),
    endsAt: iso(at + 3 * phase),
    phases: {
      P1: { startsAt: iso(at), endsAt: iso(at + phase) },
      P2: { startsAt: iso(at + phase), endsAt: iso(at + 2 * phase) },
      P3: { startsAt: iso(at + 2 * phase), endsAt: iso(at + 3 * phase) },
    },
  });
  return {
    batches: [batch(1, start), batch(2, start + 3 * phase)],
    disclosure: o.disclosure ?? 'PT3S',
    ladder: o.ladder ?? [
      { rung: 'reminder', offset: '-PT2S' },
      { rung: 'yellow', offset: 'PT0S' },
      { rung: 'red', offset: 'PT2S' },
      { rung: 'referral', offset: 'PT4S' },
    ],
    windowLadder: o.windowLadder ?? [
      { rung: 'yellow', offset: 'PT0S' },
      { rung: 'red', offset: 'PT2S' },
    ],
    calendar: { count: 'calendar-days', holidays: [], workdays: [] },
  };
}
