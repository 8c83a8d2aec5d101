// Shape of a campaign plan (API.md "plan"). Resolution and validation live in plan.ts.
import type { ActivePhase, Batch, Rung } from './types';

export interface Window {
  startsAt: string; // ISO-8601 with offset
  endsAt: string;
}

export interface BatchPlan extends Window {
  batch: Batch;
  phases: Record<ActivePhase, Window>;
}

export interface LadderRung {
  rung: Rung;
  /** ISO-8601 duration relative to the deadline (items) or the window end (phases), e.g. `-P7D`, `PT0S`. */
  offset: string;
}

/** How a plan counts days: every day, or working days (the calendar's holidays off, its 调休 weekends worked). */
export const DAY_COUNTS = ['calendar-days', 'working-days'] as const;
export type DayCount = (typeof DAY_COUNTS)[number];

export interface CalendarPlan {
  count: DayCount;
  /** Dates (YYYY-MM-DD) that are days off. */
  holidays: string[];
  /** Weekend dates (YYYY-MM-DD) that are worked (调休). */
  workdays: string[];
  /** Fixed UTC offset at which days are reckoned (default `+08:00`, China has no daylight saving). */
  utcOffset?: string;
}

/** A fully resolved plan: every part present. */
export interface Plan {
  batches: BatchPlan[];
  /** Public disclosure window (公示) of a task book, ISO-8601 duration. */
  disclosure: string;
  ladder: LadderRung[];
  windowLadder: LadderRung[];
  calendar: CalendarPlan;
}

/** What a client may send: every part optional. */
export interface PlanInput {
  batches?: Array<Partial<Omit<BatchPlan, 'phases'>> & { batch: Batch; phases?: Partial<Record<ActivePhase, Partial<Window>>> }>;
  disclosure?: string;
  ladder?: LadderRung[];
  windowLadder?: LadderRung[];
  calendar?: Partial<CalendarPlan>;
}
