// One campaign for the office (and auditors, read-only): start it, its dashboard, groups and assignment,
// enrolment from a file, principals and their sign-in links, and the cadre measures to confirm.
import { useQuery } from '@tanstack/react-query';
import { Button, Descriptions, Space, Tabs, Tag, Typography } from 'antd';
import { api, call } from '../../api/client';
import { useSession } from '../../api/session';
import { useI18n } from '../../i18n';
import { navigate, useLocation } from '../../router';
import { ErrorNote } from '../../ui/errors';
import { useAction } from '../../ui/forms';
import { campaignStatus } from './OfficeHome';
import { Dashboard } from './Dashboard';
import { Enrolment } from './Enrolment';
import { Groups } from './Groups';
import { Measures } from './Measures';
import { Principals } from './Principals';
import { PlanTimeline } from './PlanTimeline';

export default function CampaignPage({ id }: { id: string }) {
  const { t, lang, time } = useI18n();
  const session = useSession();
  const { path, query } = useLocation();
  const office = session?.principal.role === 'office';
  const campaign = useQuery({ queryKey: ['campaign', id], queryFn: () => call(api.GET('/api/campaigns/{id}', { params: { path: { id } } })) });
  const start = useAction({
    invalidate: [['campaign', id], ['campaigns']],
    fn: () => call(api.POST('/api/campaigns/{id}/start', { params: { path: { id } } })),
  });
  const c = campaign.data;
  const tab = query.get('tab') ?? 'dashboard';
  const items = [
    { key: 'dashboard', label: t('总览', 'Dashboard'), children: <Dashboard campaignId={id} /> },
    ...(office
      ? [
          { key: 'groups', label: t('督导组', 'Groups'), children: <Groups campaignId={id} /> },
          { key: 'enrol', label: t('单位报名', 'Enrolment'), children: <Enrolment campaignId={id} /> },
          { key: 'principals', label: t('人员与登录链接', 'Principals and sign-in links'), children: <Principals campaignId={id} /> },
        ]
      : []),
    { key: 'measures', label: t('组织措施', 'Cadre measures'), children: <Measures campaignId={id} canConfirm={office} /> },
    { key: 'plan', label: t('日程', 'Plan'), children: c ? <PlanTimeline plan={c.plan as never} /> : null },
  ];
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <ErrorNote error={campaign.error} />
      {c ? (
        <>
          <Space style={{ justifyContent: 'space-between', width: '100%' }} wrap>
            <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }} data-testid="campaign-name">
              {c.name}
            </Typography.Title>
            {office && c.status === 'draft' ? (
              <Button type="primary" onClick={() => start.run(undefined)} loading={start.busy} data-testid="start-campaign">
                {t('启动活动', 'Start the campaign')}
              </Button>
            ) : null}
          </Space>
          <ErrorNote error={start.error} />
          <Descriptions size="small" column={{ xs: 1, md: 3 }}>
            <Descriptions.Item label={t('状态', 'Status')}>
              <Tag data-testid="campaign-status" color={c.status === 'running' ? 'processing' : 'default'}>
                {campaignStatus(c.status, t)}
              </Tag>
            </Descriptions.Item>
            <Descriptions.Item label={t('开始', 'Starts')}>{time(c.startsAt)}</Descriptions.Item>
            <Descriptions.Item label={t('参加单位', 'Units')}>{c.counts.units}</Descriptions.Item>
          </Descriptions>
          <Tabs activeKey={tab} onChange={(k) => navigate(`${path}?tab=${k}`, { replace: true })} items={items} destroyOnHidden />
        </>
      ) : null}
    </Space>
  );
}
