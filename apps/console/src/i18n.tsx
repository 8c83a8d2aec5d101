// Two languages: Chinese (default, the campaign's own) and English. Texts are written in pairs where they
// are used — t('活动', 'Campaigns') — so that neither language can be forgotten; the domain's vocabulary
// (phases, cards, rungs, gates…) has its labels here, keyed by the lists of libs/domain.
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import {
  byRung,
  CARD_LABELS,
  CARDS,
  ITEM_STATUS_LABELS,
  ITEM_STATUSES,
  PHASE_LABELS,
  PHASES,
  type Card,
  type ItemStatus,
  type MeasureKind,
  type Phase,
  type ProblemCategory,
  type ProblemSource,
  type RecordKind,
  type Role,
  type Rung,
  type UnitKind,
  type UnitLevel,
} from '../../../libs/domain/src';

export type Lang = 'zh' | 'en';
const STORAGE_KEY = 'massline.lang';

type Pair = readonly [zh: string, en: string];

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  /** The text in the current language. */
  t: (zh: string, en: string) => string;
  /** A label of the domain's vocabulary. */
  label: Labels;
}

export interface I18nInZone extends I18n {
  /** The zone of the campaign in view (`+08:00`). */
  zone: string;
  /** An instant in the campaign's zone; `false` for the date alone, `'seconds'` with seconds. */
  time: (iso: string | null | undefined, withTime?: boolean | 'seconds') => string;
}

const pick = (lang: Lang, p: Pair) => (lang === 'zh' ? p[0] : p[1]);

/** The phases' names, from the domain's one list (the audit's timelines show the same). */
export const PHASE_LABEL = Object.fromEntries(PHASES.map((p): [Phase, Pair] => [p, [PHASE_LABELS[p].zh, PHASE_LABELS[p].en]])) as Record<
  Phase,
  Pair
>;
export const CARD_LABEL = Object.fromEntries(CARDS.map((c): [Card, Pair] => [c, [CARD_LABELS[c].zh, CARD_LABELS[c].en]])) as Record<
  Card,
  Pair
>;
/** The rungs' labels, from the domain's one vocabulary (the audit's timelines and dossiers show the same). */
export const RUNG_LABEL: Record<Rung, Pair> = byRung(({ label }) => [label.zh, label.en]);
export const ROLE_LABEL: Record<Role | 'public' | 'system', Pair> = {
  office: ['活动办公室', 'Campaign office'],
  unit: ['参加单位', 'Unit'],
  supervisor: ['督导组', 'Supervisor'],
  auditor: ['审计', 'Auditor'],
  public: ['群众', 'Public'],
  system: ['系统', 'System'],
};
/** A request's decision (transitions, extensions). */
export const DECISION_LABEL: Record<'pending' | 'approved' | 'rejected', Pair> = {
  pending: ['待审批', 'Awaiting decision'],
  approved: ['已批准', 'Approved'],
  rejected: ['已驳回', 'Rejected'],
};
export const RECORD_LABEL: Record<RecordKind, Pair> = {
  study: ['学习记录', 'Study record'],
  investigation: ['调查研究', 'Investigation'],
  'solicitation-report': ['征求意见报告', 'Opinion-solicitation report'],
  'comparison-check': ['对照检查材料', 'Comparison-check materials'],
  rule: ['建章立制', 'Rule adopted'],
};
export const SOURCE_LABEL: Record<ProblemSource, Pair> = {
  masses: ['群众提', 'Raised by the masses'],
  self: ['自己找', 'Found by oneself'],
  superior: ['上级点', 'Pointed out by the superior'],
  mutual: ['互相帮', 'Mutual help'],
};
export const CATEGORY_LABEL: Record<ProblemCategory, Pair> = {
  formalism: ['形式主义', 'Formalism'],
  bureaucratism: ['官僚主义', 'Bureaucratism'],
  hedonism: ['享乐主义', 'Hedonism'],
  extravagance: ['奢靡之风', 'Extravagance'],
  other: ['其他', 'Other'],
};
export const ITEM_STATUS_LABEL = Object.fromEntries(
  ITEM_STATUSES.map((s): [ItemStatus, Pair] => [s, [ITEM_STATUS_LABELS[s].zh, ITEM_STATUS_LABELS[s].en]]),
) as Record<ItemStatus, Pair>;
export const MEASURE_LABEL: Record<MeasureKind, Pair> = {
  'reminder-talk': ['提醒谈话', 'Reminder talk'],
  'team-rectification': ['整顿', 'Team rectification'],
  adjustment: ['组织调整', 'Organisational adjustment'],
  referral: ['移交纪检监察', 'Referral'],
};
export const KIND_LABEL: Record<UnitKind, Pair> = {
  organ: ['机关', 'Organ'],
  enterprise: ['企业', 'Enterprise'],
  university: ['高校', 'University'],
  affiliated: ['直属单位', 'Affiliated unit'],
  grassroots: ['基层组织', 'Grassroots'],
};
export const LEVEL_LABEL: Record<UnitLevel, Pair> = { municipal: ['市级', 'Municipal'], district: ['区县', 'District'] };
export const GATE_LABEL: Record<string, Pair> = {
  'gate.P2.study-record': ['至少一条学习记录', 'At least one study record'],
  'gate.P2.opinion': ['至少收到一条意见', 'At least one opinion received'],
  'gate.P2.solicitation-report': ['征求意见报告', 'An opinion-solicitation report'],
  'gate.P3.problem': ['至少一个查摆问题', 'At least one problem found'],
  'gate.P3.comparison-check': ['领导班子对照检查材料', "The leadership's comparison-check materials"],
  'gate.P3.valid-meeting': ['督导组全程参与的专题民主生活会', 'A meeting attended start to end by the supervisory group'],
  'gate.DONE.task-book-effective': ['整改任务书公示期满、异议均已答复', 'Task book in effect (disclosure over, objections answered)'],
  'gate.DONE.items-closed': ['整改事项全部销号或转入长效机制', 'Every item closed or carried into a rule'],
  'gate.DONE.rule-recorded': ['至少一项建章立制', 'At least one rule recorded'],
};

function labels(lang: Lang) {
  // A key the API sends that the table does not know (a newer rule, a gate) is shown as it is.
  const of = <K extends string>(table: Record<K, Pair>) => {
    const known = (key: string): key is K => Object.hasOwn(table, key);
    return (key: string | null | undefined): string => (key == null ? '' : known(key) ? pick(lang, table[key]) : key);
  };
  return {
    phase: of(PHASE_LABEL),
    card: of(CARD_LABEL),
    rung: of(RUNG_LABEL),
    role: of(ROLE_LABEL),
    record: of(RECORD_LABEL),
    source: of(SOURCE_LABEL),
    category: of(CATEGORY_LABEL),
    itemStatus: of(ITEM_STATUS_LABEL),
    measure: of(MEASURE_LABEL),
    kind: of(KIND_LABEL),
    level: of(LEVEL_LABEL),
    gate: of(GATE_LABEL),
    decision: of(DECISION_LABEL),
  };
}
export type Labels = ReturnType<typeof labels>;

const Ctx = createContext<I18n | null>(null);

const initialLang = (): Lang => {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
};

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang: (l) => {
        setLangState(l);
        try {
          localStorage.setItem(STORAGE_KEY, l);
        } catch {
          /* private mode: the choice lasts for this page */
        }
        document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
      },
      t: (zh, en) => (lang === 'zh' ? zh : en),
      label: labels(lang),
    }),
    [lang],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18nInZone {
  const v = useContext(Ctx);
  const zone = useContext(ZoneCtx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return useMemo(
    () => ({ ...v, zone, time: (iso, withTime = true) => formatTime(iso, v.lang, withTime !== false, zone, withTime === 'seconds') }),
    [v, zone],
  );
}

// ---------- time: every display and every input in the campaign's own zone (its plan's utcOffset) ----------

export const DEFAULT_OFFSET = '+08:00';

/** `+08:00` → milliseconds east of UTC (a malformed offset counts as China's). */
export function offsetMs(offset: string | null | undefined): number {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset ?? '');
  if (!m) return 8 * 3_600_000;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
}

/** `UTC+08:00`, as the zone is stated beside fields and under pages. */
export const zoneName = (offset: string) => `UTC${offset}`;

/** An instant as the wall clock of the zone reads it: `2013-07-08 09:00` (`:05` with seconds; the date alone). */
export function formatTime(
  iso: string | null | undefined,
  _lang: Lang,
  withTime = true,
  offset: string = DEFAULT_OFFSET,
  seconds = false,
): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '—';
  const wall = new Date(ms + offsetMs(offset)).toISOString();
  const date = wall.slice(0, 10);
  if (!withTime) return date;
  return `${date} ${wall.slice(11, seconds ? 19 : 16)}`;
}

/** The wall clock of an instant in the zone, `YYYY-MM-DDTHH:mm:ss` (what a date-time picker shows). */
export const wallTime = (iso: string, offset: string): string => new Date(Date.parse(iso) + offsetMs(offset)).toISOString().slice(0, 19);

/** A wall-clock time in the zone (`YYYY-MM-DD HH:mm[:ss]`) → the instant, with the zone's offset: `…T09:00:00+08:00`. */
export const instantOf = (wall: string, offset: string): string => {
  const [date, time = '00:00:00'] = wall.trim().split(/[ T]/);
  const hms = time.length === 5 ? `${time}:00` : time;
  return `${date}T${hms}${offset}`;
};

const ZoneCtx = createContext<string>(DEFAULT_OFFSET);

/** The zone of what is inside: the campaign's utcOffset (China's, +08:00, while it is not known). */
export function ZoneProvider({ offset, children }: { offset?: string | null; children: ReactNode }) {
  return <ZoneCtx.Provider value={offset && /^[+-]\d{2}:\d{2}$/.test(offset) ? offset : DEFAULT_OFFSET}>{children}</ZoneCtx.Provider>;
}
