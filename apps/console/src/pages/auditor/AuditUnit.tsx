// A unit's timeline for auditors (and the office, its supervisors): who, role, when (to the second, in the
// campaign's zone), what, why — refusals included and worded from their rule — rendered by the API from the
// workflow history; filters by who, kind and outcome; and the raw history to download.
import { useQuery } from '@tanstack/react-query';
import { Button, Space, Switch, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import type { RefusalParams } from '../../../../../libs/domain/src';
import { api, call, fetchWithToken } from '../../api/client';
import { useSession } from '../../api/session';
import { useI18n } from '../../i18n';
import { wordRefusal } from '../../refusals';
import { Link } from '../../router';
import { ErrorNote, useWords } from '../../ui/errors';
import { FilterSelect } from '../../ui/forms';
import { CampaignZone, ZoneNote } from '../../ui/zone';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default function AuditUnit({ id }: { id: string }) {
  const unit = useQuery({ queryKey: ['unit', id], queryFn: () => call(api.GET('/api/units/{id}', { params: { path: { id } } })) });
  return (
    <CampaignZone campaignId={unit.data?.campaignId}>
      <Timeline id={id} unit={unit.data} />
    </CampaignZone>
  );
}

type Entry = {
  at: string;
  role: string;
  actor: string;
  actorName?: string;
  action: string;
  label: { zh: string; en: string };
  comment?: unknown;
  outcome: string;
  rule?: string;
  params?: RefusalParams;
  workflowId: string;
  eventId?: number;
};

/** Who acted, by name (a principal's name, the public as 群众, the engine as 系统; never an id), and what, in words. */
function useEntryWords() {
  const { lang, label } = useI18n();
  const whoOf = (e: Entry) =>
    e.actorName
      ? e.actorName
      : e.role === 'public' || e.role === 'system' || UUID.test(e.actor) || e.actor.includes(':')
        ? label.role(e.role)
        : e.actor;
  const kindOf = (e: Entry) => (lang === 'zh' ? e.label.zh : e.label.en);
  return { whoOf, kindOf };
}

/** The unit's raw workflow history as a JSON file; an error is kept to show. */
function useHistoryDownload(id: string, code: string | undefined) {
  const [error, setError] = useState<unknown>();
  const download = async () => {
    setError(undefined);
    try {
      const res = await fetchWithToken(`/api/units/${id}/history`);
      const blob = await res.blob();
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `unit-${code ?? id}.history.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (e) {
      setError(e);
    }
  };
  return { start: () => void download(), error };
}

/** The entries narrowed by who acted, what kind of thing and its outcome (none chosen: all of them). */
function useTimelineFilter(all: Entry[]) {
  const { t, lang } = useI18n();
  const { whoOf, kindOf } = useEntryWords();
  const [who, setWho] = useState<string>();
  const [kind, setKind] = useState<string>();
  const [outcome, setOutcome] = useState<string>();
  const options = useMemo(
    () => ({
      who: [...new Set(all.map(whoOf))].sort().map((v) => ({ value: v, label: v })),
      kind: [...new Set(all.map(kindOf))].sort().map((v) => ({ value: v, label: v })),
      outcome: [
        { value: 'accepted', label: t('已接受', 'Accepted') },
        { value: 'refused', label: t('被拒绝', 'Refused') },
        { value: 'recorded', label: t('已记录', 'Recorded') },
      ],
    }),
    [all, lang],
  );
  const shown = all.filter((e) => (!who || whoOf(e) === who) && (!kind || kindOf(e) === kind) && (!outcome || e.outcome === outcome));
  return { who, setWho, kind, setKind, outcome, setOutcome, options, shown };
}

type TimelineFilter = ReturnType<typeof useTimelineFilter>;

function Timeline({ id, unit }: { id: string; unit?: { code: string; name: string } }) {
  const { t } = useI18n();
  const session = useSession();
  const [includeItems, setIncludeItems] = useState(false);
  const history = useHistoryDownload(id, unit?.code);
  const timeline = useQuery({
    queryKey: ['timeline', id, includeItems],
    queryFn: () => call(api.GET('/api/units/{id}/timeline', { params: { path: { id }, query: { includeItems } } })),
  });
  const filter = useTimelineFilter((timeline.data ?? []) as Entry[]);
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Link to={session?.principal.role === 'auditor' ? '/audit' : `/units/${id}`}>← {t('返回', 'Back')}</Link>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('工作流时间线', 'Timeline')} · {unit ? `${unit.code} ${unit.name}` : ''}
      </Typography.Title>
      <ZoneNote />
      <TimelineFilters
        includeItems={includeItems}
        onIncludeItems={setIncludeItems}
        filter={filter}
        onDownload={session?.principal.role === 'auditor' ? history.start : undefined}
      />
      <ErrorNote error={history.error} />
      <ErrorNote error={timeline.error} />
      <TimelineTable entries={filter.shown} loading={timeline.isLoading} />
    </Space>
  );
}

interface TimelineFiltersProps {
  includeItems: boolean;
  onIncludeItems: (v: boolean) => void;
  filter: TimelineFilter;
  /** Absent: no download (only an auditor has it). */
  onDownload?: () => void;
}

/** The switch for the items' entries, the three filters, and (for an auditor) the raw history's download. */
function TimelineFilters({ includeItems, onIncludeItems, filter: f, onDownload }: TimelineFiltersProps) {
  const { t } = useI18n();
  return (
    <Space wrap>
      <label>
        <Switch checked={includeItems} onChange={onIncludeItems} aria-label={t('包含整改事项', 'Include items')} />{' '}
        {t('包含整改事项', 'Include items')}
      </label>
      <FilterSelect
        width={180}
        label={t('执行人', 'Who')}
        placeholder={t('全部执行人', 'Anyone')}
        value={f.who}
        onChange={f.setWho}
        options={f.options.who}
        testId="timeline-who"
      />
      <FilterSelect
        width={220}
        label={t('事项', 'What')}
        placeholder={t('全部事项', 'Any kind')}
        value={f.kind}
        onChange={f.setKind}
        options={f.options.kind}
        testId="timeline-kind"
      />
      <FilterSelect
        width={140}
        label={t('结果', 'Outcome')}
        placeholder={t('全部结果', 'Any outcome')}
        value={f.outcome}
        onChange={f.setOutcome}
        options={f.options.outcome}
        testId="timeline-outcome"
      />
      {onDownload ? (
        <Button onClick={onDownload} data-testid="download-history">
          {t('下载工作流历史（JSON）', 'Download workflow history (JSON)')}
        </Button>
      ) : null}
    </Space>
  );
}

/** The entries, oldest first: when (to the second), role, who, what, why, and the outcome (a refusal worded). */
function TimelineTable({ entries, loading }: { entries: Entry[]; loading: boolean }) {
  const { t, label, time } = useI18n();
  const words = useWords();
  const { whoOf, kindOf } = useEntryWords();
  return (
    <Table
      data-testid="timeline"
      rowKey={(e, i) => `${e.workflowId}:${e.eventId ?? 'log'}:${i}`}
      size="small"
      loading={loading}
      dataSource={entries}
      pagination={{ pageSize: 50, hideOnSinglePage: true }}
      columns={[
        {
          title: t('时间', 'When'),
          render: (_, e) => time(e.at, 'seconds'),
          sorter: (a, b) => a.at.localeCompare(b.at),
          defaultSortOrder: 'ascend',
        },
        {
          title: t('角色', 'Role'),
          render: (_, e) => label.role(e.role),
          sorter: (a, b) => label.role(a.role).localeCompare(label.role(b.role), 'zh-CN'),
        },
        { title: t('执行人', 'Who'), render: (_, e) => whoOf(e), sorter: (a, b) => whoOf(a).localeCompare(whoOf(b), 'zh-CN') },
        { title: t('事项', 'What'), render: (_, e) => kindOf(e), sorter: (a, b) => kindOf(a).localeCompare(kindOf(b), 'zh-CN') },
        { title: t('理由', 'Why'), render: (_, e) => (typeof e.comment === 'string' ? e.comment : '') },
        {
          title: t('结果', 'Outcome'),
          sorter: (a, b) => a.outcome.localeCompare(b.outcome),
          render: (_, e) =>
            e.outcome === 'refused' ? (
              <span data-rule={e.rule}>
                <Tag color="error">{t('被拒绝', 'Refused')}</Tag>{' '}
                {e.rule ? wordRefusal({ category: 'RULE_VIOLATION', rule: e.rule, params: e.params ?? {} }, words) : null}
              </span>
            ) : e.outcome === 'accepted' ? (
              <Tag color="success">{t('已接受', 'Accepted')}</Tag>
            ) : (
              <Tag>{t('已记录', 'Recorded')}</Tag>
            ),
        },
      ]}
    />
  );
}
