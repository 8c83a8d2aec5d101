// Scope rules of API.md / DOMAIN.md, checked by the services (a guard only knows the role).
import { forbidden, type Role } from '../../../../libs/domain/src';
import type { Principal } from './principal';

export interface Scoped {
  /** The unit's id. */
  id: string;
  /** The unit's assigned supervisory group. */
  groupId: string;
}

const requireRole = (p: Principal, roles: Role[], what: string) => {
  if (!roles.includes(p.role)) throw forbidden(`role ${p.role} may not ${what}`, { role: p.role });
};

export const AccessPolicy = {
  requireRole,

  /** office, auditor, the unit's supervisors, the unit itself. */
  canRead(p: Principal, unit: Scoped): void {
    if (p.role === 'office' || p.role === 'auditor') return;
    if (p.role === 'supervisor' && p.groupId === unit.groupId) return;
    if (p.role === 'unit' && p.unitId === unit.id) return;
    throw forbidden(
      p.role === 'supervisor' ? `supervisory group ${p.groupId} is not assigned to unit ${unit.id}` : `principal ${p.id} may not read unit ${unit.id}`,
      { role: p.role },
    );
  },

  /** Only the unit's own principals act for it (a unit acts for itself alone). */
  actsFor(p: Principal, unit: Scoped, what: string): void {
    requireRole(p, ['unit'], what);
    if (p.unitId !== unit.id) throw forbidden(`principal ${p.id} acts for unit ${p.unitId}, not for unit ${unit.id}`, { role: p.role });
  },

  /** Only a supervisor of the unit's assigned group decides for it. */
  supervises(p: Principal, unit: Scoped, what: string): void {
    requireRole(p, ['supervisor'], what);
    if (p.groupId !== unit.groupId)
      throw forbidden(`supervisory group ${p.groupId} is not assigned to unit ${unit.id}`, { role: p.role, rule: 'supervisor.assigned-group' });
  },

  office(p: Principal, what: string): void {
    requireRole(p, ['office'], what);
  },
};
