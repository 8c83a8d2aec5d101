// Rectification items: routed by the unit id embedded in the item id; each effective item is its own
// workflow. Before the task book takes effect an item exists only in the unit's task book (status pending).
import {
  DomainError,
  notFound,
  ruleViolation,
  unitIdOfItem,
  itemWorkflowId,
  type Actor,
  type ItemView,
} from '../../../../libs/domain/src';
import {
  carryOverUpdate,
  decideExtensionUpdate,
  itemStateQuery,
  reportProgressUpdate,
  requestExtensionUpdate,
  submitCompletionUpdate,
  verifyItemUpdate,
} from '../../../../workflows/definitions';
import type { UpdateDefinition } from '@temporalio/common';
import { AccessPolicy } from '../auth/access-policy';
import { actorOf, type Principal } from '../auth/principal';
import type { UnitRecord } from '../repositories/units.repository';
import type { UnitsService } from '../units/units.service';
import type { WorkflowGateway } from '../workflow/workflow-gateway';
import type { CarryOverDto, CompletionDto, ExtensionRequestDto, ProgressDto, VerificationDto } from './items.dto';
import type { DecisionDto } from '../units/units.dto';
import type { ReadModelRepository } from '../repositories/read-model.repository';
import { pageOf, type PageQueryDto } from '../common/dto';

/** An item outside the caller's scope is answered as an unknown item. */
const asItem = (itemId: string) => ({ what: 'item', id: itemId });

export class ItemsService {
  constructor(
    private readonly units: UnitsService,
    private readonly workflows: WorkflowGateway,
    private readonly readModel: ReadModelRepository,
  ) {}

  /** The unit's items in effect, from the read model (a supervisor's worklist: what is submitted, what is carded). */
  async listForUnit(by: Principal, unitId: string, q: PageQueryDto) {
    const unit = await this.units.mustFind(unitId);
    AccessPolicy.canRead(by, unit);
    const { offset, limit } = pageOf(q);
    return this.readModel.itemsOfUnit(unitId, offset, limit);
  }

  async get(by: Principal, itemId: string): Promise<ItemView> {
    const unit = await this.unitOf(itemId);
    AccessPolicy.canRead(by, unit, { what: 'item', id: itemId });
    const live = await this.workflows.query(itemStateQuery, itemWorkflowId(itemId));
    if (live) return live;
    return this.pendingView(unit, itemId);
  }

  async reportProgress(by: Principal, itemId: string, dto: ProgressDto) {
    const unit = await this.unitOf(itemId);
    return this.send(by, unit, itemId, () => AccessPolicy.actsFor(by, unit, 'report progress', asItem(itemId)), reportProgressUpdate, 'POST /api/items/:itemId/progress', { ...dto });
  }

  async submitCompletion(by: Principal, itemId: string, dto: CompletionDto) {
    const unit = await this.unitOf(itemId);
    return this.send(by, unit, itemId, () => AccessPolicy.actsFor(by, unit, 'submit completion', asItem(itemId)), submitCompletionUpdate, 'POST /api/items/:itemId/completion', { evidence: dto.evidence });
  }

  async verify(by: Principal, itemId: string, dto: VerificationDto) {
    const unit = await this.unitOf(itemId);
    return this.send(by, unit, itemId, () => AccessPolicy.supervises(by, unit, 'verify items', asItem(itemId)), verifyItemUpdate, 'POST /api/items/:itemId/verification', { accept: dto.accept, comment: dto.comment });
  }

  async requestExtension(by: Principal, itemId: string, dto: ExtensionRequestDto) {
    const unit = await this.unitOf(itemId);
    return this.send(by, unit, itemId, () => AccessPolicy.actsFor(by, unit, 'request extensions', asItem(itemId)), requestExtensionUpdate, 'POST /api/items/:itemId/extensions', {
      newDeadline: dto.newDeadline,
      reason: dto.reason,
    });
  }

  async decideExtension(by: Principal, itemId: string, extensionId: string, dto: DecisionDto) {
    const unit = await this.unitOf(itemId);
    return this.send(by, unit, itemId, () => AccessPolicy.supervises(by, unit, 'decide extensions', asItem(itemId)), decideExtensionUpdate, 'POST /api/items/:itemId/extensions/:eid/decision', {
      extensionId,
      approve: dto.approve,
      comment: dto.comment,
    });
  }

  async carryOver(by: Principal, itemId: string, dto: CarryOverDto) {
    const unit = await this.unitOf(itemId);
    const authorize = () => {
      AccessPolicy.canRead(by, unit, asItem(itemId));
      AccessPolicy.office(by, 'carry items into long-term rules');
    };
    return this.send(by, unit, itemId, authorize, carryOverUpdate, 'POST /api/items/:itemId/carry-over', { rule: dto.rule, comment: dto.comment });
  }

  // ---------- helpers ----------

  private async unitOf(itemId: string): Promise<UnitRecord> {
    const unitId = unitIdOfItem(itemId);
    if (!unitId) throw notFound('item', itemId);
    // Only an unknown unit means an unknown item: an outage (or anything else) is not a 404.
    try {
      return await this.units.mustFind(unitId);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'NOT_FOUND') throw notFound('item', itemId);
      throw err;
    }
  }

  /** The item as the unit's task book holds it, before its own workflow runs. */
  private async pendingView(unit: UnitRecord, itemId: string): Promise<ItemView> {
    const view = await this.units.view(unit);
    const item = view.taskBook?.items.find((i) => i.id === itemId);
    if (!item) throw notFound('item', itemId);
    return {
      id: item.id,
      unitId: unit.id,
      campaignId: unit.campaignId,
      groupId: unit.groupId,
      measure: item.measure,
      owner: item.owner,
      problemIds: item.problemIds,
      deadline: item.deadline,
      status: 'pending',
      card: 'none',
      rungs: [],
      progress: [],
      extensions: [],
      verifications: [],
      version: 0,
      updatedAt: view.updatedAt,
    };
  }

  private send<Ret, A extends object>(
    by: Principal,
    unit: UnitRecord,
    itemId: string,
    authorize: () => void,
    def: UpdateDefinition<Ret, [A & { actor: Actor }]>,
    route: string,
    args: A,
  ): Promise<Ret> {
    const actor = actorOf(by);
    return this.workflows.update(def, itemWorkflowId(itemId), { ...args, actor } as A & { actor: Actor }, {
      actor,
      route,
      unitId: unit.id,
      itemId,
      authorize,
      whenNotRunning: async () => {
        // Not running: either no such item, or its task book has not taken effect, or it has ended.
        await this.pendingView(unit, itemId);
        return ruleViolation('item.running', `item ${itemId} is not open for changes: its task book has not taken effect, or the item has ended`);
      },
    });
  }
}
