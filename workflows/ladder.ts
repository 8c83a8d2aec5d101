// The escalation ladder, shared by rectification items, phase windows and programme goals.
// Rungs fire in order at deadline + offset (per the plan's calendar); a rung whose moment has passed when the
// ladder (re)starts fires at once, marked late; a rung already fired (its key is in the workflow's state) never
// fires again. When the subject stops (closed, extended, phase left), only the rungs due after that moment are
// skipped: a rung that came due while the subject was still open has happened, whatever was decided later.
import { condition } from '@temporalio/workflow';
import { ladderSchedule, RUNG_VOCABULARY, type CalendarPlan, type LadderRung, type ScheduledRung } from '../libs/domain/src';
import { dbActivities } from './activities';
import { recordedMoment, timerUntil } from './clock';
import type { EscalationInput, MasslineActivities } from '../activities/types';

export interface LadderRun {
  deadline: string;
  ladder: readonly LadderRung[];
  calendar: CalendarPlan;
  /** `${workflowId}:${deadline}` (items) or `${workflowId}:${phase}` (windows); the rung name is appended. */
  keyPrefix: string;
  isFired(key: string): boolean;
  /** The moment the ladder's subject stopped (closed, carried, phase left, deadline replaced); undefined while open. */
  stoppedAt(): number | undefined;
  /**
   * Records the rung in the workflow's state synchronously (so `isFired` holds at once), then performs its
   * effects (escalation record and its queued notices). `firedAt` is the moment to record.
   */
  fire(step: ScheduledRung & { key: string; late: boolean; firedAt: string }): Promise<void>;
  /**
   * The run's commands do not depend on the clock (workflows/clock.ts): every rung waits on a timer, and
   * `firedAt` is never earlier than `dueAt`. False only for runs recorded before that rule.
   */
  clockIndependent: boolean;
  /**
   * A rung at or after a stop already known when the ladder reaches it ends the ladder without a timer (a replaced
   * deadline walked after the fact). False for runs recorded before the rule: they start the rung's timer first.
   */
  endsAtKnownStop?: boolean;
}

/** One rung as the ladder hands it to `fire`. */
export type LadderStep = Parameters<LadderRun['fire']>[0];

export async function runLadder(run: LadderRun): Promise<'completed' | 'stopped'> {
  for (const step of ladderSchedule(run.deadline, run.ladder, run.calendar)) {
    const key = `${run.keyPrefix}:${step.rung}`;
    if (run.isFired(key)) continue;
    if (run.endsAtKnownStop) {
      const known = run.stoppedAt();
      if (known !== undefined && known <= step.dueMs) return 'stopped';
    }
    const wait = step.dueMs - Date.now();
    if (run.clockIndependent) {
      // A timer always, even for a rung already due: which commands exist never hangs on the clock.
      await condition(() => run.stoppedAt() !== undefined, timerUntil(step.dueMs));
    } else if (wait > 0) {
      // Runs recorded before the rule: replayed exactly as they ran (a timer only while the rung was ahead).
      await condition(() => run.stoppedAt() !== undefined, wait);
    }
    const stopped = run.stoppedAt();
    if (stopped !== undefined && stopped <= step.dueMs) return 'stopped';
    // Due while the subject was open: it fires now. Late when the ladder reached it only after its moment (a
    // restart, a ladder started late) or after the subject had stopped; `firedAt` against `dueAt` says by how much.
    const firedAt = run.clockIndependent ? recordedMoment(step.dueMs) : new Date().toISOString();
    await run.fire({ ...step, key, late: wait <= 0 || stopped !== undefined, firedAt });
  }
  return 'completed';
}

/**
 * Records one escalation (and queues its notices in the outbox, delivered by their own workflow): idempotent by
 * the key, retried until the database takes it. The ladder never waits on a notification channel.
 */
export async function escalate(input: EscalationInput): Promise<void> {
  await dbActivities.recordEscalation(input);
}

/** The measure a rung that proposes one (RUNG_VOCABULARY) puts to the office; keyed by the escalation. */
export type MeasureProposal = Omit<Parameters<MasslineActivities['proposeMeasure']>[0], 'key'>;

/**
 * Fires one rung's effects, the same for items, phase windows and programme goals: records the escalation (and
 * its notices), then, for a rung that proposes a cadre measure (组织措施), proposes it. `inFlight` counts the
 * rungs whose effects are still running (a run continues as new only when none is).
 */
export async function fireRung(
  escalation: EscalationInput,
  measure: () => MeasureProposal,
  inFlight: (delta: 1 | -1) => void,
): Promise<void> {
  inFlight(1);
  try {
    await escalate(escalation);
    if (RUNG_VOCABULARY[escalation.rung].proposesMeasure) await dbActivities.proposeMeasure({ key: escalation.key, ...measure() });
  } finally {
    inFlight(-1);
  }
}
