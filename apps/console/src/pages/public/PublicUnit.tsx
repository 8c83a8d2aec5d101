// One unit, for the public: its disclosed task book (items, measures, owners, deadlines), the objections it
// has answered, the form to object while the disclosure lasts, and the form to send it an opinion.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Form, Input, List, Select, Space, Tag, Typography, type FormInstance } from 'antd';
import { ResponsiveTable } from '../../ui/responsive';
import { useState } from 'react';
import { api, call, idempotencyKey } from '../../api/client';
import { useI18n, ZoneProvider } from '../../i18n';
import { Link } from '../../router';
import { ErrorNote, applyFieldErrors, useWords } from '../../ui/errors';
import { FIELD_LIMITS } from '../../../../../libs/domain/src';

export function PublicUnit({ id }: { id: string }) {
  const unit = usePublicUnit(id);
  return (
    <ZoneProvider offset={unit.data?.utcOffset}>
      <PublicUnitBody id={id} unit={unit} />
    </ZoneProvider>
  );
}

type PublicTaskBook = NonNullable<ReturnType<typeof usePublicTaskBook>['data']>;

const usePublicTaskBook = (id: string, disclosed: boolean) =>
  useQuery({
    queryKey: ['public', 'task-book', id],
    enabled: disclosed,
    queryFn: () => call(api.GET('/api/public/units/{id}/task-book', { params: { path: { id } } })),
  });

function PublicUnitBody({ id, unit }: { id: string; unit: ReturnType<typeof usePublicUnit> }) {
  const { t } = useI18n();
  const disclosed = !!unit.data?.taskBook;
  const book = usePublicTaskBook(id, disclosed);
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      {unit.data ? <Link to={`/public/campaigns/${unit.data.campaignId}`}>← {unit.data.campaignName}</Link> : null}
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {unit.data ? `${unit.data.code} ${unit.data.name}` : t('参加单位', 'Unit')}
      </Typography.Title>
      <ErrorNote error={unit.error} />
      {unit.data && !disclosed ? (
        <Alert type="info" showIcon title={t('该单位的整改任务书尚未公示。', "This unit's task book is not disclosed yet.")} />
      ) : null}
      {book.data ? <DisclosedTaskBook book={book.data} /> : null}
      {book.data?.status === 'disclosed' ? <ObjectionForm unitId={id} items={book.data.itemList} /> : null}
      {disclosed ? <AnsweredObjections id={id} /> : null}
      {unit.data ? <OpinionForm unitId={id} /> : null}
    </Space>
  );
}

/** The task book as disclosed: its status, who signed it, when the disclosure ends, and its items. */
function DisclosedTaskBook({ book }: { book: PublicTaskBook }) {
  const { t, label, time } = useI18n();
  return (
    <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t('整改任务书', 'Rectification task book')}</h2>} data-testid="public-task-book">
      <Descriptions size="small" column={{ xs: 1, md: 3 }}>
        <Descriptions.Item label={t('状态', 'Status')}>
          {book.status === 'disclosed' ? (
            <Tag color="processing">{t('公示中', 'Under disclosure')}</Tag>
          ) : (
            <Tag color="success">{t('已生效', 'In effect')}</Tag>
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('主要负责人签字', 'Signed by the unit head')}>{book.signedBy}</Descriptions.Item>
        <Descriptions.Item label={t('公示截止', 'Disclosure ends')}>{time(book.disclosureEndsAt)}</Descriptions.Item>
      </Descriptions>
      <ResponsiveTable
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={book.itemList}
        columns={[
          { title: t('整改措施', 'Measure'), dataIndex: 'measure' },
          { title: t('责任人', 'Responsible'), dataIndex: 'owner' },
          { title: t('完成时限', 'Deadline'), render: (_, i) => time(i.deadline, false) },
          { title: t('状态', 'Status'), render: (_, i) => label.itemStatus(i.status) },
        ]}
      />
    </Card>
  );
}

/** The objections answered so far, each with its answer, page by page. */
function AnsweredObjections({ id }: { id: string }) {
  const { t, time } = useI18n();
  const [page, setPage] = useState(1);
  const objections = useQuery({
    queryKey: ['public', 'objections', id, page],
    queryFn: () =>
      call(api.GET('/api/public/units/{id}/task-book/objections', { params: { path: { id }, query: { page, pageSize: 20 } } })),
  });
  return (
    <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t('异议及答复', 'Objections and answers')}</h2>}>
      <List
        dataSource={objections.data?.items ?? []}
        loading={objections.isLoading}
        locale={{ emptyText: t('暂无已答复的异议', 'No answered objection yet') }}
        pagination={{ current: page, pageSize: 20, total: objections.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
        renderItem={(o) => (
          <List.Item>
            <div>
              <div>
                <strong>{t('异议', 'Objection')}</strong> ({time(o.filedAt)}): {o.text}
              </div>
              <div>
                <strong>{t('答复', 'Answer')}</strong> ({time(o.answer.answeredAt)}): {o.answer.text}
              </div>
            </div>
          </List.Item>
        )}
      />
    </Card>
  );
}

/**
 * Sends a form of the public pages: busy while it goes; an error that names a field goes on it, any other is
 * kept to show beside the form.
 */
function usePublicSend<V>(form: FormInstance<V>, fields: string[], send: (v: V) => Promise<void>) {
  const words = useWords();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (v: V) => {
    setBusy(true);
    setError(undefined);
    try {
      await send(v);
    } catch (e) {
      if (!applyFieldErrors(form, e, fields, words)) setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { submit: (v: V) => void submit(v), busy, error };
}

/** Says that what the form sent has arrived. */
function SentNote({ title }: { title: string }) {
  return <Alert style={{ marginTop: 8 }} type="success" showIcon role="status" title={title} />;
}

interface ObjectionValues {
  text: string;
  itemId?: string;
}

function ObjectionForm({ unitId, items }: { unitId: string; items: Array<{ id: string; measure: string }> }) {
  const { t } = useI18n();
  const [form] = Form.useForm<ObjectionValues>();
  const [filed, setFiled] = useState<string>();
  const queries = useQueryClient();
  const objection = usePublicSend(form, ['text', 'itemId'], async (v) => {
    const r = await call(
      api.POST('/api/units/{id}/task-book/objections', {
        params: { path: { id: unitId }, header: { 'Idempotency-Key': idempotencyKey() } },
        body: { text: v.text, ...(v.itemId ? { itemId: v.itemId } : {}) },
      }),
    );
    setFiled((r as { id?: string }).id ?? 'ok');
    form.resetFields();
    void queries.invalidateQueries({ queryKey: ['public', 'task-book', unitId] });
  });
  return (
    <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t('提出异议', 'File an objection')}</h2>}>
      <Typography.Paragraph>
        {t(
          '公示期内提出的每一条异议，单位都必须答复后任务书才能生效。',
          'Every objection filed during the disclosure must be answered before the task book takes effect.',
        )}
      </Typography.Paragraph>
      <Form name="PublicUnit-1" form={form} layout="vertical" onFinish={objection.submit} requiredMark={false}>
        <Form.Item name="itemId" label={t('针对的事项（可选）', 'Item concerned (optional)')}>
          <Select allowClear options={items.map((i) => ({ value: i.id, label: i.measure }))} />
        </Form.Item>
        <Form.Item
          name="text"
          label={t('异议内容', 'Objection')}
          rules={[{ required: true, whitespace: true, message: t('请填写异议内容', 'Write the objection') }]}
        >
          <Input.TextArea rows={3} maxLength={FIELD_LIMITS.text} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={objection.busy}>
          {t('提交异议', 'Submit objection')}
        </Button>
      </Form>
      {filed ? (
        <SentNote title={t('异议已提交，单位答复后将在此公开。', 'Objection filed; it is shown here once the unit answers it.')} />
      ) : null}
      <ErrorNote error={objection.error} />
    </Card>
  );
}

interface OpinionValues {
  text: string;
  contact?: string;
}

function OpinionForm({ unitId }: { unitId: string }) {
  const { t } = useI18n();
  const [form] = Form.useForm<OpinionValues>();
  const [sent, setSent] = useState(false);
  const opinion = usePublicSend(form, ['text', 'contact'], async (v) => {
    setSent(false);
    await call(
      api.POST('/api/units/{id}/opinions', {
        params: { path: { id: unitId }, header: { 'Idempotency-Key': idempotencyKey() } },
        body: { text: v.text, ...(v.contact?.trim() ? { contact: v.contact.trim() } : {}) },
      }),
    );
    setSent(true);
    form.resetFields();
  });
  return (
    <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t('提意见建议', 'Send an opinion')}</h2>}>
      <Form name="PublicUnit-2" form={form} layout="vertical" onFinish={opinion.submit} requiredMark={false}>
        <Form.Item
          name="text"
          label={t('意见建议', 'Opinion')}
          rules={[{ required: true, whitespace: true, message: t('请填写意见', 'Write your opinion') }]}
        >
          <Input.TextArea rows={3} maxLength={FIELD_LIMITS.text} />
        </Form.Item>
        <Form.Item
          name="contact"
          label={t(
            '联系方式（可选：只有活动办公室能看到，单位和公示页面都看不到；可申请删除）',
            'Contact (optional: seen by the campaign office only, never by the unit or on the public pages; erased on request)',
          )}
        >
          <Input maxLength={FIELD_LIMITS.name} autoComplete="off" />
        </Form.Item>
        <Button htmlType="submit" loading={opinion.busy}>
          {t('提交意见', 'Send opinion')}
        </Button>
      </Form>
      {sent ? <SentNote title={t('意见已送达，谢谢。', 'Opinion received, thank you.')} /> : null}
      <ErrorNote error={opinion.error} />
    </Card>
  );
}

const usePublicUnit = (id: string) =>
  useQuery({ queryKey: ['public', 'unit', id], queryFn: () => call(api.GET('/api/public/units/{id}', { params: { path: { id } } })) });
