// Rectification items: routed by the unit id embedded in the item id; each effective item is its own
// workflow. Before the task book takes effect an item exists only in the unit's task book (status pending).
import {
  DomainError,
  notFound,
  requireAccess,
  ruleViolation,
  unitIdOfItem,
  itemWorkflowId,
  type Actor,
  type ItemEntryKind,
  type ItemView,
} from '../../../../libs/domain/src';
import {
  carryOverUpdate,
  decideExtensionUpdate,
  reportProgressUpdate,
  requestExtensionUpdate,
  submitCompletionUpdate,
  verifyItemUpdate,
} from '../../../../libs/contracts/src';
import type { UpdateDefinition } from '@temporalio/common';
import { onUnit } from '../auth/targets';
import { actorOf, type Principal } from '../auth/principal';
import type { EntriesRepository, ReadModelRepository, UnitRecord, ViewsRepository } from '../../../../libs/persistence/src';
import type { UnitsService } from '../units/units.service';
import type { WorkflowGateway } from '../workflow/workflow-gateway';
import { sendDecision } from '../workflow/decide';
import type { CarryOverDto, CompletionDto, ExtensionRequestDto, ProgressDto, VerificationDto } from './items.dto';
import type { DecisionDto } from '../units/units.dto';
import { readAtLeast } from '../common/read-your-writes';
import type { TextSession, TextStore } from '../common/texts';
import { pageOf, type PageQueryDto } from '../common/dto';

/** What an item accumulates, listed page by page (GET /api/items/:itemId/<list>). */
export const ITEM_LISTS = { progress: 'progress', extensions: 'extension', verifications: 'verification' } as const satisfies Record<
  string,
  ItemEntryKind
>;
export type ItemList = keyof typeof ITEM_LISTS;
/** An item as the API answers it: its view as last projected; `projectedAt` is null while it is pending. */
export type ItemAnswer = ItemView & { projectedAt: string | null };
/** An item outside the caller's scope is answered as an unknown item. */
const asItem = (itemId: string) => ({ what: 'item', id: itemId });

export class ItemsService {
  constructor(
    private readonly units: UnitsService,
    private readonly workflows: WorkflowGateway,
    private readonly readModel: ReadModelRepository,
    private readonly views: ViewsRepository,
    private readonly texts: TextStore,
    private readonly entries: EntriesRepository,
  ) {}

  /** The unit's items in effect, from the read model (a supervisor's worklist: what is submitted, what is carded). */
  async listForUnit(by: Principal, unitId: string, q: PageQueryDto) {
    const unit = await this.units.mustFind(unitId);
    requireAccess(by, 'item.read', onUnit(unit));
    const { offset, limit } = pageOf(q);
    return this.texts.hydrate(await this.readModel.itemsOfUnit(unitId, offset, limit));
  }

  /**
   * From the read model (never from the workflow); `pending` while the task book has not taken effect. With
   * `minVersion`, waits briefly until the read model has that version of the item (read your own writes).
   */
  async get(by: Principal, itemId: string, minVersion?: number): Promise<ItemAnswer> {
    const unit = await this.unitOf(itemId);
    requireAccess(by, 'item.read', onUnit(unit, asItem(itemId)));
    const projected = await readAtLeast(() => this.views.item(itemId), minVersion, `item ${itemId}`);
    if (projected) return this.texts.hydrate({ ...projected.view, projectedAt: projected.projectedAt });
    return this.texts.hydrate({ ...(await this.pendingView(unit, itemId)), projectedAt: null });
  }

  /** One page of the item's progress notes, extensions or verifications, oldest first, with their texts. */
  async list(by: Principal, itemId: string, list: ItemList, q: PageQueryDto) {
    const unit = await this.unitOf(itemId);
    requireAccess(by, 'item.read', onUnit(unit));
    const { offset, limit } = pageOf(q);
    return this.texts.hydrate(await this.entries.list(itemId, ITEM_LISTS[list], offset, limit));
  }

  async reportProgress(by: Principal, itemId: string, dto: ProgressDto) {
    const unit = await this.unitOf(itemId);
    const authorize = () => requireAccess(by, 'item.progress.report', onUnit(unit, asItem(itemId)));
    return this.send(by, unit, itemId, authorize, reportProgressUpdate, 'POST /api/items/:itemId/progress', dto, async (texts) => ({
      note: await texts.doc(dto.note),
      ...(dto.evidenceUri != null ? { evidenceUri: dto.evidenceUri } : {}),
    }));
  }

  async submitCompletion(by: Principal, itemId: string, dto: CompletionDto) {
    const unit = await this.unitOf(itemId);
    const authorize = () => requireAccess(by, 'item.completion.submit', onUnit(unit, asItem(itemId)));
    const view = await this.send(
      by,
      unit,
      itemId,
      authorize,
      submitCompletionUpdate,
      'POST /api/items/:itemId/completion',
      dto,
      async (texts) => ({
        evidence: await texts.doc(dto.evidence),
      }),
    );
    return this.texts.hydrate(view);
  }

  async verify(by: Principal, itemId: string, dto: VerificationDto) {
    const unit = await this.unitOf(itemId);
    const authorize = () => requireAccess(by, 'item.verify', onUnit(unit, asItem(itemId)));
    const view = await this.send(
      by,
      unit,
      itemId,
      authorize,
      verifyItemUpdate,
      'POST /api/items/:itemId/verification',
      dto,
      async (texts) => {
        const comment = await texts.comment(dto.comment);
        return { accept: dto.accept, ...(comment !== undefined ? { comment } : {}) };
      },
    );
    return this.texts.hydrate(view);
  }

  async requestExtension(by: Principal, itemId: string, dto: ExtensionRequestDto) {
    const unit = await this.unitOf(itemId);
    const authorize = () => requireAccess(by, 'item.extension.request', onUnit(unit, asItem(itemId)));
    return this.send(by, unit, itemId, authorize, requestExtensionUpdate, 'POST /api/items/:itemId/extensions', dto, async (texts) => ({
      newDeadline: dto.newDeadline,
      reason: await texts.doc(dto.reason),
    }));
  }

  async decideExtension(by: Principal, itemId: string, extensionId: string, dto: DecisionDto) {
    const unit = await this.unitOf(itemId);
    const authorize = () => requireAccess(by, 'item.extension.decide', onUnit(unit, asItem(itemId)));
    const route = 'POST /api/items/:itemId/extensions/:eid/decision';
    return this.send(
      by,
      unit,
      itemId,
      authorize,
      decideExtensionUpdate,
      route,
      { extensionId, approve: dto.approve, comment: dto.comment },
      async (texts) => {
        const comment = await texts.comment(dto.comment);
        return { extensionId, approve: dto.approve, ...(comment !== undefined ? { comment } : {}) };
      },
    );
  }

  async carryOver(by: Principal, itemId: string, dto: CarryOverDto) {
    const unit = await this.unitOf(itemId);
    const authorize = () => requireAccess(by, 'item.carry-over', onUnit(unit, asItem(itemId)));
    const view = await this.send(by, unit, itemId, authorize, carryOverUpdate, 'POST /api/items/:itemId/carry-over', dto, async (texts) => {
      const comment = await texts.comment(dto.comment);
      return { rule: await texts.doc(dto.rule), ...(comment !== undefined ? { comment } : {}) };
    });
    return this.texts.hydrate(view);
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
      deadlineSince: view.updatedAt,
      status: 'pending',
      card: 'none',
      rungs: [],
      counts: { progress: 0, extensions: 0, verifications: 0 },
      version: 0,
      updatedAt: view.updatedAt,
    };
  }

  private async send<Ret, A extends object>(
    by: Principal,
    unit: UnitRecord,
    itemId: string,
    authorize: () => unknown,
    def: UpdateDefinition<Ret, [A & { actor: Actor }]>,
    route: string,
    request: object,
    build: (texts: TextSession) => Promise<A>,
  ): Promise<Ret> {
    const actor = actorOf(by);
    const workflowId = itemWorkflowId(itemId);
    const ctx = {
      actor,
      route,
      unitId: unit.id,
      itemId,
      whenNotRunning: async () => {
        // Not running: either no such item, or its task book has not taken effect, or it has ended.
        await this.pendingView(unit, itemId);
        return ruleViolation(
          'item.running',
          `item ${itemId} is not open for changes: its task book has not taken effect, or the item has ended`,
        );
      },
    };
    return sendDecision(this.workflows, this.texts, { def, workflowId, request, ctx: { ...ctx, authorize }, build });
  }
}
