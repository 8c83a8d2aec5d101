// Principals of a campaign (unit staff, supervisors; office and auditors too) and their one-time sign-in
// links: the office makes a link and hands it over; opening it signs the person in for that browser tab.
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table/interface';
import { useState } from 'react';
import { ROLES, FIELD_LIMITS, type Role } from '../../../../../libs/domain/src';
import { api, call } from '../../api/client';
import type { components } from '../../api/generated/schema';
import { useI18n } from '../../i18n';
import { ErrorNote } from '../../ui/errors';
import { useAction } from '../../ui/forms';
import { useGroups } from './Groups';
import { useAllUnits } from './useAllUnits';

const principalsKey = (campaignId: string) => ['principals', campaignId] as const;

export function Principals({ campaignId }: { campaignId: string }) {
  const { t } = useI18n();
  const [page, setPage] = useState(1);
  const [q, setQ] = useState('');
  const links = useSignInLinks();
  const list = useQuery({
    queryKey: [...principalsKey(campaignId), page, q],
    queryFn: () => call(api.GET('/api/principals', { params: { query: { campaignId, page, pageSize: 20, ...(q ? { q } : {}) } } })),
  });
  const columns = usePrincipalColumns(links);
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <NewPrincipal campaignId={campaignId} onCreated={(id) => void links.make(id)} />
      <Input.Search
        aria-label={t('搜索人员', 'Search principals')}
        placeholder={t('姓名、单位或督导组', 'Name, unit or group')}
        allowClear
        onSearch={(v) => {
          setQ(v.trim());
          setPage(1);
        }}
        style={{ maxWidth: 360 }}
      />
      <ErrorNote error={list.error ?? links.error} />
      <Table
        rowKey="id"
        size="small"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, onChange: setPage }}
        columns={columns}
      />
    </Space>
  );
}

type PrincipalRow = components['schemas']['PrincipalListEntryDto'];

/** The one-time sign-in links made on this page, by principal, and why the last one could not be made. */
function useSignInLinks() {
  const [made, setMade] = useState<Partial<Record<string, { url: string; expiresAt: string }>>>({});
  const [error, setError] = useState<unknown>();
  const make = async (id: string) => {
    setError(undefined);
    try {
      const l = await call(api.POST('/api/principals/{id}/sign-in-links', { params: { path: { id } } }));
      setMade((m) => ({ ...m, [id]: { url: `${window.location.origin}${l.path}`, expiresAt: l.expiresAt } }));
    } catch (e) {
      setError(e);
    }
  };
  return { made, error, make };
}

/** The principals' columns, each sortable on the page shown; the last makes a principal's link or shows it. */
function usePrincipalColumns(links: ReturnType<typeof useSignInLinks>): ColumnsType<PrincipalRow> {
  const { t, label, time } = useI18n();
  return [
    { title: t('姓名', 'Name'), dataIndex: 'name', sorter: (a, b) => a.name.localeCompare(b.name, 'zh-CN') },
    { title: t('角色', 'Role'), render: (_, p) => <Tag>{label.role(p.role)}</Tag>, sorter: (a, b) => a.role.localeCompare(b.role) },
    {
      title: t('范围', 'Scope'),
      render: (_, p) => (p.unitCode ? `${p.unitCode} ${p.unitName}` : (p.groupName ?? '—')),
      sorter: (a, b) => (a.unitCode ?? a.groupName ?? '').localeCompare(b.unitCode ?? b.groupName ?? '', 'zh-CN'),
    },
    { title: t('创建', 'Created'), render: (_, p) => time(p.createdAt), sorter: (a, b) => a.createdAt.localeCompare(b.createdAt) },
    {
      title: t('一次性登录链接', 'One-time sign-in link'),
      render: (_, p) => <SignInLink link={links.made[p.id]} onMake={() => void links.make(p.id)} name={p.name} />,
    },
  ];
}

/** A principal's sign-in link to copy, with until when it holds; or, before one is made, the button that makes it. */
function SignInLink({ link, onMake, name }: { link: { url: string; expiresAt: string } | undefined; onMake: () => void; name: string }) {
  const { t, time } = useI18n();
  return link ? (
    <Space orientation="vertical" size={0}>
      <Typography.Text copyable={{ text: link.url }} code data-testid="sign-in-link" style={{ wordBreak: 'break-all' }}>
        {link.url}
      </Typography.Text>
      <span>
        {t('有效至', 'valid until')} {time(link.expiresAt)}
      </span>
    </Space>
  ) : (
    <Button size="small" onClick={onMake} data-testid={`make-link-${name}`}>
      {t('生成链接', 'Make a link')}
    </Button>
  );
}

interface PrincipalValues {
  name: string;
  role: Role;
  unitId?: string;
  groupId?: string;
}

/** The principal to create: its scope follows the role (a unit's names its unit, a supervisor its group, nobody else either). */
const principalBody = (v: PrincipalValues) =>
  v.role === 'unit'
    ? { name: v.name, role: v.role, unitId: v.unitId ?? '' }
    : v.role === 'supervisor'
      ? { name: v.name, role: v.role, groupId: v.groupId ?? '' }
      : { name: v.name, role: v.role };

function NewPrincipal({ campaignId, onCreated }: { campaignId: string; onCreated: (id: string) => void }) {
  const { t, label } = useI18n();
  const [form] = Form.useForm<PrincipalValues>();
  const role = Form.useWatch('role', form);
  const [token, setToken] = useState<string>();
  const create = useAction({
    form,
    fields: ['name', 'role', 'unitId', 'groupId'],
    invalidate: [principalsKey(campaignId)],
    success: t('人员已创建', 'Principal created'),
    fn: (v: PrincipalValues) => call(api.POST('/api/principals', { body: principalBody(v) })),
    onDone: (r) => {
      setToken(r.token);
      onCreated(r.id);
    },
  });
  return (
    <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('新增人员', 'New principal')}</h2>}>
      <Form
        name="Principals-1"
        form={form}
        layout="inline"
        onFinish={create.submit}
        initialValues={{ role: 'unit' }}
        style={{ rowGap: 8 }}
        data-testid="principal-form"
      >
        <Form.Item
          name="name"
          label={t('姓名', 'Name')}
          rules={[{ required: true, whitespace: true, message: t('请填写姓名', 'Enter a name') }]}
        >
          <Input maxLength={FIELD_LIMITS.name} />
        </Form.Item>
        <Form.Item name="role" label={t('角色', 'Role')}>
          <Select style={{ width: 160 }} aria-label={t('角色', 'Role')} options={ROLES.map((r) => ({ value: r, label: label.role(r) }))} />
        </Form.Item>
        <ScopeField campaignId={campaignId} role={role} />
        <Button type="primary" htmlType="submit" loading={create.busy}>
          {t('新增', 'Create')}
        </Button>
      </Form>
      <ErrorNote error={create.error} />
      {token ? <TokenOnce token={token} onClose={() => setToken(undefined)} /> : null}
    </Card>
  );
}

/** The principal's scope: the unit of a unit's principal, the group of a supervisor; none for the others. */
function ScopeField({ campaignId, role }: { campaignId: string; role: Role | undefined }) {
  const { t } = useI18n();
  const units = useAllUnits(campaignId);
  const groups = useGroups(campaignId);
  if (role === 'unit')
    return (
      <Form.Item name="unitId" label={t('单位', 'Unit')} rules={[{ required: true, message: t('请选择单位', 'Choose a unit') }]}>
        <Select
          showSearch={{ optionFilterProp: 'label' }}
          aria-label={t('单位', 'Unit')}
          style={{ width: 280 }}
          loading={units.isLoading}
          options={(units.data ?? []).map((u) => ({ value: u.id, label: `${u.code} ${u.name}` }))}
        />
      </Form.Item>
    );
  if (role === 'supervisor')
    return (
      <Form.Item name="groupId" label={t('督导组', 'Group')} rules={[{ required: true, message: t('请选择督导组', 'Choose a group') }]}>
        <Select
          style={{ width: 220 }}
          aria-label={t('督导组', 'Group')}
          options={(groups.data?.items ?? []).map((g) => ({ value: g.id, label: g.name }))}
        />
      </Form.Item>
    );
  return null;
}

/** A new principal's token, shown this once to copy. */
function TokenOnce({ token, onClose }: { token: string; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Alert
      style={{ marginTop: 8 }}
      type="success"
      showIcon
      closable={{ onClose }}
      title={t(
        '已创建。令牌只显示这一次；也可以把下方表格中的一次性登录链接交给本人。',
        'Created. The token is shown this once; or hand over the one-time sign-in link in the table below.',
      )}
      description={
        <Typography.Text copyable code>
          {token}
        </Typography.Text>
      }
    />
  );
}
