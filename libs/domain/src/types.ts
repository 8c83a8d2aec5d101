// Core vocabulary of the campaign. Pure types: importable by workflows, activities and the API alike.
import type { DocRef } from './documents';

export const ROLES = ['office', 'unit', 'supervisor', 'auditor'] as const;
export type Role = (typeof ROLES)[number];
/** Who acted. `public` is a citizen (群众) on an unauthenticated channel; `system` is the engine itself. */
export type ActorRole = Role | 'public' | 'system';

export const PHASES = ['P1', 'P2', 'P3', 'DONE'] as const;
export type Phase = (typeof PHASES)[number];
/**
 * 三个环节 — each phase's name and, for the three with a window, its ordinal, written once: the console's labels
 * and the audit's timeline derive from here.
 */
export const PHASE_LABELS = {
  P1: { zh: '学习教育、听取意见', en: 'Study and listening', ordinal: { zh: '第一环节', en: 'P1' } },
  P2: { zh: '查摆问题、开展批评', en: 'Finding problems, criticism', ordinal: { zh: '第二环节', en: 'P2' } },
  P3: { zh: '整改落实、建章立制', en: 'Rectification and rules', ordinal: { zh: '第三环节', en: 'P3' } },
  DONE: { zh: '已完成', en: 'Done' },
} as const satisfies Record<Phase, { zh: string; en: string; ordinal?: { zh: string; en: string } }>;
/** Phases with a window and a gate (DONE has neither). */
export type ActivePhase = Exclude<Phase, 'DONE'>;
export const ACTIVE_PHASES = PHASES.filter((p): p is ActivePhase => p !== 'DONE');

export const CARDS = ['none', 'yellow', 'red'] as const;
export type Card = (typeof CARDS)[number];
/** 亮牌 — each card's name, written once: the console's labels and the Web UI's details derive from here. */
export const CARD_LABELS = {
  none: { zh: '正常', en: 'No card' },
  yellow: { zh: '黄牌', en: 'Yellow card' },
  red: { zh: '红牌', en: 'Red card' },
} as const satisfies Record<Card, { zh: string; en: string }>;

/** Who a rung notifies, as a kind of recipient; `rungRecipients` names them for one subject. */
export type RungRecipient = 'responsible-person' | 'unit-head' | 'group' | 'office' | 'discipline-inspection';

/**
 * 提醒 → 黄牌 → 红牌 → 移交 — every rung of the escalation ladder, in ladder order, written once: the card it shows,
 * whom it notifies, whether it proposes a cadre measure (组织措施), and its labels. The rung list, the cards, the
 * recipients, the audit's and the console's labels and the API's enums derive from here; the escalations
 * table's CHECK is tested against it. A new rung is one entry here (its offset in DEFAULT_LADDER aside).
 */
export const RUNG_VOCABULARY = {
  reminder: {
    card: 'none',
    notifies: ['responsible-person', 'unit-head'],
    proposesMeasure: false,
    label: { zh: '到期提醒', en: 'Deadline reminder' },
  },
  yellow: { card: 'yellow', notifies: ['unit-head', 'group'], proposesMeasure: false, label: { zh: '黄牌警示', en: 'Yellow card' } },
  red: { card: 'red', notifies: ['office'], proposesMeasure: false, label: { zh: '红牌警示', en: 'Red card' } },
  /** A referral keeps the red card and proposes referring the accountable head to discipline inspection. */
  referral: {
    card: 'red',
    notifies: ['discipline-inspection'],
    proposesMeasure: true,
    label: { zh: '移交纪检监察机关', en: 'Referral to discipline inspection' },
  },
} as const satisfies Record<
  string,
  { card: Card; notifies: readonly RungRecipient[]; proposesMeasure: boolean; label: { zh: string; en: string } }
>;
export type Rung = keyof typeof RUNG_VOCABULARY;
/** The rungs in ladder order. */
export const RUNGS = Object.keys(RUNG_VOCABULARY) as readonly Rung[];
/** A table keyed by rung, each value from the rung's vocabulary entry (labels, cards…). */
export const byRung = <T>(f: (entry: (typeof RUNG_VOCABULARY)[Rung], rung: Rung) => T): Record<Rung, T> =>
  Object.fromEntries(RUNGS.map((r) => [r, f(RUNG_VOCABULARY[r], r)])) as Record<Rung, T>;

export const UNIT_KINDS = ['organ', 'enterprise', 'university', 'affiliated', 'grassroots'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];
export const UNIT_LEVELS = ['municipal', 'district'] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];
/** The two half-year batches (两批): units enter one by kind and level. */
export const BATCHES = [1, 2] as const;
export type Batch = (typeof BATCHES)[number];
/** A batch as a JSON object's key. */
export type BatchKey = `${Batch}`;

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
/** 整改事项 — each item status's name, written once: the console's labels and the Web UI's details derive from here. */
export const ITEM_STATUS_LABELS = {
  pending: { zh: '待生效', en: 'Pending' },
  open: { zh: '整改中', en: 'Open' },
  submitted: { zh: '待销号', en: 'Awaiting verification' },
  closed: { zh: '已销号', en: 'Closed' },
  carried: { zh: '转入长效机制', en: 'Carried into a rule' },
} as const satisfies Record<ItemStatus, { zh: string; en: string }>;
/** An item is done with once closed (销号) or carried into a long-term rule: its ladder stops, its card no longer counts. */
export const FINAL_ITEM_STATUSES: readonly ItemStatus[] = ['closed', 'carried'];
export const isFinalItem = (s: ItemStatus) => FINAL_ITEM_STATUSES.includes(s);

export const MEASURE_KINDS = ['reminder-talk', 'team-rectification', 'adjustment', 'referral'] as const;
export type MeasureKind = (typeof MEASURE_KINDS)[number];

export const PROGRAMME_TRACKS = ['governance', 'action'] as const;
export type ProgrammeTrack = (typeof PROGRAMME_TRACKS)[number];

/** A campaign's own status; the API's overview reads a started one whose task keeps failing as `stalled`. */
export const CAMPAIGN_STATUSES = ['draft', 'running', 'done'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
/** Where a unit's batch stands in the calendar. */
export const BATCH_STATUSES = ['waiting', 'active', 'done'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

/** Phases a unit asks to move to (P1 is where it starts). */
export const TRANSITION_TARGETS = PHASES.filter((p): p is Exclude<Phase, 'P1'> => p !== 'P1');
export type TransitionTarget = (typeof TRANSITION_TARGETS)[number];
/** A supervisor's or the office's answer to a request (a transition, an extension, a verification). */
export const DECISIONS = ['approved', 'rejected'] as const;
export type Decision = (typeof DECISIONS)[number];
/** A request before and after its answer. */
export const REQUEST_STATUSES = ['pending', ...DECISIONS] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** 专题民主生活会: scheduled with its supervisory group, then held. */
export const MEETING_STATUSES = ['scheduled', 'held'] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];
/** 整改任务书: drafted, disclosed to the public (公示), effective once its disclosure period ends. */
export const TASK_BOOK_STATUSES = ['draft', 'disclosed', 'effective'] as const;
export type TaskBookStatus = (typeof TASK_BOOK_STATUSES)[number];
/** What the public sees of task books. */
export const DISCLOSED_TASK_BOOK_STATUSES = TASK_BOOK_STATUSES.filter((s): s is Exclude<TaskBookStatus, 'draft'> => s !== 'draft');

/** 组织措施: proposed (by the ladder's referral or by the office), then confirmed by the office. */
export const MEASURE_STATUSES = ['proposed', 'confirmed'] as const;
export type MeasureStatus = (typeof MEASURE_STATUSES)[number];
export const MEASURE_PROPOSERS = ['ladder', 'office'] as const;
export type MeasureProposer = (typeof MEASURE_PROPOSERS)[number];

/** Whose deadline a rung was fired for. */
export const ESCALATION_SUBJECTS = ['item', 'phase-window', 'programme-goal'] as const;
export type EscalationSubject = (typeof ESCALATION_SUBJECTS)[number];

/** 专项整治 programmes: each goal and the programme itself. */
export const GOAL_STATUSES = ['open', 'achieved', 'closed'] as const;
export type GoalStatus = (typeof GOAL_STATUSES)[number];
export const PROGRAMME_STATUSES = ['active', 'done'] as const;
export type ProgrammeStatus = (typeof PROGRAMME_STATUSES)[number];

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
