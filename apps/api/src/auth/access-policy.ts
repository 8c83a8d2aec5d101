// Scope rules of API.md / DOMAIN.md, checked by the services (a guard only knows the role). Rule names are
// the workflows' own (libs/domain lifecycle.ts), so a refusal reads the same wherever it was made.
import { DomainError, type Role } from '../../../../libs/domain/src';
import type { Principal } from './principal';

export interface Scoped {
  /** The unit's id. */
  id: string;
  /** The unit's assigned supervisory group. */
  groupId: string;
}

const refuse = (rule: string, message: string, p: Principal) =>
  new DomainError('FORBIDDEN', `${message} (rule: ${rule})`, { rule, role: p.role, actorId: p.id });

const requireRole = (p: Principal, roles: Role[], what: string) => {
  if (!roles.includes(p.role)) throw refuse('actor.role', `role ${p.role} may not ${what}`, p);
};

export const AccessPolicy = {
  requireRole,

  /** office, auditor, the unit's supervisors, the unit itself. */
  canRead(p: Principal, unit: Scoped): void {
    if (p.role === 'office' || p.role === 'auditor') return;
    if (p.role === 'supervisor' && p.groupId === unit.groupId) return;
    if (p.role === 'unit' && p.unitId === unit.id) return;
    throw p.role === 'supervisor'
      ? refuse('actor.supervisor-group', `supervisory group ${p.groupId} is not assigned to unit ${unit.id}`, p)
      : refuse('actor.unit-scope', `principal ${p.id} may not read unit ${unit.id}`, p);
  },

  /** Only the unit's own principals act for it (a unit acts for itself alone). */
  actsFor(p: Principal, unit: Scoped, what: string): void {
    if (p.role !== 'unit') throw refuse('actor.unit-only', `${what} is done by the unit itself, not by role ${p.role}`, p);
    if (p.unitId !== unit.id) throw refuse('actor.unit-scope', `principal ${p.id} acts for unit ${p.unitId}, not for unit ${unit.id}`, p);
  },

  /** Only a supervisor of the unit's assigned group decides for it; a unit never decides for itself. */
  supervises(p: Principal, unit: Scoped, what: string): void {
    if (p.role === 'unit') throw refuse('actor.no-self-approval', `a unit never decides its own ${what}; a supervisor of group ${unit.groupId} does`, p);
    if (p.role !== 'supervisor') throw refuse('actor.supervisor-only', `${what} is decided by a supervisor of group ${unit.groupId}, not by role ${p.role}`, p);
    if (p.groupId !== unit.groupId) throw refuse('actor.supervisor-group', `supervisory group ${p.groupId} is not assigned to unit ${unit.id}`, p);
  },

  office(p: Principal, what: string): void {
    if (p.role !== 'office') throw refuse('actor.office-only', `${what} is done by the campaign office, not by role ${p.role}`, p);
  },
};
