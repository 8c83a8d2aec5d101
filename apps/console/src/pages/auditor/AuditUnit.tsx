// A unit's timeline for auditors (and the office, its supervisors): who, role, when, what, why — refusals
// included — rendered by the API from the workflow history; and the raw history to download.
import { useQuery } from '@tanstack/react-query';
import { Button, Space, Switch, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api, call, fetchWithToken } from '../../api/client';
import { useSession } from '../../api/session';
import { useI18n } from '../../i18n';
import { Link } from '../../router';
import { ErrorNote } from '../../ui/errors';

export default function AuditUnit({ id }: { id: string }) {
  const { t, lang, label, time } = useI18n();
  const session = useSession();
  const [includeItems, setIncludeItems] = useState(false);
  const [downloadError, setDownloadError] = useState<unknown>();
  const unit = useQuery({ queryKey: ['unit', id], queryFn: () => call(api.GET('/api/units/{id}', { params: { path: { id } } })) });
  const timeline = useQuery({
    queryKey: ['timeline', id, includeItems],
    queryFn: () => call(api.GET('/api/units/{id}/timeline', { params: { path: { id }, query: { includeItems } } })),
  });
  const download = async () => {
    setDownloadError(undefined);
    try {
      const res = await fetchWithToken(`/api/units/${id}/history`);
      const blob = await res.blob();
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `unit-${id}.history.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (e) {
      setDownloadError(e);
    }
  };
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Link to={session?.principal.role === 'auditor' ? '/audit' : `/units/${id}`}>← {t('返回', 'Back')}</Link>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('工作流时间线', 'Timeline')} · {unit.data ? `${unit.data.code} ${unit.data.name}` : id}
      </Typography.Title>
      <Space wrap>
        <label>
          <Switch checked={includeItems} onChange={setIncludeItems} aria-label={t('包含整改事项', 'Include items')} /> {t('包含整改事项', 'Include items')}
        </label>
        {session?.principal.role === 'auditor' ? (
          <Button onClick={download} data-testid="download-history">
            {t('下载工作流历史（JSON）', 'Download workflow history (JSON)')}
          </Button>
        ) : null}
      </Space>
      <ErrorNote error={downloadError} />
      <ErrorNote error={timeline.error} />
      <Table
        data-testid="timeline"
        rowKey={(e, i) => `${e.workflowId}:${e.eventId ?? 'log'}:${i}`}
        size="small"
        loading={timeline.isLoading}
        dataSource={timeline.data ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { title: t('时间', 'When'), render: (_, e) => time(e.at) },
          { title: t('角色', 'Role'), render: (_, e) => label.role(e.role) },
          { title: t('执行人', 'Who'), render: (_, e) => e.actorName ?? e.actor },
          { title: t('事项', 'What'), render: (_, e) => (lang === 'zh' ? e.label.zh : e.label.en) },
          { title: t('理由', 'Why'), render: (_, e) => e.comment ?? '' },
          {
            title: t('结果', 'Outcome'),
            render: (_, e) =>
              e.outcome === 'refused' ? (
                <Tag color="error">
                  {t('被拒绝', 'Refused')} {e.rule ? <code>{e.rule}</code> : null}
                </Tag>
              ) : e.outcome === 'accepted' ? (
                <Tag color="success">{t('已接受', 'Accepted')}</Tag>
              ) : (
                <Tag>{t('已记录', 'Recorded')}</Tag>
              ),
          },
        ]}
      />
    </Space>
  );
}
