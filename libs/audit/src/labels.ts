// What each recorded action is called, in English and Chinese. Updates and signals are keyed by the names
// defined in libs/contracts/src/messages.ts (a test checks that every one of them has a label); the engine's own
// actions (start, escalation rungs, phase changes…) by the names the timeline gives them.
import { byRung, PHASE_LABELS, PHASES, type Phase } from '../../domain/src';

const isPhase = (v: unknown): v is Phase => PHASES.includes(v as Phase);

export interface Label {
  en: string;
  zh: string;
}

interface LabelSpec extends Label {
  /** A more specific label from the call's arguments (e.g. approved vs. rejected). */
  variant?: (args: Record<string, unknown>) => Label | undefined;
}

const byDecision = (yes: Label, no: Label, field: string) => (args: Record<string, unknown>) =>
  typeof args[field] === 'boolean' ? (args[field] ? yes : no) : undefined;

const RECORD_KIND_LABELS: Record<string, Label> = {
  study: { en: 'Study session recorded', zh: '学习教育记录' },
  investigation: { en: 'Investigation recorded', zh: '调查研究记录' },
  'solicitation-report': { en: 'Opinion-solicitation report submitted', zh: '征求意见情况报告' },
  'comparison-check': { en: 'Comparison-check materials submitted', zh: '对照检查材料' },
  rule: { en: 'Rule adopted', zh: '建章立制' },
};

/** A phase entered, named from the domain's one list of phase labels (the console shows the same names). */
const phaseEntered = (phase: unknown): Label | undefined => {
  if (!isPhase(phase)) return undefined;
  const p: { zh: string; en: string; ordinal?: { zh: string; en: string } } = PHASE_LABELS[phase];
  return p.ordinal
    ? { en: `Entered ${p.ordinal.en}: ${p.en}`, zh: `进入${p.ordinal.zh} ${p.zh}` }
    : { en: 'Lifecycle completed', zh: '全部环节完成' };
};

/** The rungs' labels, from the domain's one vocabulary (the console shows the same). */
export const RUNG_LABELS: Record<string, Label> = byRung(({ label }) => label);

/** Updates and signals of libs/contracts/src/messages.ts, by name. */
export const CALL_LABELS: Record<string, LabelSpec> = {
  // unit lifecycle
  addRecord: {
    en: 'Record submitted',
    zh: '提交材料',
    variant: (a) => (typeof a.kind === 'string' ? RECORD_KIND_LABELS[a.kind] : undefined),
  },
  addOpinion: { en: 'Opinion received', zh: '收到群众意见' },
  addProblem: { en: 'Problem recorded', zh: '查摆问题登记' },
  scheduleMeeting: { en: 'Democratic life meeting scheduled', zh: '安排专题民主生活会' },
  meetingAttendance: { en: 'Supervisor attested attendance', zh: '督导组全程参与签到' },
  meetingHeld: { en: 'Democratic life meeting held', zh: '召开专题民主生活会' },
  requestTransition: { en: 'Transition requested', zh: '申请环节转换' },
  approveTransition: {
    en: 'Transition decided',
    zh: '环节转换审批',
    variant: byDecision({ en: 'Transition approved', zh: '批准环节转换' }, { en: 'Transition rejected', zh: '驳回环节转换' }, 'approve'),
  },
  setTaskBook: { en: 'Task book drawn up', zh: '制定整改任务书' },
  publishTaskBook: { en: 'Task book published for disclosure', zh: '整改任务书公示' },
  fileObjection: { en: 'Objection filed', zh: '公示期异议' },
  answerObjection: { en: 'Objection answered', zh: '答复异议' },
  itemReport: { en: 'Item status reported', zh: '整改事项状态报告' },
  // rectification item
  reportProgress: { en: 'Progress reported', zh: '报告整改进展' },
  submitCompletion: { en: 'Completion submitted', zh: '提交整改完成' },
  verifyItem: {
    en: 'Item verified',
    zh: '整改验收',
    variant: byDecision(
      { en: 'Item verified and closed', zh: '验收销号' },
      { en: 'Verification refused, item reopened', zh: '验收不通过，退回整改' },
      'accept',
    ),
  },
  requestExtension: { en: 'Extension requested', zh: '申请延期' },
  decideExtension: {
    en: 'Extension decided',
    zh: '延期审批',
    variant: byDecision({ en: 'Extension approved', zh: '批准延期' }, { en: 'Extension rejected', zh: '驳回延期' }, 'approve'),
  },
  carryOver: { en: 'Carried into a long-term rule', zh: '转入建章立制长效机制' },
  // a unit or an item takes a new plan version (the office changed the plan)
  applyPlanVersion: {
    en: 'Plan version taken',
    zh: '采用新版日程',
    variant: (a) =>
      typeof a.version === 'number' ? { en: `Plan version ${a.version} taken`, zh: `采用第 ${a.version} 版日程` } : undefined,
  },
  // city-wide programme
  goalAchievement: { en: 'Staged goal reported achieved', zh: '阶段目标完成报告' },
  goalVerification: {
    en: 'Staged goal verified',
    zh: '阶段目标验收',
    variant: byDecision(
      { en: 'Staged goal verified and closed', zh: '阶段目标验收通过' },
      { en: 'Staged goal sent back', zh: '阶段目标验收不通过' },
      'accept',
    ),
  },
};

/** The engine's own actions, as the timeline names them. */
export const SYSTEM_LABELS: Record<string, LabelSpec> = {
  workflowStarted: { en: 'Workflow started', zh: '流程启动' },
  workflowCompleted: { en: 'Workflow completed', zh: '流程结束' },
  workflowFailed: { en: 'Workflow failed', zh: '流程失败' },
  workflowTerminated: { en: 'Workflow terminated', zh: '流程被终止' },
  workflowCanceled: { en: 'Workflow cancelled', zh: '流程被取消' },
  workflowTimedOut: { en: 'Workflow timed out', zh: '流程超时' },
  workflowContinuedAsNew: { en: 'Workflow continued as new', zh: '流程续作新实例' },
  phaseEntered: {
    en: 'Entered a phase',
    zh: '进入环节',
    variant: (a) => phaseEntered(a.phase),
  },
  cardChanged: {
    en: 'Card changed',
    zh: '警示牌变更',
    variant: (a) =>
      a.card === 'yellow'
        ? { en: 'Yellow card shown', zh: '亮黄牌' }
        : a.card === 'red'
          ? { en: 'Red card shown', zh: '亮红牌' }
          : a.card === 'none'
            ? { en: 'Card cleared', zh: '撤销警示牌' }
            : undefined,
  },
  escalation: {
    en: 'Escalation',
    zh: '逐级督办',
    variant: (a) => (typeof a.rung === 'string' ? RUNG_LABELS[a.rung] : undefined),
  },
  notificationsDelivered: { en: 'Notices delivered', zh: '督办通知送达' },
  measureProposed: { en: 'Organisational measure proposed', zh: '建议组织处理' },
  itemStarted: { en: 'Rectification item started', zh: '整改事项启动' },
  itemClosed: { en: 'Rectification item workflow ended', zh: '整改事项流程结束' },
  timerFired: { en: 'Timer fired', zh: '时限到达' },
  batchUnitsStarted: { en: 'Batch units started', zh: '批次单位启动' },
  campaignStatus: { en: 'Campaign status recorded', zh: '活动状态登记' },
};

const titleCase = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());

/** The label table's entry of an action: an Update or signal, else one of the engine's; undefined for others. */
const specOf = (action: string): LabelSpec | undefined =>
  Object.hasOwn(CALL_LABELS, action) ? CALL_LABELS[action] : Object.hasOwn(SYSTEM_LABELS, action) ? SYSTEM_LABELS[action] : undefined;

/** The label of an action with its arguments; unknown actions fall back to their own name. */
export function labelOf(action: string, args: Record<string, unknown> = {}): Label {
  const spec = specOf(action);
  if (!spec) return { en: titleCase(action), zh: action };
  return spec.variant?.(args) ?? { en: spec.en, zh: spec.zh };
}

/** The label of an attempt the engine refused (a validator's "no" leaves no history event). */
export function refusedLabelOf(action: string, args: Record<string, unknown> = {}): Label {
  const spec = specOf(action);
  const base = spec ? { en: spec.en, zh: spec.zh } : labelOf(action, args);
  return { en: `Refused: ${base.en}`, zh: `被拒绝：${base.zh}` };
}
