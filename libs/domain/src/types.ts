// Core vocabulary of the campaign. Pure types: importable by workflows, activities and the API alike.
import type { DocRef } from './documents';

export const ROLES = ['office', 'unit', 'supervisor', 'auditor'] as const;
export type Role = (typeof ROLES)[number];
/** Who acted. `public` is a citizen (群众) on an unauthenticated channel; `system` is the engine itself. */
export type ActorRole = Role | 'public' | 'system';

export const PHASES = ['P1', 'P2', 'P3', 'DONE'] as const;
export type Phase = (typeof PHASES)[number];
/** Phases with a window and a gate (DONE has neither). */
export type ActivePhase = Exclude<Phase, 'DONE'>;
export const ACTIVE_PHASES: readonly ActivePhase[] = ['P1', 'P2', 'P3'];

export const CARDS = ['none', 'yellow', 'red'] as const;
export type Card = (typeof CARDS)[number];

export const RUNGS = ['reminder', 'yellow', 'red', 'referral'] as const;
export type Rung = (typeof RUNGS)[number];

export const UNIT_KINDS = ['organ', 'enterprise', 'university', 'affiliated', 'grassroots'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];
export const UNIT_LEVELS = ['municipal', 'district'] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];
export type Batch = 1 | 2;

export const RECORD_KINDS = ['study', 'investigation', 'solicitation-report', 'comparison-check', 'rule'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** 群众提 / 自己找 / 上级点 / 互相帮 */
export const PROBLEM_SOURCES = ['masses', 'self', 'superior', 'mutual'] as const;
export type ProblemSource = (typeof PROBLEM_SOURCES)[number];
/** The "four winds" (四风) or other. */
export const PROBLEM_CATEGORIES = ['formalism', 'bureaucratism', 'hedonism', 'extravagance', 'other'] as const;
export type ProblemCategory = (typeof PROBLEM_CATEGORIES)[number];

export const ITEM_STATUSES = ['pending', 'open', 'submitted', 'closed', 'carried'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export const MEASURE_KINDS = ['reminder-talk', 'team-rectification', 'adjustment', 'referral'] as const;
export type MeasureKind = (typeof MEASURE_KINDS)[number];

export const PROGRAMME_TRACKS = ['governance', 'action'] as const;
export type ProgrammeTrack = (typeof PROGRAMME_TRACKS)[number];

/**
 * The principal behind a change. Carried in every update's arguments so that the workflow history
 * records who (id, role), and the handler stamps when (workflow time) and why (comment).
 */
export interface Actor {
  id: string;
  role: ActorRole;
  name?: string;
  /** Scope of a `unit` principal. */
  unitId?: string;
  /** Scope of a `supervisor` principal. */
  groupId?: string;
}

/** Who did what, when and why — kept on every accepted change. A comment longer than a line is a stored text. */
export interface Stamp {
  actorId: string;
  role: ActorRole;
  at: string; // ISO-8601
  comment?: Comment;
}

/** Why: inline when it fits a line (INLINE_TEXT_MAX), else a stored text. */
export type Comment = string | DocRef;
