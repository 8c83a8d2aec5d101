// The referral dossier (移交材料): for a referral rung, the item's and the unit's whole escalation trail —
// every rung, its notices and their delivery, extensions, progress, verification, measures — with times and
// actors, assembled from the workflow histories and the escalation, notification and measure records.
import type { Client } from '@temporalio/client';
import { itemWorkflowId, unitWorkflowId } from '../../domain/src';
import { fetchJsonHistory } from './history';
import { labelOf, RUNG_LABELS, type Label } from './labels';
import type { AuditStore, EscalationRow, MeasureRow, NotificationRow, UnitRow } from '../../persistence/src';
import { mergeTimelines, refusalEntry, renderTimeline, textOf, withTimelineTexts, type TimelineEntry } from './timeline';

export interface DossierNotice {
  channel: string;
  recipient: string;
  status: string;
  attempts: number;
  queuedAt: string;
  /** When the channel acknowledged receipt (the webhook answered 2xx; the outbox recorded it). */
  acknowledgedAt: string | null;
  lastError: string | null;
}

export interface DossierRung {
  escalationId: string;
  key: string;
  subject: string;
  rung: string;
  label: Label;
  phase: string | null;
  itemId: string | null;
  deadline: string;
  firedAt: string;
  recordedAt: string;
  to: string[];
  summary: string;
  /** What the rung is about, as fields, for its wording in either language. */
  owner: string | null;
  measure: string | null;
  programmeName: string | null;
  goalTitle: string | null;
  notices: DossierNotice[];
}

export interface Dossier {
  generatedAt: string;
  escalation: DossierRung;
  unit: UnitRow;
  item?: {
    id: string;
    workflowId: string;
    measure?: unknown;
    owner?: unknown;
    /** Every deadline the item has had, first to last (extensions add one each). */
    deadlines: Array<{ deadline: string; since: string; by: string; reason?: string }>;
  };
  /** Every rung of the unit: its phase windows and all its items, each with its notices. */
  rungs: DossierRung[];
  /** The item's full trail (every accepted and refused decision, every rung), from its history and the audit log. */
  itemTrail: TimelineEntry[];
  /** The unit's escalation-related trail: phase changes, cards, window rungs, items started and closed. */
  unitTrail: TimelineEntry[];
  measures: MeasureRow[];
}

const notice = (n: NotificationRow): DossierNotice => ({
  channel: n.channel,
  recipient: n.recipient,
  status: n.status,
  attempts: n.attempts,
  queuedAt: n.createdAt,
  acknowledgedAt: n.status === 'sent' ? n.sentAt : null,
  lastError: n.lastError,
});

const rungOf = (e: EscalationRow, notices: NotificationRow[]): DossierRung => ({
  escalationId: e.id,
  key: e.key,
  subject: e.subject,
  rung: e.rung,
  label: RUNG_LABELS[e.rung] ?? labelOf('escalation', { rung: e.rung }),
  phase: e.phase,
  itemId: e.itemId,
  deadline: e.deadline,
  firedAt: e.firedAt,
  recordedAt: e.createdAt,
  to: e.recipients,
  summary: e.summary,
  owner: e.owner ?? null,
  measure: e.measure ?? null,
  programmeName: e.programmeName ?? null,
  goalTitle: e.goalTitle ?? null,
  notices: notices.filter((n) => n.escalationKey === e.key).map(notice),
});

const UNIT_TRAIL_ACTIONS = new Set([
  'workflowStarted',
  'phaseEntered',
  'cardChanged',
  'escalation',
  'measureProposed',
  'itemStarted',
  'itemClosed',
  'publishTaskBook',
  'setTaskBook',
  'itemReport',
  'notificationsDelivered',
]);

export class DossierNotFound extends Error {}

export async function buildDossier(options: { client: Client; store: AuditStore; escalationId: string }): Promise<Dossier> {
  const { client, store, escalationId } = options;
  const escalation = await store.escalation(escalationId);
  if (!escalation) throw new DossierNotFound(`escalation ${escalationId} not found`);
  const unit = await store.unit(escalation.unitId);
  if (!unit) throw new DossierNotFound(`unit ${escalation.unitId} of escalation ${escalationId} not found`);

  const [unitEscalations, measures, unitHistory, itemHistory, refusals] = await Promise.all([
    store.unitEscalations(unit.id),
    store.unitMeasures(unit.id),
    fetchJsonHistory(client, unitWorkflowId(unit.id)),
    escalation.itemId ? fetchJsonHistory(client, itemWorkflowId(escalation.itemId)) : Promise.resolve(undefined),
    escalation.itemId ? store.refusals({ itemId: escalation.itemId }) : Promise.resolve([]),
  ]);
  const notifications = await store.notifications(unitEscalations.map((e) => e.key));
  const rungs = unitEscalations.map((e) => rungOf(e, notifications));

  const texts = (digests: string[]) => store.texts(digests);
  const itemTrail =
    itemHistory && escalation.itemId
      ? await withTimelineTexts(
          mergeTimelines(renderTimeline(itemHistory, { workflowId: itemWorkflowId(escalation.itemId) }), refusals.map(refusalEntry)),
          texts,
        )
      : [];
  const unitTrail = unitHistory
    ? await withTimelineTexts(
        renderTimeline(unitHistory, { workflowId: unitWorkflowId(unit.id) }).filter((e) => UNIT_TRAIL_ACTIONS.has(e.action)),
        texts,
      )
    : [];

  const item = escalation.itemId ? itemOf(escalation.itemId, itemTrail) : undefined;

  return {
    generatedAt: new Date().toISOString(),
    escalation: rungOf(escalation, notifications),
    unit,
    ...(item ? { item } : {}),
    rungs,
    itemTrail,
    unitTrail,
    measures: measures.filter((m) => !escalation.itemId || !m.itemId || m.itemId === escalation.itemId),
  };
}

/** The item of the escalation: its measure and owner as the task book gave them, and every deadline it has had. */
function itemOf(itemId: string, itemTrail: TimelineEntry[]): NonNullable<Dossier['item']> {
  const started = itemTrail.find((e) => e.action === 'workflowStarted');
  const deadlines: NonNullable<Dossier['item']>['deadlines'] = [];
  if (started && typeof started.detail.deadline === 'string')
    deadlines.push({ deadline: started.detail.deadline, since: started.at, by: 'task book' });
  for (const e of itemTrail) {
    if (e.action !== 'decideExtension' || e.outcome !== 'accepted' || e.detail.approve !== true) continue;
    const result = (e.detail.result ?? {}) as { deadline?: string };
    const requested = itemTrail.find(
      (r) => r.action === 'requestExtension' && (r.detail.result as { id?: string } | undefined)?.id === e.detail.extensionId,
    );
    const deadline = result.deadline ?? (requested?.detail.newDeadline as string | undefined);
    const reason = textOf(requested?.detail.reason);
    if (deadline) deadlines.push({ deadline, since: e.at, by: e.actor, ...(reason ? { reason } : {}) });
  }
  return {
    id: itemId,
    workflowId: itemWorkflowId(itemId),
    ...(started ? { measure: textOf(started.detail.measure) ?? started.detail.measure, owner: started.detail.owner } : {}),
    deadlines,
  };
}

// ---------- printable HTML ----------

const HTML_ESCAPES = new Map([
  ['&', '&amp;'],
  ['<', '&lt;'],
  ['>', '&gt;'],
  ['"', '&quot;'],
  ["'", '&#39;'],
]);
/** A value as HTML text; what is not a string, number or boolean shows as JSON. */
const esc = (v: unknown): string => {
  const text =
    v === null || v === undefined
      ? ''
      : typeof v === 'string'
        ? v
        : typeof v === 'number' || typeof v === 'boolean'
          ? String(v)
          : JSON.stringify(v);
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES.get(c) ?? c);
};

const when = (iso: string | null | undefined) => (iso ? esc(iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')) : '—');

const bilingual = (l: Label) => `${esc(l.zh)}<br><span class="en">${esc(l.en)}</span>`;

function detailText(d: Record<string, unknown>): string {
  const skip = new Set(['updateId', 'result', 'key', 'auditLogId']);
  return Object.entries(d)
    .filter(([k, v]) => !skip.has(k) && v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${esc(k)}: ${esc(textOf(v) ?? (typeof v === 'object' ? JSON.stringify(v) : v))}`)
    .join('<br>');
}

function trailTable(entries: TimelineEntry[]): string {
  if (!entries.length) return '<p class="none">无记录 / none</p>';
  return `<table><thead><tr><th>时间 Time</th><th>事项 Action</th><th>人员 Actor</th><th>说明 Why</th><th>详情 Detail</th></tr></thead><tbody>
${entries
  .map(
    (e) =>
      `<tr class="${e.outcome}"><td>${when(e.at)}</td><td>${bilingual(e.label)}${e.outcome === 'refused' && e.rule ? `<br><span class="rule">${esc(e.rule)}</span>` : ''}</td><td>${esc(e.actor)}<br><span class="en">${esc(e.role)}</span></td><td>${esc(textOf(e.comment) ?? '')}</td><td>${detailText(e.detail)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`;
}

function rungTable(rungs: DossierRung[], highlight: string): string {
  if (!rungs.length) return '<p class="none">无记录 / none</p>';
  return `<table><thead><tr><th>督办 Rung</th><th>对象 Subject</th><th>期限 Deadline</th><th>触发 Fired</th><th>送达 To</th><th>通知 Notices</th></tr></thead><tbody>
${rungs
  .map(
    (r) =>
      `<tr${r.escalationId === highlight ? ' class="this"' : ''}><td>${bilingual(r.label)}</td><td>${esc(r.itemId ?? `${r.subject} ${r.phase ?? ''}`)}</td><td>${when(r.deadline)}</td><td>${when(r.firedAt)}</td><td>${r.to.map(esc).join('<br>')}</td><td>${
        r.notices.length
          ? r.notices
              .map(
                (n) =>
                  `${esc(n.channel)} → ${esc(n.recipient)}: ${esc(n.status)} (${n.attempts})${n.acknowledgedAt ? `, 已确认 acknowledged ${when(n.acknowledgedAt)}` : ''}${n.lastError ? `, ${esc(n.lastError)}` : ''}`,
              )
              .join('<br>')
          : '—'
      }</td></tr>`,
  )
  .join('\n')}
</tbody></table>`;
}

/** The dossier as a self-contained printable page (no scripts, no external resources). */
export function renderDossierHtml(d: Dossier): string {
  const e = d.escalation;
  const measures = d.measures.length
    ? `<table><thead><tr><th>措施 Kind</th><th>对象 Subject</th><th>理由 Reason</th><th>状态 Status</th><th>提出 Proposed</th><th>确认 Confirmed</th></tr></thead><tbody>${d.measures
        .map(
          (m) =>
            `<tr><td>${esc(m.kind)}</td><td>${esc(m.subject)}</td><td>${esc(m.reason)}</td><td>${esc(m.status)}</td><td>${when(m.createdAt)} ${esc(m.createdBy ?? 'system')}</td><td>${when(m.confirmedAt)} ${esc(m.confirmedBy ?? '')}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p class="none">无记录 / none</p>';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>移交材料 Referral dossier — ${esc(d.unit.code)} ${esc(e.itemId ?? '')}</title>
<style>
body{font-family:"Noto Serif CJK SC","Songti SC",serif;margin:2em;color:#111}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;border-bottom:1px solid #999;margin-top:1.6em}
table{border-collapse:collapse;width:100%;font-size:.85em}th,td{border:1px solid #bbb;padding:.3em .45em;vertical-align:top;text-align:left}
th{background:#eee}.en{color:#555;font-size:.9em}tr.refused td{background:#fff4f4}tr.this td{background:#fff8dc;font-weight:bold}
.rule{color:#a00;font-family:monospace}dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}
.none{color:#777}footer{margin-top:2em;font-size:.8em;color:#555}
@media print{body{margin:1cm}tr{page-break-inside:avoid}h2{page-break-after:avoid}}
</style></head><body>
<h1>移交材料 <span class="en">Referral dossier</span></h1>
<dl>
<dt>单位 Unit</dt><dd>${esc(d.unit.name)} (${esc(d.unit.code)}) — ${esc(d.unit.id)}</dd>
<dt>督导组 Group</dt><dd>${esc(d.unit.groupId)}</dd>
${
  d.item
    ? `<dt>整改事项 Item</dt><dd>${esc(d.item.id)}: ${esc(d.item.measure)} — 责任人 owner ${esc(d.item.owner)}</dd>
<dt>期限 Deadlines</dt><dd>${d.item.deadlines.map((x) => `${when(x.deadline)} (${esc(x.by)}, ${when(x.since)}${x.reason ? `: ${esc(x.reason)}` : ''})`).join('<br>') || '—'}</dd>`
    : ''
}
<dt>督办 Rung</dt><dd>${bilingual(e.label)} — ${esc(e.summary)}</dd>
<dt>触发 Fired</dt><dd>${when(e.firedAt)} (期限 deadline ${when(e.deadline)})</dd>
<dt>送达 To</dt><dd>${e.to.map(esc).join(', ')}</dd>
</dl>
<h2>逐级督办记录 <span class="en">Every rung of the unit</span></h2>
${rungTable(d.rungs, e.escalationId)}
${d.item ? `<h2>整改事项全过程 <span class="en">The item's trail</span></h2>\n${trailTable(d.itemTrail)}` : ''}
<h2>单位督办过程 <span class="en">The unit's trail</span></h2>
${trailTable(d.unitTrail)}
<h2>组织措施 <span class="en">Organisational measures</span></h2>
${measures}
<footer>生成时间 Generated ${when(d.generatedAt)} · 依据工作流历史与督办记录 · from the workflow histories and the escalation records</footer>
</body></html>
`;
}
