// The auditors' use cases over HTTP: who may see what is decided here (scopes), the work is done by
// libs/audit against the engine and the database.
import type { Client } from '@temporalio/client';
import { DomainError, invalidInput, notFound, requireAccess, unitIdOfItem, unitWorkflowId } from '../../../../libs/domain/src';
import {
  buildDossier,
  buildItemTimeline,
  buildUnitTimeline,
  DossierNotFound,
  exportHistory,
  reconcileCampaign,
  renderDossierHtml,
  toWorkflowId,
  type Dossier,
  type ReconciliationReport,
  type ReplaySelection,
  type TimelineEntry,
  type UnitRow,
} from '../../../../libs/audit/src';
import { onUnit } from '../auth/targets';
import type { Principal } from '../auth/principal';
import type { AuditRepository } from './audit.repository';
import type { ReplayRequestDto, ResetQueryDto, StuckRunQueryDto } from './audit.dto';
import { pageOf } from '../common/dto';
import type { ReplayRunner } from './replay-runner';

export class AuditService {
  constructor(
    private readonly repository: AuditRepository,
    private readonly client: Client,
    private readonly runner: ReplayRunner,
  ) {}

  private async unitOf(unitId: string): Promise<UnitRow> {
    const unit = await this.repository.unit(unitId);
    if (!unit) throw notFound('unit', unitId);
    return unit;
  }

  async history(by: Principal, unitId: string, runId?: string): Promise<{ workflowId: string; json: string }> {
    requireAccess(by, 'audit.history.export');
    const unit = await this.unitOf(unitId);
    const workflowId = unitWorkflowId(unit.id);
    const json = await exportHistory(this.client, workflowId, runId?.toLowerCase());
    if (json === undefined) {
      throw runId
        ? notFound(`run of ${workflowId}`, runId)
        : new DomainError('NOT_FOUND', `unit ${unit.id} has no workflow yet (its batch has not opened)`, { id: unit.id });
    }
    return { workflowId, json };
  }

  async unitTimeline(by: Principal, unitId: string, includeItems = false): Promise<TimelineEntry[]> {
    const unit = await this.unitOf(unitId);
    requireAccess(by, 'audit.timeline.read', onUnit(unit));
    return (await buildUnitTimeline({ client: this.client, store: this.repository, unitId: unit.id, includeItems })).entries;
  }

  async itemTimeline(by: Principal, itemId: string): Promise<TimelineEntry[]> {
    const unitId = unitIdOfItem(itemId);
    if (!unitId) throw notFound('item', itemId);
    const unit = await this.unitOf(unitId).catch((err: unknown) => {
      throw err instanceof DomainError && err.code === 'NOT_FOUND' ? notFound('item', itemId) : err;
    });
    requireAccess(by, 'audit.timeline.read', onUnit(unit, { what: 'item', id: itemId }));
    const result = await buildItemTimeline({ client: this.client, store: this.repository, itemId });
    if (!result.started && !result.entries.length) throw notFound('item', itemId);
    return result.entries;
  }

  async startReplay(by: Principal, dto: ReplayRequestDto): Promise<{ id: string }> {
    requireAccess(by, 'audit.replay.start');
    if (!dto.campaignId && !dto.workflowIds?.length && !dto.closedAfter && !dto.closedBefore) {
      throw invalidInput('body', 'name what to replay: campaignId, workflowIds, closedAfter or closedBefore');
    }
    if (dto.closedAfter && dto.closedBefore && Date.parse(dto.closedAfter) > Date.parse(dto.closedBefore)) {
      throw invalidInput('closedBefore', 'must not be before closedAfter');
    }
    if (dto.campaignId && !(await this.repository.campaignExists(dto.campaignId.toLowerCase()))) throw notFound('campaign', dto.campaignId);
    const selection: ReplaySelection = {
      ...(dto.campaignId ? { campaignId: dto.campaignId.toLowerCase() } : {}),
      ...(dto.workflowIds?.length ? { workflowIds: [...new Set(dto.workflowIds.map(toWorkflowId))] } : {}),
      ...(dto.closedAfter ? { closedAfter: dto.closedAfter } : {}),
      ...(dto.closedBefore ? { closedBefore: dto.closedBefore } : {}),
    };
    const id = await this.repository.createReplayJob(by.id, { ...selection });
    this.runner.enqueue(id, selection);
    return { id };
  }

  async replayJob(by: Principal, id: string) {
    requireAccess(by, 'audit.replay.read');
    const job = await this.repository.replayJob(id);
    if (!job) throw notFound('replay job', id);
    return {
      id: job.id,
      status: job.status,
      total: job.total,
      replayed: job.replayed,
      failures: job.failures,
      ...(job.error ? { error: job.error } : {}),
      request: job.request,
      requestedBy: job.requestedBy,
      createdAt: job.createdAt,
      ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
    };
  }

  async stuckRuns(by: Principal, q: StuckRunQueryDto) {
    requireAccess(by, 'audit.stuck-runs.read');
    const { offset, limit } = pageOf(q);
    return this.repository.stuck(offset, limit, q.includeCleared ?? false);
  }

  async resets(by: Principal, q: ResetQueryDto) {
    requireAccess(by, 'audit.resets.read');
    const { offset, limit } = pageOf(q);
    return this.repository.resetsPage(offset, limit, q.workflowId);
  }

  async reconcile(by: Principal, campaignId: string): Promise<ReconciliationReport> {
    requireAccess(by, 'audit.reconcile');
    const id = campaignId.toLowerCase();
    if (!(await this.repository.campaignExists(id))) throw notFound('campaign', campaignId);
    return reconcileCampaign({ client: this.client, store: this.repository, campaignId: id });
  }

  async dossier(by: Principal, escalationId: string): Promise<Dossier> {
    requireAccess(by, 'escalation.dossier.read');
    const escalation = await this.repository.escalation(escalationId);
    if (!escalation) throw notFound('escalation', escalationId);
    // A supervisor reads the dossiers of its group's units; another group's (or a programme's, which has no
    // group) is answered as unknown.
    requireAccess(by, 'escalation.dossier.read', { groupId: escalation.groupId ?? '', hidden: { what: 'escalation', id: escalationId } });
    try {
      return await buildDossier({ client: this.client, store: this.repository, escalationId: escalation.id });
    } catch (err) {
      if (err instanceof DossierNotFound) throw new DomainError('NOT_FOUND', err.message, { id: escalationId });
      throw err;
    }
  }

  renderHtml(dossier: Dossier): string {
    return renderDossierHtml(dossier);
  }
}
