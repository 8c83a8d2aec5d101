// Who may do what: one table, read by the API's guard and services, by the workflows' update validators (through
// the rules' checks) and by the console, so that a refusal names the same rule wherever it is made.
//
// Each action names the roles that may take it and the scope rule its object must meet. A role reaches objects
// by ROLE_REACH: the office and auditors every campaign, a supervisor its group's units, a unit principal its
// own unit. Outside its reach an object is answered as unknown (404, like an id that does not exist) when the
// caller asks for that (`hidden`: the API); inside it, an action the caller may not take is refused (403)
// naming the rule.
import { DomainError, notFound, type RefusalParams } from './errors';
import { ROLES, type ActorRole, type Role } from './types';

/** How far a role reaches: everything, the units of its supervisory group, or its own unit. */
export const ROLE_REACH = {
  office: 'everything',
  auditor: 'everything',
  supervisor: 'group',
  unit: 'unit',
} as const satisfies Record<Role, 'everything' | 'group' | 'unit'>;

/**
 * The scope rule an action's object must meet, besides the caller's role:
 * - `anyone`: no object (or every object of the kind) — the role decides alone;
 * - `campaign`, `group`, `unit`: the campaign, the supervisory group or the unit is in the caller's reach;
 * - `own-unit`: the unit is the caller's own (a unit acts for itself alone);
 * - `assigned-group`: the unit's assigned group is the caller's (a supervisor decides for its group's units);
 * - `lead-unit`: the caller is the programme's lead unit.
 */
export type AccessScope = 'anyone' | 'campaign' | 'group' | 'unit' | 'own-unit' | 'assigned-group' | 'lead-unit';

export interface AccessRule {
  /** Who may: principals' roles, and `public` for the public channel (no token, rate-limited). */
  roles: readonly ActorRole[];
  scope: AccessScope;
  /** What the action is, in a refusal's message ("adding a record"). */
  what: string;
  /**
   * Role and scope are checked where the decision is sent, after the object is found, so that a refusal is
   * audited with it; the route's door only authenticates. Otherwise the door refuses a role before anything else.
   */
  decision?: true;
  /** The rule a unit is refused with when it would decide its own case (a supervisor's decision). */
  selfRule?: string;
}

/** Every signed-in role: a new role can read who it is, sign out and see campaigns without another entry. */
const EVERY_ROLE = ROLES;
const OVERSIGHT = ['office', 'auditor', 'supervisor'] as const satisfies readonly Role[];
/** The public channel (群众): citizens, and the office relaying what they sent. */
const PUBLIC_CHANNEL = ['public', 'office'] as const satisfies readonly ActorRole[];

const read = (roles: readonly Role[], scope: AccessScope, what: string): AccessRule => ({ roles, scope, what });
const office = (what: string, scope: AccessScope = 'anyone'): AccessRule => ({ roles: ['office'], scope, what });
const byUnit = (what: string): AccessRule => ({ roles: ['unit'], scope: 'own-unit', what, decision: true });
const bySupervisor = (what: string, selfRule: string): AccessRule => ({
  roles: ['supervisor'],
  scope: 'assigned-group',
  what,
  decision: true,
  selfRule,
});
const publicChannel = (what: string): AccessRule => ({ roles: PUBLIC_CHANNEL, scope: 'anyone', what });
const publicRead = (what: string): AccessRule => ({ roles: ['public'], scope: 'anyone', what });

/** The access table: every action of the API and of the workflows' updates. */
export const ACCESS = {
  // principals and sessions
  'principal.create': office('create principals'),
  'principal.list': office('list principals'),
  'principal.me': read(EVERY_ROLE, 'anyone', 'read who they are'),
  'sign-in-link.create': office('make sign-in links'),
  'session.start': publicRead('sign in with a link'),
  'session.end': read(EVERY_ROLE, 'anyone', 'sign out'),

  // campaigns, groups, enrolment
  'campaign.create': office('create campaigns'),
  'campaign.list': read(EVERY_ROLE, 'anyone', 'list campaigns'),
  'campaign.read': read(EVERY_ROLE, 'campaign', 'read campaigns'),
  'campaign.start': office('start campaigns'),
  'campaign.publish': office('publish campaigns'),
  'campaign.dashboard': read(['office', 'auditor'], 'campaign', 'read the dashboard'),
  'campaign.measures.list': read(['office', 'auditor'], 'campaign', "list a campaign's cadre measures"),
  // a running campaign's plan, changed by version (日程调整): previewed, applied, listed with their diffs
  'campaign.plan-change.preview': office('preview plan changes'),
  'campaign.plan-change.apply': office('change plans'),
  'campaign.plan-versions.list': read(['office', 'auditor'], 'campaign', 'list plan versions'),
  'group.create': office('form supervisory groups'),
  'group.list': read(['office', 'supervisor', 'auditor'], 'campaign', 'list supervisory groups'),
  'group.read': read(['office', 'supervisor', 'auditor'], 'group', 'read a supervisory group'),
  'unit.enrol': office('enrol units'),
  'unit.list': read(['office', 'supervisor', 'auditor'], 'campaign', 'list units'),
  'holidays.read': read(['office', 'auditor'], 'anyone', 'read holiday arrangements'),
  'holidays.load': office('load holiday arrangements'),
  'inbox.read': read(['supervisor', 'office'], 'anyone', 'read an inbox'),

  // a unit's lifecycle
  'unit.read': read(EVERY_ROLE, 'unit', 'read units'),
  'unit.opinion-contact.read': office("read a citizen's contact", 'unit'),
  'unit.opinion-contact.erase': office("erase a citizen's contact", 'unit'),
  'unit.records.add': byUnit('adding a record'),
  'unit.opinions.add': publicChannel('an opinion'),
  'unit.problems.add': byUnit('adding a problem'),
  'unit.meeting.schedule': byUnit('scheduling the meeting'),
  'unit.meeting.attend': bySupervisor('meeting attendance', 'meeting.attendance-by-group'),
  'unit.meeting.held': byUnit('recording the meeting'),
  'unit.transition.request': byUnit('requesting a transition'),
  'unit.transition.decide': bySupervisor('transition', 'transition.no-self-approval'),
  'unit.task-book.set': byUnit('setting the task book'),
  'unit.task-book.publish': byUnit('publishing the task book'),
  'unit.objections.file': publicChannel('an objection'),
  'unit.objections.answer': byUnit('answering an objection'),

  // rectification items
  'item.read': read(EVERY_ROLE, 'unit', 'read items'),
  'item.progress.report': byUnit('reporting progress'),
  'item.completion.submit': byUnit('submitting completion'),
  'item.verify': bySupervisor('item verification', 'item.verification-by-group'),
  'item.extension.request': byUnit('requesting an extension'),
  'item.extension.decide': bySupervisor('extension', 'extension.no-self-approval'),
  'item.carry-over': { roles: ['office'], scope: 'unit', what: 'carrying an item into a long-term rule', decision: true },

  // escalations and cadre measures
  'escalation.list': read(OVERSIGHT, 'campaign', 'list escalations'),
  'escalation.dossier.read': read(OVERSIGHT, 'group', 'read a referral dossier'),
  'measure.record': office('record cadre measures'),
  'measure.confirm': office('confirm cadre measures'),
  'unit.measures.read': read(EVERY_ROLE, 'unit', "read a unit's cadre measures"),

  // city-wide programmes
  'programme.create': office('define programmes'),
  'programme.list': read(EVERY_ROLE, 'anyone', 'list programmes'),
  'programme.read': read(EVERY_ROLE, 'anyone', 'read programmes'),
  'programme.goal.achieve': { roles: ['unit'], scope: 'lead-unit', what: 'recording goal achievement', decision: true },
  'programme.goal.verify': { roles: ['office'], scope: 'anyone', what: 'verifying a programme goal', decision: true },

  // audit
  'audit.timeline.read': read(OVERSIGHT, 'unit', "read a unit's timeline"),
  'audit.history.export': read(['auditor'], 'anyone', 'export a workflow history'),
  'audit.replay.start': read(['auditor'], 'anyone', 'replay histories'),
  'audit.replay.read': read(['auditor'], 'anyone', 'read a replay job'),
  'audit.reconcile': read(['auditor'], 'anyone', 'reconcile the read model'),
  'audit.stuck-runs.read': read(['auditor', 'office'], 'anyone', 'read the stuck runs'),
  'audit.resets.read': read(['auditor', 'office'], 'anyone', 'read the resets of workflow runs'),

  // rehearsals (预演): whole campaigns simulated on the time-skipping test server, never on live data
  'simulation.start': office('run simulations'),
  'simulation.read': office('read simulations'),

  // the public disclosure (公示)
  'public.read': publicRead('read the public disclosure'),
} as const satisfies Record<string, AccessRule>;
export type Action = keyof typeof ACCESS;

export const accessRule = (action: Action): AccessRule => ACCESS[action];
/** The action is taken on the public channel: no token, rate-limited per address. */
export const isPublicAction = (action: Action): boolean => accessRule(action).roles.includes('public');

/** Who asks: a principal (API) or the actor an update carries (workflows). */
export interface AccessSubject {
  id: string;
  role: ActorRole;
  unitId?: string;
  groupId?: string;
  /** The campaign of the unit or group (none for office and auditors). */
  campaignId?: string;
}

/** What an action is taken on; the fields its scope needs. */
export interface AccessTarget {
  unitId?: string;
  /** The unit's assigned group, or the group itself. */
  groupId?: string;
  campaignId?: string;
  leadUnitId?: string;
  /**
   * Outside the caller's reach, answer as for an unknown object with this name (the API: 404 naming nobody
   * else). Without it (the workflows: the object is the workflow that was asked), the scope rule refuses.
   */
  hidden?: { what: string; id: string };
}

/** Is the object in the caller's reach (ROLE_REACH)? */
export function reaches(by: AccessSubject, scope: 'campaign' | 'group' | 'unit', target: AccessTarget): boolean {
  const reach = by.role in ROLE_REACH ? ROLE_REACH[by.role as Role] : undefined;
  if (reach === 'everything') return true;
  if (scope === 'campaign') return !!reach && by.campaignId !== undefined && by.campaignId === need(target, 'campaignId', scope);
  if (reach === 'group') return by.groupId !== undefined && by.groupId === need(target, 'groupId', scope);
  if (reach === 'unit' && scope === 'unit') return by.unitId !== undefined && by.unitId === need(target, 'unitId', scope);
  return false;
}

/** The list a caller sees is narrowed to its reach: a supervisor's lists hold its own group only. */
export const reachFilter = (by: AccessSubject): { groupId?: string } =>
  ROLE_REACH[by.role as Role] === 'group' ? { groupId: by.groupId } : {};

function need(target: AccessTarget, field: 'unitId' | 'groupId' | 'campaignId' | 'leadUnitId', scope: AccessScope): string {
  const value = target[field];
  // A programming error, not a refusal: the service did not say what the action is taken on.
  if (typeof value !== 'string') throw new Error(`access scope ${scope} needs the target's ${field}`);
  return value;
}

/** Rules a single-role action is refused with, for any other role. */
const ONLY_RULES: Partial<Record<ActorRole, string>> = {
  office: 'actor.office-only',
  unit: 'actor.unit-only',
  supervisor: 'actor.supervisor-only',
};

const forbid = (by: AccessSubject, rule: string, message: string, params: RefusalParams = {}) =>
  new DomainError('FORBIDDEN', `${message} (actor ${by.id}, ${by.role}) (rule: ${rule})`, {
    rule,
    actorId: by.id,
    params: { ...params, role: by.role },
  });

/** The refusal of `by`'s role for the action, if its role may not take it. */
function roleRefusal(by: AccessSubject, action: Action, rule: AccessRule): DomainError | undefined {
  if (rule.roles.includes(by.role)) return undefined;
  const params = { action: rule.what };
  if (rule.selfRule && by.role === 'unit')
    return forbid(by, rule.selfRule, `a unit never decides its own ${rule.what}; a supervisor of its assigned group does`, params);
  if (rule.roles.includes('public'))
    return forbid(by, 'actor.public-channel', `${rule.what} arrives through the public channel, not from role ${by.role}`, params);
  const only = rule.roles.length === 1 ? ONLY_RULES[rule.roles[0]] : undefined;
  if (only === 'actor.unit-only') return forbid(by, only, `${rule.what} is done by the unit itself, not by role ${by.role}`, params);
  if (only === 'actor.supervisor-only')
    return forbid(by, only, `${rule.what} is decided by a supervisor of the unit's assigned group, not by role ${by.role}`, params);
  if (only === 'actor.office-only') return forbid(by, only, `${rule.what} is done by the campaign office, not by role ${by.role}`, params);
  return forbid(by, 'actor.role', `role ${by.role} may not ${rule.what} (allowed: ${rule.roles.join(', ')})`, { ...params, action });
}

/** The refusal of the object's scope rule, if the caller's role may act but not on this object. */
function scopeRefusal(by: AccessSubject, rule: AccessRule, target: AccessTarget): DomainError | undefined {
  const params = { action: rule.what };
  switch (rule.scope) {
    case 'anyone':
      return undefined;
    case 'campaign':
    case 'group':
    case 'unit':
      return reaches(by, rule.scope, target) ? undefined : forbid(by, 'actor.scope', `${rule.what}: outside the caller's scope`, params);
    case 'own-unit': {
      const unitId = need(target, 'unitId', rule.scope);
      if (by.unitId === unitId) return undefined;
      return forbid(by, 'actor.unit-scope', `${rule.what}: unit principal of ${by.unitId ?? '(none)'} cannot act for unit ${unitId}`, {
        ...params,
        unitId,
      });
    }
    case 'assigned-group': {
      const groupId = need(target, 'groupId', rule.scope);
      if (by.groupId === groupId) return undefined;
      return forbid(
        by,
        'actor.supervisor-group',
        `${rule.what}: supervisor of group ${by.groupId ?? '(none)'} is not assigned to this unit (group ${groupId})`,
        {
          ...params,
          groupId,
        },
      );
    }
    case 'lead-unit':
      return by.unitId === need(target, 'leadUnitId', rule.scope)
        ? undefined
        : forbid(by, 'programme.lead-unit', `${rule.what} is done by the programme's lead unit only`, params);
  }
}

/** The scope whose reach hides an object: the object's own, or the unit's for actions on a unit. */
const hidingScope = (scope: AccessScope): 'campaign' | 'group' | 'unit' | undefined =>
  scope === 'campaign' || scope === 'group' || scope === 'unit'
    ? scope
    : scope === 'own-unit' || scope === 'assigned-group'
      ? 'unit'
      : undefined;

/**
 * Refuses `by` the action unless the table admits it. Without a target only the role is checked (a route's door);
 * with one, the object's scope too — first whether the object is in reach at all when `target.hidden` names it
 * (answered as unknown: 404), then the role, then the scope rule (403, naming the rule).
 */
export function requireAccess<S extends AccessSubject>(by: S, action: Action, target?: AccessTarget): S {
  const rule = accessRule(action);
  const hiding = target?.hidden ? hidingScope(rule.scope) : undefined;
  if (target?.hidden && hiding && !reaches(by, hiding, target)) {
    const err = notFound(target.hidden.what, target.hidden.id);
    // Only the audit log learns why (never shown to the caller, like actorId).
    Object.assign(err.details, { hiddenBy: 'actor.scope', actorId: by.id });
    throw err;
  }
  const refusal = roleRefusal(by, action, rule) ?? (target ? scopeRefusal(by, rule, target) : undefined);
  if (refusal) throw refusal;
  return by;
}

/** Whether `by` may take the action (on the target, if one is given): for showing or hiding what a caller may do. */
export function mayAccess(by: AccessSubject, action: Action, target?: AccessTarget): boolean {
  const rule = accessRule(action);
  if (roleRefusal(by, action, rule)) return false;
  if (!target) return true;
  const hiding = hidingScope(rule.scope);
  if (hiding && !reaches(by, hiding, target)) return false;
  return !scopeRefusal(by, rule, target);
}
