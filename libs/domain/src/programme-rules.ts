// City-wide programmes (four governance tracks, nine major actions): staged goals are deadlines on the
// same ladder as rectification items; the lead unit records achievement, the office verifies.
import { docRef, TEXT_LIMITS, type DocRef } from './documents';
import { invalidInput, notFound } from './errors';
import { comment, requireActor, rungCard, stamp, violation, worstCard } from './lifecycle';
import type { ProgrammeTrack } from './types';
import type { Acting } from './unit-rules';
import type { FiredRung, GoalView, ProgrammeView } from './views';

export interface ProgrammeIdentity {
  programmeId: string;
  name: string;
  track: ProgrammeTrack;
  leadLeader: string;
  leadUnitId: string;
  responsibleUnitIds: string[];
  goals: Array<{ id?: string; title: string; dueAt: string }>;
}

export const goalId = (programmeId: string, seq: number) => `${programmeId}.goal-${seq}`;

export function newProgrammeView(p: ProgrammeIdentity, now: number): ProgrammeView {
  return {
    id: p.programmeId,
    name: p.name,
    track: p.track,
    leadLeader: p.leadLeader,
    leadUnitId: p.leadUnitId,
    responsibleUnitIds: [...p.responsibleUnitIds],
    goals: p.goals.map((g, i) => ({
      id: g.id ?? goalId(p.programmeId, i + 1),
      title: g.title,
      dueAt: g.dueAt,
      status: 'open',
      card: 'none',
      rungs: [],
      verifications: 0,
    })),
    status: 'active',
    card: 'none',
    version: 1,
    updatedAt: new Date(now).toISOString(),
  };
}

export function refreshProgramme(v: ProgrammeView, now: number) {
  const open = v.goals.filter((g) => g.status !== 'closed');
  v.card = worstCard(...open.map((g) => g.card));
  v.status = open.length === 0 ? 'done' : 'active';
  v.version += 1;
  v.updatedAt = new Date(now).toISOString();
}

function goalOf(v: ProgrammeView, id: string): GoalView {
  const g = v.goals.find((x) => x.id === id);
  if (!g) throw notFound('goal', String(id));
  return g;
}

export interface GoalAchievementArgs extends Acting {
  goalId: string;
  evidence: DocRef;
}
export function checkGoalAchievement(v: ProgrammeView, a: GoalAchievementArgs) {
  const actor = requireActor(a.actor, 'programme.goal.achieve', { leadUnitId: v.leadUnitId });
  docRef(a.evidence, 'evidence', TEXT_LIMITS.evidence);
  comment(a.comment);
  const g = goalOf(v, a.goalId);
  if (g.status !== 'open') throw violation('goal.achievement-open', `goal ${g.id} is ${g.status}`, actor, {}, { status: g.status });
}
export function applyGoalAchievement(v: ProgrammeView, a: GoalAchievementArgs, now: number): GoalView {
  const g = goalOf(v, a.goalId);
  g.status = 'achieved';
  g.achievement = { evidence: docRef(a.evidence, 'evidence', TEXT_LIMITS.evidence)!, ...stamp(a.actor, now, a.comment) };
  refreshProgramme(v, now);
  return g;
}

export interface GoalVerificationArgs extends Acting {
  goalId: string;
  accept: boolean;
}
export function checkGoalVerification(v: ProgrammeView, a: GoalVerificationArgs) {
  const actor = requireActor(a.actor, 'programme.goal.verify', {});
  if (typeof a.accept !== 'boolean') throw invalidInput('accept', 'expected true or false');
  comment(a.comment, 'comment', !a.accept);
  const g = goalOf(v, a.goalId);
  if (g.status !== 'achieved')
    throw violation(
      'goal.verification-achieved',
      `only an achieved goal is verified; goal ${g.id} is ${g.status}`,
      actor,
      {},
      { status: g.status },
    );
}
export function applyGoalVerification(v: ProgrammeView, a: GoalVerificationArgs, now: number): GoalView {
  const g = goalOf(v, a.goalId);
  g.lastVerification = { accept: a.accept, ...stamp(a.actor, now, a.comment) };
  g.verifications += 1;
  if (a.accept) {
    g.status = 'closed';
    g.card = 'none';
    g.closedAt = new Date(now).toISOString();
  } else {
    g.status = 'open';
  }
  refreshProgramme(v, now);
  return g;
}

export function applyGoalRung(v: ProgrammeView, id: string, rung: FiredRung, now: number) {
  const g = goalOf(v, id);
  g.rungs.push(rung);
  if (g.status !== 'closed') g.card = worstCard(g.card, rungCard(rung.rung));
  refreshProgramme(v, now);
}

/** When a goal's ladder stopped (the goal closed); undefined while it runs. Rungs due before still fire. */
export const goalLadderStoppedAt = (g: GoalView): number | undefined =>
  g.status === 'closed' ? Date.parse(g.closedAt ?? '') || undefined : undefined;
