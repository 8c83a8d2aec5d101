import type { DataSource, Repository } from 'typeorm';
import { PrincipalEntity } from '../entities';
import type { Role } from '../../../domain/src';

/** A principal as stored: who, which role, and its scope (the unit, or the group, and their campaign). */
export interface Principal {
  id: string;
  name: string;
  role: Role;
  unitId?: string;
  groupId?: string;
  /** The campaign of the unit or group (none for office and auditors). */
  campaignId?: string;
}

const toPrincipal = (e: PrincipalEntity): Principal => ({
  id: e.id,
  name: e.name,
  role: e.role,
  ...(e.unitId ? { unitId: e.unitId } : {}),
  ...(e.groupId ? { groupId: e.groupId } : {}),
});

interface PrincipalRow {
  id: string;
  name: string;
  role: Principal['role'];
  unit_id: string | null;
  group_id: string | null;
  campaign_id: string | null;
}

/**
 * The one principal a condition finds (`p` is principals; other tables may join on it), with the campaign of its
 * unit or group: a token and a session reach the same scope.
 */
export async function principalWhere(dataSource: DataSource, where: string, params: unknown[], join = ''): Promise<Principal | undefined> {
  const rows = await dataSource.query<PrincipalRow[]>(
    `SELECT p.id, p.name, p.role, p.unit_id, p.group_id, COALESCE(u.campaign_id, g.campaign_id) AS campaign_id
       FROM principals p ${join}
       LEFT JOIN units u ON u.id = p.unit_id
       LEFT JOIN supervisory_groups g ON g.id = p.group_id
       WHERE ${where}`,
    params,
  );
  const r = rows.at(0);
  if (!r) return undefined;
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    ...(r.unit_id ? { unitId: r.unit_id } : {}),
    ...(r.group_id ? { groupId: r.group_id } : {}),
    ...(r.campaign_id ? { campaignId: r.campaign_id } : {}),
  };
}

export class PrincipalsRepository {
  private readonly repo: Repository<PrincipalEntity>;
  constructor(private readonly dataSource: DataSource) {
    this.repo = dataSource.getRepository(PrincipalEntity);
  }

  /** The principal of a token, with the campaign of its unit or group (its scope). */
  async findByTokenHash(tokenHash: string): Promise<Principal | undefined> {
    return principalWhere(this.dataSource, 'p.token_hash = $1', [tokenHash]);
  }

  async create(p: Omit<Principal, 'id'> & { tokenHash: string; createdBy: string | null }): Promise<Principal> {
    const saved = await this.repo.save(
      this.repo.create({
        name: p.name,
        role: p.role,
        unitId: p.unitId ?? null,
        groupId: p.groupId ?? null,
        tokenHash: p.tokenHash,
        createdBy: p.createdBy,
      }),
    );
    return toPrincipal(saved);
  }

  async countByRole(role: Principal['role']): Promise<number> {
    return this.repo.count({ where: { role } });
  }
}
