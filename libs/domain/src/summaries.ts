// What the Temporal Web UI shows of each workflow (its static summary and details, and the current details the
// workflow keeps up to date), so that the operators' list and a workflow's page read like the console's: names
// and codes, never a bare id. Pure, so that the workflows and the code that starts them word them alike.
// Short Chinese labels (the campaign's language) with the English term beside them where an operator needs it.
import {
  CARD_LABELS,
  ITEM_STATUS_LABELS,
  PHASE_LABELS,
  type Batch,
  type Card,
  type ItemStatus,
  type Phase,
  type ProgrammeTrack,
} from './types';

const BATCH = (b: Batch) => (b === 1 ? '第一批' : '第二批');
const TRACK: Record<ProgrammeTrack, string> = { governance: '作风建设专项整治', action: '九大行动' };
/** The Web UI shows a summary on one line. */
const line = (s: string, max = 120) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export interface WorkflowMetadata {
  staticSummary: string;
  staticDetails: string;
}

export function campaignMetadata(c: { campaignId: string; name: string; batches: readonly Batch[] }): WorkflowMetadata {
  return {
    staticSummary: line(`教育实践活动 ${c.name}`),
    staticDetails: `**活动 / Campaign** ${c.name}\n\n批次 / Batches: ${c.batches.map(BATCH).join('、')}\n\nid: \`${c.campaignId}\``,
  };
}

export function unitMetadata(u: { code: string; name: string; batch: Batch; groupId: string; campaignId: string }): WorkflowMetadata {
  return {
    staticSummary: line(`参加单位 ${u.code} ${u.name}（${BATCH(u.batch)}）`),
    staticDetails: `**参加单位 / Unit** ${u.code} ${u.name}\n\n批次 / Batch: ${BATCH(u.batch)}\n\n督导组 / Group: \`${u.groupId}\`\n\n活动 / Campaign: \`${u.campaignId}\``,
  };
}

/** An item's summary: whose, which, who answers for it (the measure's text stays in PostgreSQL). */
export function itemMetadata(i: { itemId: string; unitCode?: string; owner: string; deadline: string }): WorkflowMetadata {
  const n = i.itemId.slice(i.itemId.lastIndexOf('-') + 1);
  return {
    staticSummary: line(`整改事项 ${i.unitCode ?? ''} 第${n}项 · 责任人 ${i.owner}`.replace('  ', ' ')),
    staticDetails: `**整改事项 / Rectification item** ${n}${i.unitCode ? ` of ${i.unitCode}` : ''}\n\n责任人 / Responsible: ${i.owner}\n\n首个时限 / First deadline: ${i.deadline}`,
  };
}

export function programmeMetadata(p: {
  name: string;
  track: ProgrammeTrack;
  leadLeader: string;
  goals: ReadonlyArray<{ title: string }>;
}): WorkflowMetadata {
  return {
    staticSummary: line(`${TRACK[p.track]} ${p.name} · 牵头市领导 ${p.leadLeader}`),
    staticDetails: `**${TRACK[p.track]} / Programme** ${p.name}\n\n牵头市领导 / Lead leader: ${p.leadLeader}\n\n阶段目标 / Goals:\n${p.goals.map((g, k) => `${k + 1}. ${g.title}`).join('\n')}`,
  };
}

/** A unit's current details: its phase, card and the deadline it works to now. */
export const unitCurrentDetails = (v: { phase: Phase; card: Card; window: { endsAt: string } | null }) =>
  `环节 / Phase: ${v.phase} ${PHASE_LABELS[v.phase].zh} · 亮牌 / Card: ${CARD_LABELS[v.card].zh}${v.window && v.phase !== 'DONE' ? ` · 时限 / Window ends: ${v.window.endsAt}` : ''}`;

/** An item's current details: its status, card and deadline. */
export const itemCurrentDetails = (v: { status: ItemStatus; card: Card; deadline: string }) =>
  `状态 / Status: ${ITEM_STATUS_LABELS[v.status].zh} · 亮牌 / Card: ${CARD_LABELS[v.card].zh} · 时限 / Deadline: ${v.deadline}`;
