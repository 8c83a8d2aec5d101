import type { DataSource, Repository } from 'typeorm';
import { PrincipalEntity } from '../../../../libs/persistence/src';
import type { Principal } from '../auth/principal';

const toPrincipal = (e: PrincipalEntity): Principal => ({
  id: e.id,
  name: e.name,
  role: e.role,
  ...(e.unitId ? { unitId: e.unitId } : {}),
  ...(e.groupId ? { groupId: e.groupId } : {}),
});

export class PrincipalsRepository {
  private readonly repo: Repository<PrincipalEntity>;
  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(PrincipalEntity);
  }

  async findByTokenHash(tokenHash: string): Promise<Principal | undefined> {
    const e = await this.repo.findOne({ where: { tokenHash } });
    return e ? toPrincipal(e) : undefined;
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
