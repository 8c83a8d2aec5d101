// The unit's rectification items in effect: progress notes, completion (with evidence) for the supervisor to
// verify, and extension requests (a new deadline restarts the ladder once a supervisor approves).
import { useQuery, type QueryKey } from '@tanstack/react-query';
import { Button, Collapse, Form, Input, List, Space, Table } from 'antd';
import { useState } from 'react';
import { api, call } from '../../api/client';
import { useI18n } from '../../i18n';
import { ErrorNote } from '../../ui/errors';
import { CardTag } from '../../ui/domain';
import { DateInput, dateToDeadline, useAction } from '../../ui/forms';
import { FIELD_LIMITS } from '../../../../../libs/domain/src';

/** A field of an entry of a paged list (the API types its entries loosely): its text, or '' when absent. */
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

export const itemsKey = (unitId: string) => ['items', unitId] as const;

export function ItemsPanel({ unitId, readOnly = false }: { unitId: string; readOnly?: boolean }) {
  const { t, label, time } = useI18n();
  const [page, setPage] = useState(1);
  const items = useQuery({
    queryKey: [...itemsKey(unitId), page],
    queryFn: () => call(api.GET('/api/units/{id}/items', { params: { path: { id: unitId }, query: { page, pageSize: 20 } } })),
    refetchInterval: 5_000,
  });
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <ErrorNote error={items.error} />
      <Table
        rowKey="id"
        size="small"
        loading={items.isLoading}
        dataSource={items.data?.items ?? []}
        pagination={{ current: page, pageSize: 20, total: items.data?.total ?? 0, onChange: setPage }}
        locale={{ emptyText: t('任务书生效后，整改事项在此逐项推进。', 'Once the task book is in effect, its items are worked here.') }}
        expandable={
          readOnly
            ? undefined
            : {
                expandedRowRender: (i) => <ItemActions item={i} unitId={unitId} />,
                rowExpandable: (i) => i.status === 'open' || i.status === 'submitted',
              }
        }
        columns={[
          { title: t('整改措施', 'Measure'), dataIndex: 'measure' },
          { title: t('责任人', 'Responsible'), dataIndex: 'owner' },
          { title: t('时限', 'Deadline'), render: (_, i) => time(i.deadline) },
          { title: t('状态', 'Status'), render: (_, i) => label.itemStatus(i.status) },
          { title: t('亮牌', 'Card'), render: (_, i) => <CardTag card={i.card} /> },
          { title: t('已触发', 'Rungs fired'), render: (_, i) => i.rungs.map((r) => label.rung(r.rung)).join('、') || '—' },
        ]}
      />
    </Space>
  );
}

type ItemLike = { id: string; status: string };

/** An item's progress notes and extension requests, oldest first (its own paged lists). */
function useItemEntries(itemId: string) {
  const progress =
    useQuery({
      queryKey: ['item-entries', itemId, 'progress'],
      queryFn: () => call(api.GET('/api/items/{itemId}/progress', { params: { path: { itemId }, query: { pageSize: 100 } } })),
      select: (page) => page.items.map((e) => ({ id: text(e.id), note: text(e.note), at: text(e.at) })),
      refetchInterval: 5_000,
    }).data ?? [];
  const extensions =
    useQuery({
      queryKey: ['item-entries', itemId, 'extensions'],
      queryFn: () => call(api.GET('/api/items/{itemId}/extensions', { params: { path: { itemId }, query: { pageSize: 100 } } })),
      select: (page) =>
        page.items.map((e) => ({ id: text(e.id), newDeadline: text(e.newDeadline), status: text(e.status), reason: text(e.reason) })),
      refetchInterval: 5_000,
    }).data ?? [];
  return { progress, extensions };
}

function ItemActions({ item, unitId }: { item: ItemLike; unitId: string }) {
  const { t } = useI18n();
  const entries = useItemEntries(item.id);
  const invalidate = [itemsKey(unitId), ['item-entries', item.id]];
  return (
    <Collapse
      size="small"
      items={[
        {
          key: 'progress',
          label: t(`进展（${entries.progress.length}）`, `Progress (${entries.progress.length})`),
          children: <ProgressSection item={item} notes={entries.progress} invalidate={invalidate} />,
        },
        {
          key: 'completion',
          label: t('申请销号', 'Report completion'),
          children: <CompletionForm item={item} invalidate={invalidate} />,
        },
        {
          key: 'extension',
          label: t('申请延期', 'Request an extension'),
          children: <ExtensionSection item={item} requests={entries.extensions} invalidate={invalidate} />,
        },
      ]}
    />
  );
}

/** The progress notes so far, and a new one. */
function ProgressSection({
  item,
  notes,
  invalidate,
}: {
  item: ItemLike;
  notes: Array<{ id: string; note: string; at: string }>;
  invalidate: QueryKey[];
}) {
  const { time } = useI18n();
  return (
    <>
      <List
        size="small"
        dataSource={notes}
        renderItem={(p) => (
          <List.Item>
            {time(p.at)} · {p.note}
          </List.Item>
        )}
      />
      <ProgressForm item={item} invalidate={invalidate} />
    </>
  );
}

/** A new progress note, with an optional evidence link. */
function ProgressForm({ item, invalidate }: { item: ItemLike; invalidate: QueryKey[] }) {
  const { t } = useI18n();
  const [progress] = Form.useForm<{ note: string; evidenceUri?: string }>();
  const addProgress = useAction({
    form: progress,
    fields: ['note', 'evidenceUri'],
    invalidate,
    fn: (v: { note: string; evidenceUri?: string }) =>
      call(
        api.POST('/api/items/{itemId}/progress', {
          params: { path: { itemId: item.id } },
          body: { note: v.note, ...(v.evidenceUri ? { evidenceUri: v.evidenceUri } : {}) },
        }),
      ),
  });
  return (
    <Form name={`progress-${item.id}`} form={progress} layout="vertical" onFinish={addProgress.submit}>
      <Form.Item
        name="note"
        label={t('进展情况', 'Progress note')}
        rules={[{ required: true, whitespace: true, message: t('请填写', 'Required') }]}
      >
        <Input.TextArea rows={2} maxLength={FIELD_LIMITS.text} />
      </Form.Item>
      <Form.Item name="evidenceUri" label={t('佐证链接（可选）', 'Evidence URI (optional)')}>
        <Input maxLength={FIELD_LIMITS.uri} />
      </Form.Item>
      <Button htmlType="submit" loading={addProgress.busy}>
        {t('报告进展', 'Report progress')}
      </Button>
      <ErrorNote error={addProgress.error} />
    </Form>
  );
}

/** Completion, with its evidence, for the supervisor to verify (while the item is open). */
function CompletionForm({ item, invalidate }: { item: ItemLike; invalidate: QueryKey[] }) {
  const { t } = useI18n();
  const [completion] = Form.useForm<{ evidence: string }>();
  const complete = useAction({
    form: completion,
    fields: ['evidence'],
    invalidate,
    fn: (v: { evidence: string }) => call(api.POST('/api/items/{itemId}/completion', { params: { path: { itemId: item.id } }, body: v })),
  });
  return (
    <Form name={`completion-${item.id}`} form={completion} layout="vertical" onFinish={complete.submit}>
      <Form.Item
        name="evidence"
        label={t('完成佐证', 'Evidence')}
        rules={[{ required: true, whitespace: true, message: t('请填写', 'Required') }]}
      >
        <Input.TextArea rows={2} maxLength={FIELD_LIMITS.text} />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={complete.busy} disabled={item.status !== 'open'}>
        {t('提交督导组核验', 'Submit for verification')}
      </Button>
      <ErrorNote error={complete.error} />
    </Form>
  );
}

/** The extensions requested so far, each with its decision, and a new request. */
function ExtensionSection({
  item,
  requests,
  invalidate,
}: {
  item: ItemLike;
  requests: Array<{ id: string; newDeadline: string; status: string; reason: string }>;
  invalidate: QueryKey[];
}) {
  const { time, label } = useI18n();
  return (
    <>
      <List
        size="small"
        dataSource={requests}
        renderItem={(e) => (
          <List.Item>
            {time(e.newDeadline, false)} · {label.decision(e.status)} · {e.reason}
          </List.Item>
        )}
      />
      <ExtensionForm item={item} invalidate={invalidate} />
    </>
  );
}

/** A new extension request: the new deadline (a day in the campaign's zone) and why. */
function ExtensionForm({ item, invalidate }: { item: ItemLike; invalidate: QueryKey[] }) {
  const { t, zone } = useI18n();
  const [extension] = Form.useForm<{ newDeadline: string; reason: string }>();
  const extend = useAction({
    form: extension,
    fields: ['newDeadline', 'reason'],
    invalidate,
    fn: (v: { newDeadline: string; reason: string }) =>
      call(
        api.POST('/api/items/{itemId}/extensions', {
          params: { path: { itemId: item.id } },
          body: { newDeadline: dateToDeadline(v.newDeadline, zone), reason: v.reason },
        }),
      ),
  });
  return (
    <Form name={`extension-${item.id}`} form={extension} layout="vertical" onFinish={extend.submit}>
      <Space wrap align="start">
        <Form.Item
          name="newDeadline"
          label={t('新时限', 'New deadline')}
          rules={[{ required: true, message: t('请选择日期', 'Choose a date') }]}
        >
          <DateInput />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('理由', 'Reason')}
          rules={[{ required: true, whitespace: true, message: t('请填写理由', 'Give a reason') }]}
        >
          <Input style={{ width: 360 }} maxLength={FIELD_LIMITS.comment} />
        </Form.Item>
      </Space>
      <Button htmlType="submit" loading={extend.busy}>
        {t('申请延期', 'Request extension')}
      </Button>
      <ErrorNote error={extend.error} />
    </Form>
  );
}
