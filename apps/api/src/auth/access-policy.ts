// Scope rules of API.md / DOMAIN.md, checked by the services (a guard only knows the role). One rule for every
// object and list: outside the caller's scope an object is answered as unknown (404, worded as for an id that
// does not exist, naming nobody else); inside it, a call the caller may not make is a 403 naming the rule.
// Rule names are the workflows' own (libs/domain lifecycle.ts), so a refusal reads the same wherever it was made.
import { DomainError, notFound, type Role } from '../../../../libs/domain/src';
import type { Principal } from './principal';

export interface Scoped {
  /** The unit's id. */
  id: string;
  /** The unit's assigned supervisory group. */
  groupId: string;
  /** The unit's campaign (unknown for a programme's lead unit, which only needs its id). */
  campaignId?: string;
}

/** How an object outside the caller's scope is named in its 404 (the id the caller gave). */
export interface Hidden {
  what: string;
  id: string;
}

const refuse = (rule: string, message: string, p: Principal) =>
  new DomainError('FORBIDDEN', `${message} (rule: ${rule})`, { rule, role: p.role, actorId: p.id, params: { role: p.role } });

/**
 * The 404 of an object outside the caller's scope: the same answer as for an unknown id. Only the audit log
 * learns why (`hiddenBy`, never shown to the caller, like `actorId`).
 */
const hidden = (as: Hidden, p: Principal) => {
  const err = notFound(as.what, as.id);
  Object.assign(err.details, { hiddenBy: 'actor.scope', actorId: p.id });
  return err;
};

const requireRole = (p: Principal, roles: Role[], what: string) => {
  if (!roles.includes(p.role)) throw refuse('actor.role', `role ${p.role} may not ${what}`, p);
};

/** office and auditor see every unit; a supervisor the units of its group; a unit principal its own unit. */
const seesUnit = (p: Principal, unit: Scoped): boolean =>
  p.role === 'office' || p.role === 'auditor' || (p.role === 'supervisor' && p.groupId === unit.groupId) || (p.role === 'unit' && p.unitId === unit.id);

export const AccessPolicy = {
  requireRole,
  seesUnit,

  /** office, auditor, the unit's supervisors, the unit itself; anyone else is told the unit does not exist. */
  canRead(p: Principal, unit: Scoped, as: Hidden = { what: 'unit', id: unit.id }): void {
    if (!seesUnit(p, unit)) throw hidden(as, p);
  },

  /** Only the unit's own principals act for it (a unit acts for itself alone). */
  actsFor(p: Principal, unit: Scoped, what: string, as: Hidden = { what: 'unit', id: unit.id }): void {
    AccessPolicy.canRead(p, unit, as);
    if (p.role !== 'unit') throw refuse('actor.unit-only', `${what} is done by the unit itself, not by role ${p.role}`, p);
  },

  /** Only a supervisor of the unit's assigned group decides for it; a unit never decides for itself. */
  supervises(p: Principal, unit: Scoped, what: string, as: Hidden = { what: 'unit', id: unit.id }): void {
    AccessPolicy.canRead(p, unit, as);
    if (p.role === 'unit') throw refuse('actor.no-self-approval', `a unit never decides its own ${what}; a supervisor of its assigned group does`, p);
    if (p.role !== 'supervisor') throw refuse('actor.supervisor-only', `${what} is decided by a supervisor of the unit's assigned group, not by role ${p.role}`, p);
  },

  /** A programme is read by every role; only its lead unit records what it achieved. */
  leads(p: Principal, leadUnitId: string, what: string): void {
    if (p.role !== 'unit') throw refuse('actor.unit-only', `${what} is done by the programme's lead unit, not by role ${p.role}`, p);
    if (p.unitId !== leadUnitId) throw refuse('programme.lead-unit', `${what} is done by the programme's lead unit only`, p);
  },

  office(p: Principal, what: string): void {
    if (p.role !== 'office') throw refuse('actor.office-only', `${what} is done by the campaign office, not by role ${p.role}`, p);
  },

  /** A campaign is in scope for the office and auditors, and for the principals of its units and groups. */
  seesCampaign(p: Principal, campaignId: string): boolean {
    return p.role === 'office' || p.role === 'auditor' || p.campaignId === campaignId;
  },

  canReadCampaign(p: Principal, campaignId: string): void {
    if (!AccessPolicy.seesCampaign(p, campaignId)) throw hidden({ what: 'campaign', id: campaignId }, p);
  },

  /** A supervisory group: office and auditors see every group, a supervisor only its own. */
  canReadGroup(p: Principal, group: { id: string; campaignId: string }): void {
    const sees = p.role === 'office' || p.role === 'auditor' || (p.role === 'supervisor' && p.groupId === group.id);
    if (!sees) throw hidden({ what: 'group', id: group.id }, p);
  },

  /** A list filtered to what the caller sees: a supervisor's lists hold its own group only. */
  groupFilter(p: Principal): string | undefined {
    return p.role === 'supervisor' ? p.groupId : undefined;
  },
};
