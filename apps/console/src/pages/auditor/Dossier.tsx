// The referral dossier (移交材料) laid out as an official document (公文): title, document number (文号), the
// addressee, numbered sections — the facts, the escalation trail, the item's whole course, the measures — and
// the issuing office with its seal area and date. Worded in the console's language from the dossier's fields,
// times in the campaign's zone; printable as it is (the console's header and buttons are not printed).
import { useQuery } from '@tanstack/react-query';
import { Button, Space, Typography } from 'antd';
import { fetchWithToken } from '../../api/client';
import { useI18n } from '../../i18n';
import { wordRefusal } from '../../refusals';
import { Link } from '../../router';
import { useEscalationWords } from '../../ui/escalation';
import { ErrorNote, useWords } from '../../ui/errors';
import { CampaignZone } from '../../ui/zone';

interface Rung {
  escalationId: string;
  subject: string;
  rung: string;
  phase: string | null;
  itemId: string | null;
  deadline: string;
  firedAt: string;
  to: string[];
  owner: string | null;
  measure: string | null;
  programmeName: string | null;
  goalTitle: string | null;
  notices: Array<{ channel: string; recipient: string; status: string; acknowledgedAt: string | null }>;
}
interface TrailEntry {
  at: string;
  actor: string;
  actorName?: string;
  role: string;
  label: { zh: string; en: string };
  comment?: unknown;
  outcome: string;
  rule?: string;
  params?: Record<string, never>;
}
interface DossierData {
  generatedAt: string;
  escalation: Rung;
  unit: { id: string; campaignId: string; code: string; name: string; batch: number };
  item?: { measure?: unknown; owner?: unknown; deadlines: Array<{ deadline: string; since: string; by: string; reason?: string }> };
  rungs: Rung[];
  itemTrail: TrailEntry[];
  unitTrail: TrailEntry[];
  measures: Array<{
    kind: string;
    subject: string;
    reason: string;
    status: string;
    proposalKey: string | null;
    createdAt: string;
    confirmedAt: string | null;
  }>;
}

export default function DossierPage({ id }: { id: string }) {
  const dossier = useQuery({
    queryKey: ['dossier', id],
    queryFn: async () => (await (await fetchWithToken(`/api/escalations/${encodeURIComponent(id)}/dossier`)).json()) as DossierData,
  });
  if (dossier.error) return <ErrorNote error={dossier.error} />;
  if (!dossier.data) return null;
  return (
    <CampaignZone campaignId={dossier.data.unit.campaignId}>
      <DossierDocument d={dossier.data} />
    </CampaignZone>
  );
}

/** A fact of the item as its history recorded it (a text, or a reference the API could not put back). */
const textOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A document number from the escalation: the year it fired and four digits of its id (stable, unique enough to cite). */
const docNumber = (d: DossierData, year: string) =>
  `群教办移〔${year}〕${String(parseInt(d.escalation.escalationId.replace(/-/g, '').slice(0, 6), 16) % 10000).padStart(4, '0')}号`;

function DossierDocument({ d }: { d: DossierData }) {
  const { t, time } = useI18n();
  const e = d.escalation;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space className="no-print">
        <Link to="/audit">← {t('返回', 'Back')}</Link>
        <Button type="primary" onClick={() => window.print()} data-testid="print-dossier">
          {t('打印', 'Print')}
        </Button>
      </Space>
      <article className="official-document" data-testid="dossier" lang={t('zh-CN', 'en')}>
        <DossierHead d={d} />
        <p className="doc-to">{t('纪检监察机关：', 'To discipline inspection:')}</p>
        <p className="doc-body">
          {t(
            `${d.unit.code} ${d.unit.name}的下列事项经逐级督办仍未完成，依照活动的预警规则于 ${time(e.firedAt)} 触发移交，现将有关材料移送如下。`,
            `The matter below of ${d.unit.code} ${d.unit.name} was escalated rung by rung and is still not done; under the campaign's ladder it was referred at ${time(e.firedAt)}. The materials follow.`,
          )}
        </p>
        <h2>{t('一、基本情况', '1. The facts')}</h2>
        <DossierFacts d={d} />
        <h2>{t('二、逐级督办经过', '2. Every rung of the unit')}</h2>
        <RungsTable d={d} />
        {d.item ? (
          <>
            <h2>{t('三、整改事项全过程', "3. The item's whole course")}</h2>
            <TrailTable entries={d.itemTrail} />
          </>
        ) : null}
        <h2>{d.item ? t('四、单位督办过程', "4. The unit's course") : t('三、单位督办过程', "3. The unit's course")}</h2>
        <TrailTable entries={d.unitTrail} />
        <h2>{d.item ? t('五、组织措施', '5. Organisational measures') : t('四、组织措施', '4. Organisational measures')}</h2>
        <MeasuresTable measures={d.measures} />
        <DossierFoot d={d} />
      </article>
    </Space>
  );
}

/** The document's head: the issuing office, the document number and the title. */
function DossierHead({ d }: { d: DossierData }) {
  const { t, time } = useI18n();
  const year = time(d.escalation.firedAt, false).slice(0, 4);
  return (
    <header className="doc-head">
      <div className="doc-issuer">{t('群众路线教育实践活动办公室', 'The mass-line campaign office')}</div>
      <div className="doc-number">{docNumber(d, year)}</div>
      <hr className="doc-rule" />
      <Typography.Title level={1} className="doc-title">
        {t(
          `关于${d.unit.name}逾期未整改事项移交纪检监察机关的材料`,
          `Referral of ${d.unit.name}'s overdue rectification to discipline inspection`,
        )}
      </Typography.Title>
    </header>
  );
}

/** The document's foot: the seal area, the issuing office, the date it was drawn up, and where it comes from. */
function DossierFoot({ d }: { d: DossierData }) {
  const { t, time } = useI18n();
  return (
    <footer className="doc-foot">
      <div className="doc-seal" aria-label={t('印章区', 'Seal')}>
        {t('（印章）', '(seal)')}
      </div>
      <div>{t('群众路线教育实践活动办公室', 'The mass-line campaign office')}</div>
      <div>{time(d.generatedAt, false)}</div>
      <p className="doc-note">
        {t('本材料依据工作流历史与督办记录生成。', 'Drawn from the workflow histories and the escalation records.')}
      </p>
    </footer>
  );
}

/** The unit, the matter, and (for an item) its measure, who answers for it and every deadline it has had. */
function DossierFacts({ d }: { d: DossierData }) {
  const { t, time } = useI18n();
  const describe = useEscalationWords();
  const e = d.escalation;
  return (
    <dl className="doc-facts">
      <dt>{t('单位', 'Unit')}</dt>
      <dd>
        {d.unit.code} {d.unit.name}（{t(`第${d.unit.batch}批`, `batch ${d.unit.batch}`)}）
      </dd>
      <dt>{t('督办事由', 'Matter')}</dt>
      <dd>{describe({ ...e, unitCode: d.unit.code, unitName: d.unit.name })}</dd>
      {d.item ? (
        <>
          <dt>{t('整改措施', 'Measure')}</dt>
          <dd>{textOf(d.item.measure) ?? e.measure ?? ''}</dd>
          <dt>{t('责任人', 'Responsible')}</dt>
          <dd>{textOf(d.item.owner) ?? e.owner ?? ''}</dd>
          <dt>{t('时限', 'Deadlines')}</dt>
          <dd>
            {d.item.deadlines.length
              ? d.item.deadlines.map((x, i) => (
                  <div key={i}>
                    {time(x.deadline)}
                    {i > 0
                      ? t(
                          `（${time(x.since, false)} 批准延期${x.reason ? `：${x.reason}` : ''}）`,
                          ` (extended ${time(x.since, false)}${x.reason ? `: ${x.reason}` : ''})`,
                        )
                      : t('（任务书确定）', ' (task book)')}
                  </div>
                ))
              : time(e.deadline)}
          </dd>
        </>
      ) : null}
    </dl>
  );
}

/** Every rung of the unit: what it was about, when it fired, to whom it went and whether it was delivered. */
function RungsTable({ d }: { d: DossierData }) {
  const { t, time, label } = useI18n();
  const describe = useEscalationWords();
  const recipient = (r: string) => {
    const [kind, rest] = [r.split(':')[0], r.slice(r.indexOf(':') + 1)];
    if (kind === 'responsible-person') return t(`责任人 ${rest}`, `the responsible person, ${rest}`);
    if (kind === 'unit-head') return t('单位主要负责人', 'the head of the unit');
    if (kind === 'group') return t('所属督导组', 'its supervisory group');
    if (kind === 'office') return t('活动办公室', 'the campaign office');
    if (kind === 'discipline-inspection') return t('纪检监察机关', 'discipline inspection');
    return t('有关人员', 'those concerned');
  };
  return (
    <table className="doc-table">
      <thead>
        <tr>
          <th>{t('督办', 'Rung')}</th>
          <th>{t('事由', 'Matter')}</th>
          <th>{t('触发时间', 'Fired')}</th>
          <th>{t('送达', 'To')}</th>
        </tr>
      </thead>
      <tbody>
        {d.rungs.map((r) => (
          <tr key={r.escalationId} className={r.escalationId === d.escalation.escalationId ? 'this' : undefined}>
            <td>{label.rung(r.rung)}</td>
            <td>{describe({ ...r, unitCode: d.unit.code, unitName: d.unit.name })}</td>
            <td>{time(r.firedAt, 'seconds')}</td>
            <td>
              {r.to.map(recipient).join(t('、', ', '))}
              {r.notices.some((n) => n.acknowledgedAt) ? t('（已送达）', ' (delivered)') : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A trail, entry by entry: when, what (a refusal worded), who, and why. */
function TrailTable({ entries }: { entries: TrailEntry[] }) {
  const { t, time, label } = useI18n();
  const words = useWords();
  if (!entries.length) return <p>{t('无', 'None')}</p>;
  return (
    <table className="doc-table">
      <thead>
        <tr>
          <th>{t('时间', 'When')}</th>
          <th>{t('事项', 'What')}</th>
          <th>{t('办理人', 'Who')}</th>
          <th>{t('说明', 'Why')}</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((x, i) => (
          <tr key={i}>
            <td>{time(x.at, 'seconds')}</td>
            <td>
              {t(x.label.zh, x.label.en)}
              {x.outcome === 'refused' && x.rule
                ? `（${wordRefusal({ category: 'RULE_VIOLATION', rule: x.rule, params: x.params ?? {} }, words)}）`
                : ''}
            </td>
            <td>{x.actorName ?? label.role(x.role)}</td>
            <td>{typeof x.comment === 'string' ? x.comment : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The organisational measures: which, proposed by the ladder or recorded by the office, and confirmed or not. */
function MeasuresTable({ measures }: { measures: DossierData['measures'] }) {
  const { t, time, label } = useI18n();
  if (!measures.length) return <p>{t('无', 'None')}</p>;
  return (
    <table className="doc-table">
      <thead>
        <tr>
          <th>{t('措施', 'Measure')}</th>
          <th>{t('提出', 'Proposed')}</th>
          <th>{t('状态', 'Status')}</th>
        </tr>
      </thead>
      <tbody>
        {measures.map((m, i) => (
          <tr key={i}>
            <td>{label.measure(m.kind)}</td>
            <td>
              {time(m.createdAt)}{' '}
              {m.proposalKey ? t('（预警自动提出）', ' (proposed by the ladder)') : t('（活动办公室记录）', ' (recorded by the office)')}
            </td>
            <td>
              {m.status === 'confirmed'
                ? t(`已确认 ${time(m.confirmedAt)}`, `confirmed ${time(m.confirmedAt)}`)
                : t('待确认', 'to confirm')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
