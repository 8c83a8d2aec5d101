// Every refusal the API can give, worded in Chinese and English from its rule and params (the data the API
// carries: libs/domain errors.ts `Refusal`). One table: a rule that a check names has its wording here
// (test/console/refusals.test.ts finds every rule named in the sources and checks that it is in this table).
// The wording uses names, never ids: what it needs beyond the params comes from the page (`Words`).
import { CATEGORY_RULES, type Refusal, type RefusalParams } from '../../../libs/domain/src';

type Pair = readonly [zh: string, en: string];

/** What a wording needs from the page: the domain's labels and the campaign's clock. */
export interface Words {
  /** A label of the vocabulary (phase, gate, role…) in the current language. */
  phase(p: unknown): string;
  gate(g: unknown): string;
  role(r: unknown): string;
  itemStatus(s: unknown): string;
  /** An instant in the campaign's zone. */
  time(iso: unknown): string;
  /** The current language, for lists. */
  lang: 'zh' | 'en';
}

type Wording = (p: RefusalParams, w: Words) => Pair;

const num = (v: unknown) => (typeof v === 'number' ? String(v) : '');

const FIELD_NAMES: Record<string, Pair> = {
  name: ['名称', 'name'],
  title: ['标题', 'title'],
  comment: ['理由', 'reason'],
  reason: ['理由', 'reason'],
  scheduledAt: ['会议时间', 'meeting time'],
  location: ['地点', 'location'],
  arrivedAt: ['到会时间', 'arrival'],
  leftAt: ['离会时间', 'departure'],
  startedAt: ['开始时间', 'start'],
  endedAt: ['结束时间', 'end'],
  minutes: ['会议记录', 'minutes'],
  signedBy: ['签字人', 'signatory'],
  deadline: ['完成时限', 'deadline'],
  newDeadline: ['新时限', 'new deadline'],
  measure: ['整改措施', 'measure'],
  owner: ['责任人', 'responsible person'],
  text: ['内容', 'text'],
  contact: ['联系方式', 'contact'],
  code: ['代码', 'code'],
  groupId: ['督导组', 'group'],
  kind: ['类型', 'kind'],
  level: ['层级', 'level'],
  items: ['整改事项', 'items'],
  evidence: ['完成佐证', 'evidence'],
  note: ['进展情况', 'progress note'],
};
/** `items[0].deadline` → 完成时限 / deadline (the last part of the path). */
const fieldName = (w: Words, field: unknown): string => {
  const last =
    (typeof field === 'string' ? field : '')
      .replace(/\[\d+\]/g, '')
      .split('.')
      .pop() ?? '';
  const pair = Object.hasOwn(FIELD_NAMES, last) ? FIELD_NAMES[last] : undefined;
  return pair ? (w.lang === 'zh' ? pair[0] : pair[1]) : w.lang === 'zh' ? '该项' : 'this field';
};

const gate =
  (zh: string, en: string): Wording =>
  () => [zh, en];

export const REFUSALS: Record<string, Wording> = {
  // ---------- gates: what entering the next phase needs ----------
  'gate.P2.study-record': gate('进入第二环节前须至少有一条学习记录', 'Entering P2 needs at least one study record'),
  'gate.P2.opinion': gate('进入第二环节前须至少收到一条群众意见', 'Entering P2 needs at least one opinion received'),
  'gate.P2.solicitation-report': gate('进入第二环节前须提交征求意见情况报告', 'Entering P2 needs the opinion-solicitation report'),
  'gate.P3.problem': gate('进入第三环节前须至少查摆出一个问题', 'Entering P3 needs at least one problem found'),
  'gate.P3.comparison-check': gate(
    '进入第三环节前须提交领导班子对照检查材料',
    "Entering P3 needs the leadership's comparison-check materials",
  ),
  'gate.P3.valid-meeting': gate(
    '进入第三环节前须召开督导组全程参与的专题民主生活会',
    'Entering P3 needs a meeting attended start to end by the supervisory group',
  ),
  'gate.DONE.task-book-effective': gate(
    '完成前整改任务书须公示期满且异议均已答复',
    'Finishing needs the task book in effect (disclosure over, objections answered)',
  ),
  'gate.DONE.items-closed': gate('完成前整改事项须全部销号或转入长效机制', 'Finishing needs every item closed or carried into a rule'),
  'gate.DONE.rule-recorded': gate('完成前须至少建立一项制度', 'Finishing needs at least one rule recorded'),

  // ---------- who may act ----------
  'actor.unit-only': (p, w) => [
    `此操作须由参加单位本身办理，${w.role(p.role)}不能代办`,
    `The unit itself does this, not the ${w.role(p.role)}`,
  ],
  'actor.unit-scope': () => ['只能为本单位办理此操作', 'You may act for your own unit only'],
  'actor.no-self-approval': () => [
    '单位不能审批自己的申请，须由所属督导组决定',
    'A unit never decides its own requests: its supervisory group does',
  ],
  'transition.no-self-approval': () => [
    '单位不能审批自己的环节转换，须由所属督导组决定',
    'A unit never approves its own transition: its supervisory group does',
  ],
  'extension.no-self-approval': () => [
    '单位不能审批自己的延期申请，须由所属督导组决定',
    'A unit never decides its own extension: its supervisory group does',
  ],
  'meeting.attendance-by-group': () => [
    '到会证明须由所属督导组成员本人提交',
    "Attendance is attested by a member of the unit's supervisory group",
  ],
  'item.verification-by-group': () => ['整改销号须由所属督导组核验', "An item is verified by the unit's supervisory group"],
  'actor.supervisor-only': (p, w) => [
    `此事项由所属督导组决定，${w.role(p.role)}不能决定`,
    `The supervisory group decides this, not the ${w.role(p.role)}`,
  ],
  'actor.supervisor-group': () => ['您所在的督导组不负责该单位', 'Your supervisory group is not assigned to this unit'],
  'actor.office-only': (p, w) => [
    `此操作由活动办公室办理，${w.role(p.role)}不能办理`,
    `The campaign office does this, not the ${w.role(p.role)}`,
  ],
  'actor.public-channel': () => ['群众意见和异议须通过公示渠道提交', 'Opinions and objections arrive through the public channel'],
  'actor.role': (p, w) => [`${w.role(p.role)}无权进行此操作`, `The ${w.role(p.role)} may not do this`],
  'actor.forbidden': () => ['无权进行此操作', 'Not allowed'],
  'programme.lead-unit': () => ['只有牵头单位可以报告阶段目标完成', 'Only the lead unit reports a staged goal achieved'],

  // ---------- records, opinions, problems ----------
  'record.study.phase': (p, w) => [
    `当前环节（${w.phase(p.phase)}）不能提交学习记录`,
    `No study record in the current phase (${w.phase(p.phase)})`,
  ],
  'record.investigation.phase': (p, w) => [
    `当前环节（${w.phase(p.phase)}）不能提交调查研究记录`,
    `No investigation record in the current phase (${w.phase(p.phase)})`,
  ],
  'record.solicitation-report.phase': (p, w) => [
    `征求意见情况报告在第一环节提交；单位现处于${w.phase(p.phase)}`,
    `The opinion-solicitation report belongs to P1; the unit is in ${w.phase(p.phase)}`,
  ],
  'record.comparison-check.phase': (p, w) => [
    `对照检查材料在第二环节提交；单位现处于${w.phase(p.phase)}`,
    `Comparison-check materials belong to P2; the unit is in ${w.phase(p.phase)}`,
  ],
  'record.rule.phase': (p, w) => [
    `建章立制在第三环节记录；单位现处于${w.phase(p.phase)}`,
    `Rules are recorded in P3; the unit is in ${w.phase(p.phase)}`,
  ],
  'opinion.unit-active': () => [
    '该单位尚未开始或已完成，暂不接收意见',
    'This unit takes no opinion now: its batch has not opened, or it has finished',
  ],
  'opinion.no-contact': () => ['这条意见没有留下联系方式', 'This opinion was left without a contact'],
  'problem.phase': (p, w) => [
    `查摆问题在第二、三环节登记；单位现处于${w.phase(p.phase)}`,
    `Problems are recorded in P2 and P3; the unit is in ${w.phase(p.phase)}`,
  ],

  // ---------- the meeting ----------
  'meeting.phase': (p, w) => [
    `专题民主生活会在第二环节召开；单位现处于${w.phase(p.phase)}`,
    `The meeting belongs to P2; the unit is in ${w.phase(p.phase)}`,
  ],
  'meeting.already-valid': () => ['已召开过有效的专题民主生活会，无需再开', 'A valid meeting was already held'],
  'meeting.not-scheduled': () => ['还没有安排待召开的会议', 'No meeting is scheduled'],
  'meeting.attendance-in-future': (p, w) => [
    `到会证明须在离会后提交（离会时间 ${w.time(p.leftAt)} 尚未到）`,
    `Presence is attested once it is over (departure ${w.time(p.leftAt)} is still ahead)`,
  ],
  'meeting.attendance-limit': (p) => [`本次会议的到会证明已达 ${num(p.max)} 份上限`, `This meeting already has ${num(p.max)} attestations`],
  'meeting.attendance-overlap': () => [
    '同一督导组成员同一时间只能在一个会场：这段时间与您在另一会议的到会时间重叠',
    'A supervisor is in one room at a time: this overlaps your presence at another meeting',
  ],
  'meeting.held-in-future': (p, w) => [
    `会议结束后才能记录召开情况（结束时间 ${w.time(p.endedAt)} 尚未到）`,
    `A meeting is recorded once it has ended (its end ${w.time(p.endedAt)} is still ahead)`,
  ],
  'meeting.full-attendance': () => [
    '督导组没有成员全程参加（到会不晚于开始、离会不早于结束），会议无效，须重新召开',
    'No member of the supervisory group attended it start to end: the meeting is invalid and must be reconvened',
  ],
  'meeting.rescheduled': () => ['召开前已改期', 'Rescheduled before it was held'],

  // ---------- transitions ----------
  'transition.next-phase': (p, w) => [
    p.next ? `单位现处于${w.phase(p.phase)}，只能申请进入${w.phase(p.next)}` : '单位已完成全部环节',
    p.next ? `The unit is in ${w.phase(p.phase)}: it can only request ${w.phase(p.next)}` : 'The unit has finished every phase',
  ],
  'transition.one-pending': () => ['已有一项环节转换申请等待督导组审批', 'A transition request already awaits the supervisory group'],
  'transition.already-decided': () => ['这项申请已经审批过了', 'This request was already decided'],

  // ---------- task book, disclosure, objections ----------
  'taskbook.phase': (p, w) => [
    `整改任务书在第三环节编制；单位现处于${w.phase(p.phase)}`,
    `The task book belongs to P3; the unit is in ${w.phase(p.phase)}`,
  ],
  'taskbook.published': () => ['整改任务书已签发公示，不能再修改', 'The task book is published and can no longer change'],
  'taskbook.missing': () => ['还没有可签发的整改任务书', 'There is no task book to publish'],
  'taskbook.item-problem': () => ['每个整改事项须至少针对一个查摆问题', 'Each item addresses at least one problem'],
  'objection.disclosure-window': (p, w) => [
    p.disclosureEndsAt ? `异议只在公示期内受理（公示截止 ${w.time(p.disclosureEndsAt)}）` : '整改任务书尚未公示，暂不受理异议',
    p.disclosureEndsAt
      ? `Objections are taken during the disclosure only (it ends ${w.time(p.disclosureEndsAt)})`
      : 'The task book is not disclosed: no objection is taken',
  ],
  'objection.limit': (p) => [`本任务书的异议已达 ${num(p.max)} 条上限`, `This task book already has ${num(p.max)} objections`],
  'objection.answered-once': () => ['这条异议已经答复过了', 'This objection was already answered'],

  // ---------- items and extensions ----------
  'item.running': () => ['该整改事项尚未生效或已结束', 'This item is not open: its task book is not in effect, or the item has ended'],
  'item.progress-open': (p, w) => [
    `整改事项已${w.itemStatus(p.status)}，不能再报告进展`,
    `The item is ${w.itemStatus(p.status)}: no more progress is reported`,
  ],
  'item.completion-open': (p, w) => [
    `只有整改中的事项可以申请销号；该事项${w.itemStatus(p.status)}`,
    `Only an open item is submitted for verification; this one is ${w.itemStatus(p.status)}`,
  ],
  'item.verification-submitted': (p, w) => [
    `只有待销号的事项可以核验；该事项${w.itemStatus(p.status)}`,
    `Only a submitted item is verified; this one is ${w.itemStatus(p.status)}`,
  ],
  'item.extension-open': (p, w) => [
    `整改事项已${w.itemStatus(p.status)}，不能再延期`,
    `The item is ${w.itemStatus(p.status)}: no extension`,
  ],
  'item.extension-one-pending': () => ['已有一项延期申请等待审批', 'An extension request already awaits a decision'],
  'item.extension-limit': (p) => [`延期申请已达 ${num(p.max)} 次上限`, `${num(p.max)} extensions were already requested: no more`],
  'item.extension-later': (p, w) => [
    `新时限须晚于现时限（${w.time(p.deadline)}）且尚未过去`,
    `The new deadline must be after the current one (${w.time(p.deadline)}) and still ahead`,
  ],
  'item.extension-within-plan': (p, w) => [
    `新时限不能晚于 ${w.time(p.latest)}（最后一批结束后一年零一天）`,
    `The new deadline can be no later than ${w.time(p.latest)} (a year and a day after the last batch)`,
  ],
  'item.carry-over-open': (p, w) => [
    `整改事项已${w.itemStatus(p.status)}，不能转入长效机制`,
    `The item is ${w.itemStatus(p.status)}: it cannot be carried over`,
  ],
  'extension.already-decided': () => ['这项延期申请已经审批过了', 'This extension was already decided'],

  // ---------- programmes, measures, units, campaigns ----------
  'goal.achievement-open': () => ['只有推进中的阶段目标可以报告完成', 'Only an open goal is reported achieved'],
  'goal.verification-achieved': () => ['只有已报告完成的阶段目标可以核验', 'Only a goal reported achieved is verified'],
  'measure.confirm-proposed': () => ['只有待确认的组织措施可以确认', 'Only a proposed measure is confirmed'],
  'unit.running': () => [
    '该单位所在批次尚未开始，或已完成全部环节',
    'This unit is not running: its batch has not opened, or it has finished',
  ],
  'campaign.start-once': () => ['活动已经启动过了', 'The campaign was already started'],
  'campaign.no-units': () => ['还没有参加单位，活动不能启动', 'A campaign with no unit cannot start'],
  'group.name-taken': (p) => [`已有名为“${String(p.name ?? '')}”的督导组`, `A group named "${String(p.name ?? '')}" exists already`],
  'enrol.code-twice': (p) => [`该代码在文件第 ${Number(p.line ?? 0) + 2} 行已出现`, `This code is also on line ${Number(p.line ?? 0) + 2}`],
  'enrol.group-unknown': () => ['督导组不存在（请先组建）', 'No such supervisory group (form it first)'],
  'enrol.batch-unplanned': (p) => [`日程中没有第${num(p.batch)}批`, `Batch ${num(p.batch)} is not in the plan`],
  'enrol.parent-unknown': (p) => [
    `上级单位 ${String(p.parentCode ?? '')} 尚未报名`,
    `Parent unit ${String(p.parentCode ?? '')} is not enrolled`,
  ],
  'enrol.own-parent': () => ['单位不能以自己为上级', 'A unit cannot be its own parent'],
  'plan.phase-before-batch': () => ['环节开始早于本批次开始', 'The phase starts before its batch'],
  'plan.phase-after-batch': () => ['环节截止晚于本批次结束', 'The phase ends after its batch'],
  'plan.phases-overlap': () => ['与上一环节的时间重叠（环节依次进行）', 'It overlaps the previous phase (phases run in order)'],
  'plan.batches-overlap': () => ['第二批须在第一批结束后开始', 'Batch 2 starts when or after batch 1 ends'],
  'plan.window-reversed': () => ['截止日期须晚于开始日期', 'The last day must come after the first'],
  'actor.scope': () => ['不在其权限范围内', 'Outside what they may see'],
  'holidays.year': (p) => [`日期须在 ${num(p.year)} 年内`, `Dates must be in ${num(p.year)}`],
  'holidays.workday-weekend': () => ['调休上班日须是周末', 'A swapped workday is a weekend day'],
  'holidays.both': () => ['同一天不能既放假又上班', 'A day cannot be both off and worked'],
  'idempotency-key.reused': () => ['重复提交的请求与原请求不一致', 'This repeated request differs from the first one'],
  'plan-change.stale-preview': () => [
    '预览之后情况已有变化（有预警已发出、事项已销号或日程已调整），请重新预览后再确认',
    'Things changed since the preview (a rung fired, an item closed or the plan changed): preview it again',
  ],
  'plan-version.not-newer': () => ['已在使用该日程版本或更新的版本', 'It runs on this plan version or a newer one already'],
  'plan-change.not-running': () => ['只有进行中的活动才按版本调整日程', 'A plan changes by version only while the campaign runs'],
  'plan-change.fixed': () => [
    '活动启动后，批次的开始时间和活动所在时区不能再改',
    "Once the campaign runs, a batch's opening and the campaign's zone cannot change",
  ],
  'simulation.queue-full': (p) => [
    `已有一次预演在运行、${num(p.max)} 次在等待，请待其中一次完成后再试`,
    `A simulation runs and ${num(p.max)} wait: try again when one has finished`,
  ],
  'simulation.not-done': () => ['预演尚未完成，完成后才有报告', 'The simulation has not finished: its report exists once it is done'],
  'idempotency-key.in-flight': () => ['上一次提交仍在处理中，请稍后再试', 'The first submission is still being answered: retry shortly'],

  // ---------- input ----------
  'input.invalid': (p, w) => [`${fieldName(w, p.field)}填写有误`, `${fieldName(w, p.field)} is not valid`],
  'input.required': (p, w) => [`请填写${fieldName(w, p.field)}`, `${fieldName(w, p.field)} is required`],
  'input.blank': (p, w) => [`${fieldName(w, p.field)}不能为空`, `${fieldName(w, p.field)} must not be blank`],
  'input.too-long': (p, w) => [
    `${fieldName(w, p.field)}最多 ${num(p.max)} 个字`,
    `${fieldName(w, p.field)}: at most ${num(p.max)} characters`,
  ],
  'input.too-many': (p, w) => [`${fieldName(w, p.field)}最多 ${num(p.max)} 项`, `${fieldName(w, p.field)}: at most ${num(p.max)} entries`],
  'input.one-of': (p, w) => [`${fieldName(w, p.field)}不在可选范围内`, `${fieldName(w, p.field)} is not one of the choices`],
  'input.type': (p, w) => [`${fieldName(w, p.field)}的格式不对`, `${fieldName(w, p.field)} has the wrong form`],
  'input.after': (p, w) => [
    `${fieldName(w, p.field)}须晚于${fieldName(w, p.other)}`,
    `${fieldName(w, p.field)} must be after the ${fieldName(w, p.other)}`,
  ],
  'input.future': (p, w) => [`${fieldName(w, p.field)}须在将来`, `${fieldName(w, p.field)} must be in the future`],
  'input.latest-deadline': (p, w) => [
    `${fieldName(w, p.field)}不能晚于 ${w.time(p.latest)}`,
    `${fieldName(w, p.field)} can be no later than ${w.time(p.latest)}`,
  ],
  'input.instant': (p, w) => [`${fieldName(w, p.field)}不是有效的时间`, `${fieldName(w, p.field)} is not a valid time`],
  'input.uuid': (p, w) => [`${fieldName(w, p.field)}无效`, `${fieldName(w, p.field)} is not valid`],
  'input.pattern': (p, w) => [
    `${fieldName(w, p.field)}只能包含字母、数字、点、短横线或下划线`,
    `${fieldName(w, p.field)}: letters, digits, dots, dashes or underscores only`,
  ],
  'input.unknown-field': () => ['请求中有无法识别的内容', 'The request has a field this form does not know'],
  'input.range': (p, w) => [`${fieldName(w, p.field)}超出范围`, `${fieldName(w, p.field)} is out of range`],
  'input.actor': () => ['无法确认操作人', 'Every change needs who makes it'],

  // ---------- by category, when a check named no rule of its own ----------
  'not-found': () => ['未找到：可能已被删除，或不在您的权限范围内', 'Not found: it may not exist, or it is outside what you may see'],
  'auth.unauthenticated': () => ['登录已失效，请重新登录', 'Your sign-in is no longer valid: sign in again'],
  'rate-limited': () => ['请求过于频繁，请稍后再试', 'Too many requests: retry in a moment'],
  conflict: () => ['与已有记录冲突', 'This conflicts with an existing record'],
  'rule.violated': () => ['不符合活动规则', 'Refused by a rule of the campaign'],
};

/** A refusal in the current language; a rule the table lacks is worded by its category, never shown raw. */
export function wordRefusal(r: Refusal, w: Words): string {
  const wordingOf = (rule: string): Wording | undefined => (Object.hasOwn(REFUSALS, rule) ? REFUSALS[rule] : undefined);
  const wording = wordingOf(r.rule) ?? wordingOf(CATEGORY_RULES[r.category]) ?? REFUSALS['rule.violated'];
  const [zh, en] = wording(r.params, w);
  return w.lang === 'zh' ? zh : en;
}

/** The wording of a meeting's stored reason (`meeting.full-attendance: …`), by the rule that opens it. */
export function wordMeetingReason(reason: string | undefined, w: Words): string {
  const rule = /^([a-z][\w.-]*):/.exec(reason ?? '')?.[1] ?? 'meeting.full-attendance';
  return wordRefusal({ category: 'RULE_VIOLATION', rule, params: {} }, w);
}
