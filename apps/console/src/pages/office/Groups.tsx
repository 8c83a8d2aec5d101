// Supervisory groups (督导组) of a campaign and how many units each is assigned (units are assigned at enrolment).
import { useQuery } from '@tanstack/react-query';
import { Button, Form, Input, Space, Table } from 'antd';
import { useMemo } from 'react';
import { api, call } from '../../api/client';
import { useI18n } from '../../i18n';
import { ErrorNote } from '../../ui/errors';
import { useAction } from '../../ui/forms';
import { useAllUnits } from './useAllUnits';
import { FIELD_LIMITS } from '../../../../../libs/domain/src';

export const groupsKey = (campaignId: string) => ['groups', campaignId] as const;

export function useGroups(campaignId: string) {
  return useQuery({
    queryKey: groupsKey(campaignId),
    queryFn: () => call(api.GET('/api/campaigns/{id}/groups', { params: { path: { id: campaignId } } })),
  });
}

/** How many of the campaign's units each group is assigned, by group id. */
function useUnitsPerGroup(campaignId: string) {
  const units = useAllUnits(campaignId);
  return useMemo(() => {
    const m = new Map<string, number>();
    for (const u of units.data ?? []) m.set(u.groupId, (m.get(u.groupId) ?? 0) + 1);
    return m;
  }, [units.data]);
}

export function Groups({ campaignId }: { campaignId: string }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ name: string }>();
  const groups = useGroups(campaignId);
  const counts = useUnitsPerGroup(campaignId);
  const create = useAction({
    form,
    fields: ['name'],
    invalidate: [groupsKey(campaignId)],
    success: t('督导组已组建', 'Group formed'),
    fn: (v: { name: string }) => call(api.POST('/api/campaigns/{id}/groups', { params: { path: { id: campaignId } }, body: v })),
  });
  const list = (groups.data as { items?: Array<{ id: string; name: string }> } | Array<{ id: string; name: string }> | undefined) ?? [];
  const items = Array.isArray(list) ? list : (list.items ?? []);
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Form name="Groups-1" form={form} layout="inline" onFinish={create.submit}>
        <Form.Item
          name="name"
          label={t('督导组名称', 'Group name')}
          rules={[{ required: true, whitespace: true, message: t('请填写名称', 'Enter a name') }]}
        >
          <Input maxLength={FIELD_LIMITS.name} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={create.busy}>
          {t('组建督导组', 'Form group')}
        </Button>
      </Form>
      <ErrorNote error={create.error ?? groups.error} />
      <Table
        rowKey="id"
        size="small"
        loading={groups.isLoading}
        dataSource={items}
        pagination={false}
        columns={[
          { title: t('督导组', 'Group'), dataIndex: 'name', sorter: (a, b) => a.name.localeCompare(b.name, 'zh-CN') },
          {
            title: t('负责单位数', 'Units assigned'),
            render: (_, g) => counts.get(g.id) ?? 0,
            sorter: (a, b) => (counts.get(a.id) ?? 0) - (counts.get(b.id) ?? 0),
          },
        ]}
      />
    </Space>
  );
}
