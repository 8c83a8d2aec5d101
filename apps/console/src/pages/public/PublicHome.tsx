// The public's door, no login: campaigns under way and how many task books each has under disclosure (公示).
import { useQuery } from '@tanstack/react-query';
import { Card, List, Space, Tag, Typography } from 'antd';
import { api, call } from '../../api/client';
import { useI18n } from '../../i18n';
import { Link } from '../../router';
import { ErrorNote } from '../../ui/errors';

export function PublicHome() {
  const { t } = useI18n();
  const campaigns = useQuery({
    queryKey: ['public', 'campaigns'],
    queryFn: () => call(api.GET('/api/public/campaigns', { params: { query: { pageSize: 100 } } })),
  });
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('整改任务书公示', 'Rectification task books, disclosed')}
      </Typography.Title>
      <Typography.Paragraph>
        {t(
          '各参加单位的整改任务书在公示期内向社会公开，任何人无需登录即可查阅并提出异议；也可以向单位提出意见建议。',
          "Each unit's rectification task book is public during its disclosure window: anyone may read it and object, without signing in, and may send a unit an opinion.",
        )}
      </Typography.Paragraph>
      <ErrorNote error={campaigns.error} />
      <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t('教育实践活动', 'Campaigns')}</h2>}>
        <List
          loading={campaigns.isLoading}
          dataSource={campaigns.data?.items ?? []}
          locale={{ emptyText: t('暂无进行中的活动', 'No campaign under way') }}
          renderItem={(c) => (
            <List.Item>
              <List.Item.Meta
                title={<Link to={`/public/campaigns/${c.id}`}>{c.name}</Link>}
                description={
                  <Space wrap>
                    <Tag color="processing">
                      {t('公示中', 'Under disclosure')}: {c.taskBooks.disclosed}
                    </Tag>
                    <Tag color="success">
                      {t('已生效', 'In effect')}: {c.taskBooks.effective}
                    </Tag>
                    <span>{c.status === 'done' ? t('已结束', 'Finished') : t('进行中', 'Under way')}</span>
                  </Space>
                }
              />
            </List.Item>
          )}
        />
      </Card>
    </Space>
  );
}
