// The office's campaigns, newest first, and the way to define a new one.
import { useQuery } from '@tanstack/react-query';
import { Button, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api, call } from '../../api/client';
import { useI18n } from '../../i18n';
import { Link, navigate } from '../../router';
import { ErrorNote } from '../../ui/errors';

export default function OfficeHome() {
  const { t, time } = useI18n();
  const [page, setPage] = useState(1);
  const campaigns = useQuery({
    queryKey: ['campaigns', page],
    queryFn: () => call(api.GET('/api/campaigns', { params: { query: { page, pageSize: 20 } } })),
  });
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Space style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {t('教育实践活动', 'Campaigns')}
        </Typography.Title>
        <Button type="primary" onClick={() => navigate('/office/campaigns/new')} data-testid="new-campaign">
          {t('新建活动', 'New campaign')}
        </Button>
      </Space>
      <ErrorNote error={campaigns.error} />
      <Table
        rowKey="id"
        loading={campaigns.isLoading}
        dataSource={campaigns.data?.items ?? []}
        pagination={{ current: page, pageSize: 20, total: campaigns.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
        columns={[
          {
            title: t('名称', 'Name'),
            render: (_, c) => <Link to={`/office/campaigns/${c.id}`}>{c.name}</Link>,
            sorter: (a, b) => a.name.localeCompare(b.name, 'zh-CN'),
          },
          {
            title: t('状态', 'Status'),
            render: (_, c) => (
              <Tag color={c.status === 'running' ? 'processing' : c.status === 'done' ? 'success' : 'default'}>
                {campaignStatus(c.status, t)}
              </Tag>
            ),
            sorter: (a, b) => a.status.localeCompare(b.status),
          },
          { title: t('开始', 'Starts'), render: (_, c) => time(c.startsAt, false), sorter: (a, b) => a.startsAt.localeCompare(b.startsAt) },
          { title: t('参加单位', 'Units'), dataIndex: 'units', sorter: (a, b) => a.units - b.units },
          {
            title: t('公示页面', 'Public pages'),
            render: (_, c) => (c.public ? t('已列出', 'listed') : t('未列出', 'not listed')),
            sorter: (a, b) => Number(a.public) - Number(b.public),
          },
        ]}
      />
    </Space>
  );
}

export const campaignStatus = (s: string, t: (zh: string, en: string) => string) =>
  s === 'draft' ? t('未启动', 'Draft') : s === 'running' ? t('进行中', 'Running') : t('已结束', 'Done');
