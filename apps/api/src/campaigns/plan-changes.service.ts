// A running campaign's plan changes by version: the office previews what a change would move (every live deadline
// and rung, read from the read model; nothing changes), then applies the previewed change as a new version that the
// batches it chooses take. A change whose preview no longer holds (something fired, closed, moved since) is refused.
import { createHash } from 'node:crypto';
import {
  applyPlanChange,
  invalidInput,
  moveCounts,
  notFound,
  planDiff,
  planMoves,
  requireAccess,
  ruleViolation,
  type Batch,
  type Plan,
  type PlanMove,
} from '../../../../libs/domain/src';
import type { Client } from '@temporalio/client';
import { planRolloutWorkflowId, startWorkflowOnce } from '../../../../libs/temporal/src';
import { WORKFLOW_TYPES, type PlanRolloutInput } from '../../../../libs/contracts/src';
import { actorOf, type Principal } from '../auth/principal';
import { onCampaign } from '../auth/targets';
import {
  recordPlanVersion,
  type CampaignsRepository,
  type PlanVersionRow,
  type PlanVersionsRepository,
} from '../../../../libs/persistence/src';
import type { PlanChangeApplyDto, PlanChangePreviewDto } from './plan-changes.dto';
import type { DataSource } from 'typeorm';

/** Moves listed in a preview (all are counted and in its digest). */
export const PREVIEW_MOVES_LISTED = 1_000;

const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );

/** Per day in the campaign's zone (`utcOffset`), the moves' moments falling on it before and after the change. */
function movesByDay(moves: PlanMove[], utcOffset: string | undefined): PlanChangePreview['days'] {
  const offset = offsetMs(utcOffset);
  const days = new Map<string, { date: string; before: number; after: number }>();
  const day = (iso: string) => new Date(Date.parse(iso) + offset).toISOString().slice(0, 10);
  for (const m of moves) {
    for (const k of ['before', 'after'] as const) {
      if (m[k] === 'never') continue;
      const d = day(m[k]);
      const e = days.get(d) ?? { date: d, before: 0, after: 0 };
      e[k]++;
      days.set(d, e);
    }
  }
  return [...days.values()].sort((a, b) => (a.date < b.date ? -1 : 1));
}

export interface PlanChangePreview {
  digest: string;
  campaignId: string;
  batches: Batch[];
  /** The version each batch runs on now, and the version the change would be. */
  from: Record<string, number>;
  version: number;
  plan: Plan;
  diff: ReturnType<typeof planDiff>;
  now: string;
  total: number;
  counts: ReturnType<typeof moveCounts>;
  moves: Array<PlanMove & { unit: { code: string; name: string }; item?: { n: number } }>;
  /** Per day in the campaign's zone: the live moments falling on it before and after the change (the chart). */
  days: Array<{ date: string; before: number; after: number }>;
}

export class PlanChangesService {
  constructor(
    private readonly campaigns: CampaignsRepository,
    private readonly versions: PlanVersionsRepository,
    private readonly dataSource: DataSource,
    private readonly temporal: { client: Client; taskQueue: string },
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Applies a previewed change as a new version that the chosen batches take; refused (409) when the preview no
   * longer holds. The units and items of those batches take it through an Update each, rolled out by a workflow.
   */
  async apply(by: Principal, campaignId: string, dto: PlanChangeApplyDto) {
    requireAccess(by, 'campaign.plan-change.apply', onCampaign(campaignId));
    // The same confirmation again (its answer was lost, or the rollout could not start): the version it made, its
    // rollout started if it was not.
    const known = await this.versions.versions(campaignId);
    const done = known?.versions.find((v) => v.previewDigest === dto.previewDigest);
    if (done && canonical(done.change) === canonical(dto.change)) {
      const rollout = { campaignId, version: done.version, batches: done.batches, reason: done.reason ?? dto.reason };
      return this.rollOut(by, rollout, { previewDigest: dto.previewDigest, moves: done.moves ?? 0 });
    }
    const preview = await this.preview(by, campaignId, dto);
    if (preview.digest !== dto.previewDigest) {
      throw ruleViolation(
        'plan-change.stale-preview',
        'what this change would move is no longer what its preview showed (something fired, closed or changed since): preview it again',
        {
          params: { total: preview.total },
        },
      );
    }
    const state = await this.versionsOf(campaignId);
    const latest = state.versions[state.versions.length - 1];
    const recorded = await recordPlanVersion(this.dataSource, {
      campaignId: preview.campaignId,
      version: preview.version,
      plan: preview.plan,
      basedOn: latest.version,
      batches: preview.batches,
      change: dto.change,
      diff: preview.diff,
      previewDigest: preview.digest,
      moves: preview.total,
      reason: dto.reason,
      createdBy: by.id,
    });
    if (!recorded)
      throw ruleViolation('plan-change.stale-preview', 'another change was applied since this preview: preview it again', {
        params: { total: preview.total },
      });
    const rollout = { campaignId: preview.campaignId, version: preview.version, batches: preview.batches, reason: dto.reason };
    return this.rollOut(by, rollout, { previewDigest: preview.digest, moves: preview.total });
  }

  /** Starts the version's rollout (once: a repeated start finds it started) and answers the applied change. */
  private async rollOut(by: Principal, v: Omit<PlanRolloutInput, 'actor'>, applied: { previewDigest: string; moves: number }) {
    const input: PlanRolloutInput = {
      campaignId: v.campaignId,
      version: v.version,
      batches: v.batches,
      actor: actorOf(by),
      reason: v.reason,
    };
    const workflowId = planRolloutWorkflowId(v.campaignId, v.version);
    await startWorkflowOnce(this.temporal.client, WORKFLOW_TYPES.planRollout, {
      workflowId,
      taskQueue: this.temporal.taskQueue,
      args: [input],
    });
    return { version: v.version, batches: v.batches, previewDigest: applied.previewDigest, moves: applied.moves, rollout: { workflowId } };
  }

  /** Every version (1: the plan the campaign started with), with what it changed and which batches run on which. */
  async list(by: Principal, campaignId: string) {
    requireAccess(by, 'campaign.plan-versions.list', onCampaign(campaignId));
    const state = await this.versions.versions(campaignId);
    if (!state) throw notFound('campaign', campaignId);
    return {
      current: { '1': state.current[1], '2': state.current[2] },
      items: state.versions.map((v) => ({
        version: v.version,
        batches: v.batches,
        ...(v.basedOn ? { basedOn: v.basedOn } : {}),
        diff: v.diff,
        ...(v.reason ? { reason: v.reason } : {}),
        ...(v.previewDigest ? { previewDigest: v.previewDigest } : {}),
        ...(v.createdBy ? { createdBy: v.createdBy } : {}),
        ...(v.createdByName ? { createdByName: v.createdByName } : {}),
        createdAt: v.createdAt,
        ...(v.version > 1
          ? { rollout: { units: v.rollout?.units ?? 0, items: v.rollout?.items ?? 0, ...(v.rolledOutAt ? { doneAt: v.rolledOutAt } : {}) } }
          : {}),
        runningOn: (['1', '2'] as const).filter((b) => state.current[Number(b) as Batch] === v.version).map(Number),
        plan: v.plan,
      })),
    };
  }

  /** The campaign's plan versions (found by `running()` first, so a missing campaign is its 404 too). */
  private async versionsOf(campaignId: string) {
    const state = await this.versions.versions(campaignId);
    if (!state) throw notFound('campaign', campaignId);
    return state;
  }

  private async running(campaignId: string) {
    const campaign = await this.campaigns.findById(campaignId);
    if (!campaign) throw notFound('campaign', campaignId);
    if (campaign.status !== 'running') {
      throw ruleViolation(
        'plan-change.not-running',
        `campaign ${campaignId} is ${campaign.status}: a plan changes by version only while the campaign runs`,
        { params: { status: campaign.status } },
      );
    }
    return campaign;
  }

  /** What the change would move, computed now from the read model; changes nothing. */
  async preview(by: Principal, campaignId: string, dto: PlanChangePreviewDto): Promise<PlanChangePreview> {
    requireAccess(by, 'campaign.plan-change.preview', onCampaign(campaignId));
    const campaign = await this.running(campaignId);
    const state = await this.versionsOf(campaignId);
    const latest = state.versions[state.versions.length - 1];
    const after = applyPlanChange(latest.plan, dto.change);
    const planBatches = after.batches.map((b) => b.batch);
    const batches = [...new Set(dto.batches ?? planBatches)].sort();
    batches.forEach((b, i) => {
      if (!planBatches.includes(b)) throw invalidInput(`batches[${i}]`, `the plan has no batch ${b}`);
    });
    const planOf = (v: number) => {
      const version = state.versions.find((x: PlanVersionRow) => x.version === v);
      if (!version) throw new Error(`campaign ${campaignId}: a batch runs on plan version ${v}, which is not recorded`);
      return version.plan;
    };
    const before = { 1: planOf(state.current[1]), 2: planOf(state.current[2]) } as Record<Batch, Plan>;
    const [units, items] = await Promise.all([this.versions.liveUnits(campaignId, batches), this.versions.liveItems(campaignId, batches)]);
    const now = this.now().getTime();
    const moves = planMoves({ before, after, batches, now, units, items });
    const from = Object.fromEntries(batches.map((b) => [String(b), state.current[b]]));
    const digest = createHash('sha256')
      .update(canonical({ campaignId: campaign.id, batches, from, plan: after, moves }))
      .digest('hex');
    const byId = new Map(units.map((u) => [u.id, u]));
    return {
      digest,
      campaignId: campaign.id,
      batches,
      from,
      version: latest.version + 1,
      plan: after,
      diff: planDiff(latest.plan, after),
      now: new Date(now).toISOString(),
      total: moves.length,
      counts: moveCounts(moves),
      moves: moves.slice(0, PREVIEW_MOVES_LISTED).map((m) => ({
        ...m,
        unit: { code: byId.get(m.unitId)?.code ?? '', name: byId.get(m.unitId)?.name ?? '' },
        ...(m.itemId ? { item: { n: Number(/\.item-(\d+)$/.exec(m.itemId)?.[1] ?? 0) } } : {}),
      })),
      days: movesByDay(moves, after.calendar.utcOffset),
    };
  }
}

function offsetMs(utcOffset: string | undefined): number {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(utcOffset ?? '+08:00');
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000 : 8 * 3_600_000;
}
