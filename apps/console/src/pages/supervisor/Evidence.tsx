// What stands behind a unit's request, for the supervisor to read before deciding: its records, its problems,
// the meeting with its minutes and the attendance attested, and (to finish) its items.
import { Collapse, Descriptions, List, Tag } from 'antd';
import type { ReactNode } from 'react';
import { useI18n, type I18nInZone } from '../../i18n';
import { useDocs, useUnit } from '../unit/useUnit';
import { wordMeetingReason } from '../../refusals';
import { useWords } from '../../ui/errors';

/** The confirmation of a transition decision: the unit, from → to, what approval locks and who is told. */
export function transitionSummary(
  t: I18nInZone['t'],
  label: I18nInZone['label'],
  e: { unitCode: string; unitName: string; from: string | null; to: string | null },
  approve: boolean,
): { title: string; content: ReactNode } {
  const move = `${label.phase(e.from)} → ${label.phase(e.to)}`;
  return approve
    ? {
        title: t(`批准 ${e.unitCode} ${e.unitName} 进入下一环节？`, `Approve ${e.unitCode} ${e.unitName} into the next phase?`),
        content: (
          <ul style={{ paddingInlineStart: 20 }}>
            <li>{move}</li>
            <li>
              {t(
                '批准后单位立即进入下一环节，上一环节的材料不再补交，此决定不能撤回。',
                'The unit moves at once; the phase it leaves is closed, and the decision cannot be undone.',
              )}
            </li>
            <li>
              {t(
                '决定和理由记入单位的工作流历史，单位在其页面看到结果。',
                "The decision and its reason go into the unit's history; the unit sees the outcome on its page.",
              )}
            </li>
          </ul>
        ),
      }
    : {
        title: t(`驳回 ${e.unitCode} ${e.unitName} 的申请？`, `Reject the request of ${e.unitCode} ${e.unitName}?`),
        content: (
          <ul style={{ paddingInlineStart: 20 }}>
            <li>{move}</li>
            <li>{t('单位留在当前环节，可补充材料后再次申请。', 'The unit stays where it is and may ask again once it has done more.')}</li>
            <li>
              {t('驳回理由记入工作流历史，单位在其页面看到。', "The reason goes into the unit's history; the unit sees it on its page.")}
            </li>
          </ul>
        ),
      };
}

export function Evidence({ unitId, to }: { unitId: string; to: string | null }) {
  const { t } = useI18n();
  return (
    <Collapse
      size="small"
      style={{ marginBottom: 12 }}
      items={[
        {
          key: 'evidence',
          label: t(
            '查看单位的材料：记录、问题、会议记录与到会情况',
            "Read the unit's materials: records, problems, minutes and attendance",
          ),
          children: <EvidenceBody unitId={unitId} to={to} />,
        },
      ]}
    />
  );
}

function EvidenceBody({ unitId, to }: { unitId: string; to: string | null }) {
  const { t, time, label } = useI18n();
  const unit = useUnit(unitId);
  const records = useDocs(unitId, 'records', 1, 50);
  const problems = useDocs(unitId, 'problems', 1, 50);
  const m = unit.data?.meeting;
  return (
    <div data-testid="evidence">
      <List
        size="small"
        header={<strong>{t(`记录（${records.data?.total ?? 0}）`, `Records (${records.data?.total ?? 0})`)}</strong>}
        dataSource={records.data?.items ?? []}
        locale={{ emptyText: t('暂无记录', 'No record') }}
        renderItem={(r) => (
          <List.Item>
            <Tag>{label.record(r.kind)}</Tag> {r.title} · {time(r.at)}
            {r.body ? <div style={{ whiteSpace: 'pre-wrap', width: '100%', color: '#434343' }}>{r.body}</div> : null}
          </List.Item>
        )}
      />
      {to !== 'P2' ? (
        <List
          size="small"
          header={<strong>{t(`查摆问题（${problems.data?.total ?? 0}）`, `Problems (${problems.data?.total ?? 0})`)}</strong>}
          dataSource={problems.data?.items ?? []}
          locale={{ emptyText: t('暂无问题', 'No problem') }}
          renderItem={(p) => (
            <List.Item>
              <Tag>{label.category(p.category)}</Tag> {p.title} · {label.source(p.source)}
            </List.Item>
          )}
        />
      ) : null}
      {to !== 'P2' ? m ? <MeetingEvidence m={m} /> : <p>{t('尚未安排专题民主生活会', 'No meeting scheduled yet')}</p> : null}
    </div>
  );
}

/** The meeting as evidence: when and where, whether it was held and valid, the attested attendance, its minutes. */
function MeetingEvidence({ m }: { m: NonNullable<NonNullable<ReturnType<typeof useUnit>['data']>['meeting']> }) {
  const { t, time } = useI18n();
  const words = useWords();
  return (
    <Descriptions size="small" bordered column={1} title={t('专题民主生活会', 'Democratic life meeting')} data-testid="evidence-meeting">
      <Descriptions.Item label={t('安排', 'Scheduled')}>
        {time(m.scheduledAt)} · {m.location}
      </Descriptions.Item>
      <Descriptions.Item label={t('召开', 'Held')}>
        {m.status === 'held'
          ? `${time(m.startedAt)} — ${time(m.endedAt)} · ${m.valid ? t('有效', 'valid') : `${t('无效：', 'invalid: ')}${wordMeetingReason(m.reason, words)}`}`
          : t('尚未召开', 'Not held yet')}
      </Descriptions.Item>
      <Descriptions.Item label={t('督导组到会', 'Attendance attested')}>
        {m.attendance.length
          ? m.attendance.map((a, i) => <div key={i}>{`${time(a.arrivedAt)} — ${time(a.leftAt)}`}</div>)
          : t('无', 'none')}
      </Descriptions.Item>
      <Descriptions.Item label={t('会议记录', 'Minutes')}>
        <div style={{ whiteSpace: 'pre-wrap' }}>{m.minutes ?? '—'}</div>
      </Descriptions.Item>
    </Descriptions>
  );
}
