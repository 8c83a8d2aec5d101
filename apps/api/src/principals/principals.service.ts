import { DomainError, invalidInput, requireAccess, ROLE_REACH } from '../../../../libs/domain/src';
import { generateToken, hashToken, type Principal } from '../auth/principal';
import type { CampaignsRepository, PrincipalsRepository, UnitsRepository } from '../../../../libs/persistence/src';
import type { CreatePrincipalDto } from './principals.dto';

/** A body naming an id that does not exist: 404 (API.md: unknown id), naming the field. */
export const unknownReference = (field: string, what: string, id: string) =>
  new DomainError('NOT_FOUND', `${field}: ${what} ${id} not found`, { field, id });

export class PrincipalsService {
  constructor(
    private readonly principals: PrincipalsRepository,
    private readonly units: UnitsRepository,
    private readonly campaigns: CampaignsRepository,
  ) {}

  async create(by: Principal, dto: CreatePrincipalDto): Promise<Principal & { token: string }> {
    requireAccess(by, 'principal.create');
    // Scope follows the role's reach (ROLE_REACH): a unit principal needs its unit, a supervisor its group, nobody
    // else either.
    const reach = ROLE_REACH[dto.role];
    if (reach === 'unit') {
      if (!dto.unitId) throw invalidInput('unitId', `required for role ${dto.role}`);
      if (dto.groupId) throw invalidInput('groupId', `not allowed for role ${dto.role}`);
      if (!(await this.units.findById(dto.unitId))) throw unknownReference('unitId', 'unit', dto.unitId);
    } else if (reach === 'group') {
      if (!dto.groupId) throw invalidInput('groupId', `required for role ${dto.role}`);
      if (dto.unitId) throw invalidInput('unitId', `not allowed for role ${dto.role}`);
      if (!(await this.campaigns.findGroup(dto.groupId))) throw unknownReference('groupId', 'group', dto.groupId);
    } else {
      if (dto.unitId) throw invalidInput('unitId', `not allowed for role ${dto.role}`);
      if (dto.groupId) throw invalidInput('groupId', `not allowed for role ${dto.role}`);
    }
    const token = generateToken();
    const principal = await this.principals.create({
      name: dto.name,
      role: dto.role,
      unitId: dto.unitId,
      groupId: dto.groupId,
      tokenHash: hashToken(token),
      createdBy: by.id,
    });
    return { ...principal, token };
  }

  /** Seeds the first office principal. Returns the token only when one was created now. */
  async seedOffice(adminToken: string | undefined): Promise<{ created: boolean; token?: string; generated: boolean }> {
    const token = adminToken ?? generateToken();
    const hash = hashToken(token);
    if (await this.principals.findByTokenHash(hash)) return { created: false, generated: false };
    if (!adminToken && (await this.principals.countByRole('office')) > 0) return { created: false, generated: false };
    try {
      await this.principals.create({ name: 'campaign office', role: 'office', tokenHash: hash, createdBy: null });
    } catch (err) {
      // Another instance seeded it at the same moment.
      if (await this.principals.findByTokenHash(hash)) return { created: false, generated: false };
      throw err;
    }
    return { created: true, token, generated: !adminToken };
  }
}
