// The rectification task book (整改任务书): items linked to problems, each with a measure, a responsible person
// and a deadline, signed by the unit head; published for public disclosure (公示); objections answered here.
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Form, Input, List, Select, Space, Tag, Typography, type FormInstance } from 'antd';
import { useState } from 'react';
import { api, call } from '../../api/client';
import { fetchAll } from '../../api/unit-docs';
import { useI18n } from '../../i18n';
import { Link } from '../../router';
import { ErrorNote } from '../../ui/errors';
import { DateInput, dateToDeadline, deadlineToDate, useAction, useConfirm } from '../../ui/forms';
import { docsKey, unitKey, useDocs } from './useUnit';
import { FIELD_LIMITS } from '../../../../../libs/domain/src';

interface TaskBookLike {
  signedBy: string;
  status: string;
  items: Array<{ id: string; problemIds: string[]; measure: string; owner: string; deadline: string; status: string }>;
  disclosureEndsAt?: string;
  effectiveAt?: string;
}

/** The editor's values as the form gives them: a list with no row yet, or a select never touched, is absent. */
interface EditorValues {
  signedBy: string;
  items?: Array<{ problemIds?: string[]; measure: string; owner: string; deadline: string }>;
}

export function TaskBookPanel({ unit }: { unit: { id: string; phase: string | null; taskBook?: TaskBookLike } }) {
  const { t, label, time } = useI18n();
  const book = unit.taskBook;
  if (unit.phase !== 'P3' && !book) {
    return <Alert type="info" showIcon title={t('进入第三环节后编制整改任务书。', 'The task book is drawn up in phase P3.')} />;
  }
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {book ? <TaskBookStatus book={book} /> : null}
      {!book || book.status === 'draft' ? <TaskBookEditor unitId={unit.id} book={book} /> : null}
      {book && book.status === 'draft' ? <PublishButton unitId={unit.id} book={book} /> : null}
      {book && book.status !== 'draft' ? (
        <>
          <List
            size="small"
            header={<strong>{t('整改事项', 'Items')}</strong>}
            dataSource={book.items}
            renderItem={(i) => (
              <List.Item>
                {i.measure} · {i.owner} · {time(i.deadline, false)} · {label.itemStatus(i.status)}
              </List.Item>
            )}
          />
          <Link to={`/public/units/${unit.id}`}>{t('查看公示页面', 'See the public page')}</Link>
          <ObjectionsPanel unitId={unit.id} />
        </>
      ) : null}
    </Space>
  );
}

/** The task book's status, who signed it, and when its disclosure ends. */
function TaskBookStatus({ book }: { book: TaskBookLike }) {
  const { t, time } = useI18n();
  return (
    <Descriptions size="small" bordered column={{ xs: 1, md: 3 }} data-testid="task-book-status">
      <Descriptions.Item label={t('状态', 'Status')}>
        <Tag color={book.status === 'effective' ? 'success' : book.status === 'disclosed' ? 'processing' : 'default'}>
          {book.status === 'draft'
            ? t('草稿', 'Draft')
            : book.status === 'disclosed'
              ? t('公示中', 'Under disclosure')
              : t('已生效', 'In effect')}
        </Tag>
      </Descriptions.Item>
      <Descriptions.Item label={t('签字', 'Signed by')}>{book.signedBy}</Descriptions.Item>
      <Descriptions.Item label={t('公示截止', 'Disclosure ends')}>{time(book.disclosureEndsAt)}</Descriptions.Item>
    </Descriptions>
  );
}

/** Publishing the draft for disclosure: it asks first (it locks the book and makes it public). */
function PublishButton({ unitId, book }: { unitId: string; book: TaskBookLike }) {
  const { t } = useI18n();
  const confirm = useConfirm();
  const publish = useAction({
    invalidate: [unitKey(unitId)],
    success: t('已签发，进入公示期', 'Published: the disclosure has begun'),
    fn: () => call(api.POST('/api/units/{id}/task-book/publish', { params: { path: { id: unitId } } })),
  });
  const askToPublish = async () => {
    const ok = await confirm({
      title: t('签发并公示整改任务书？', 'Publish the task book for disclosure?'),
      okText: t('签发并公示', 'Publish'),
      content: (
        <ul style={{ paddingInlineStart: 20, margin: 0 }}>
          <li>
            {t(`共 ${book.items.length} 项整改事项，由 ${book.signedBy} 签字。`, `${book.items.length} items, signed by ${book.signedBy}.`)}
          </li>
          <li>{t('签发后任务书即锁定，不能再修改。', 'Once published it is locked and can no longer change.')}</li>
          <li>
            {t(
              '任务书向社会公示，任何人可查阅并提出异议；每条异议须答复后才能生效。',
              'It is public: anyone may read it and object; every objection must be answered before it takes effect.',
            )}
          </li>
        </ul>
      ),
    });
    if (ok) await publish.run(undefined);
  };
  return (
    <div>
      <Button type="primary" loading={publish.busy} data-testid="publish-task-book" onClick={() => void askToPublish()}>
        {t('签发并公示', 'Publish for disclosure')}
      </Button>
      <ErrorNote error={publish.error} />
    </div>
  );
}

/** The draft as the editor starts from it: the saved one (deadlines as days of the zone), else one empty item. */
const editorValues = (book: TaskBookLike | undefined, zone: string): EditorValues =>
  book
    ? {
        signedBy: book.signedBy,
        items: book.items.map((i) => ({
          problemIds: i.problemIds,
          measure: i.measure,
          owner: i.owner,
          deadline: deadlineToDate(i.deadline, zone),
        })),
      }
    : { signedBy: '', items: [{ problemIds: [], measure: '', owner: '', deadline: '' }] };

/** Saving the draft (the form keeps what was entered); each deadline is the end of its day in the zone. */
function useSaveTaskBook(unitId: string, form: FormInstance<EditorValues>) {
  const { zone } = useI18n();
  return useAction({
    form,
    reset: false,
    fields: ['signedBy', 'items'],
    invalidate: [unitKey(unitId)],
    fn: (v: EditorValues) =>
      call(
        api.PUT('/api/units/{id}/task-book', {
          params: { path: { id: unitId } },
          body: {
            signedBy: v.signedBy,
            items: (v.items ?? []).map((i) => ({
              problemIds: i.problemIds ?? [],
              measure: i.measure,
              owner: i.owner,
              deadline: dateToDeadline(i.deadline, zone),
            })),
          },
        }),
      ),
  });
}

function TaskBookEditor({ unitId, book }: { unitId: string; book?: TaskBookLike }) {
  const { t, zone } = useI18n();
  const [form] = Form.useForm<EditorValues>();
  const save = useSaveTaskBook(unitId, form);
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('编制整改任务书', 'Draw up the task book')}</h2>}>
      <Form
        name="taskbook"
        form={form}
        layout="vertical"
        initialValues={editorValues(book, zone)}
        onFinish={save.submit}
        data-testid="task-book-form"
      >
        <Form.Item
          name="signedBy"
          label={t('主要负责人签字（一把手负责制）', 'Signed by the unit head')}
          rules={[{ required: true, whitespace: true, message: t('请填写签字人', 'Enter who signs') }]}
        >
          <Input style={{ maxWidth: 320 }} maxLength={FIELD_LIMITS.name} />
        </Form.Item>
        <TaskBookItemList unitId={unitId} />
        <div style={{ marginTop: 12 }}>
          <Button type="primary" htmlType="submit" loading={save.busy} data-testid="save-task-book">
            {t('保存任务书', 'Save task book')}
          </Button>
        </div>
        <ErrorNote error={save.error} />
      </Form>
    </Card>
  );
}

/** The task book's items, added and removed one by one; each names the problems it answers (the unit's own). */
function TaskBookItemList({ unitId }: { unitId: string }) {
  const { t, label } = useI18n();
  const problems = useQuery({
    queryKey: [...docsKey(unitId, 'problems'), 'all'],
    queryFn: () => fetchAll(unitId, 'problems'),
    refetchInterval: 5_000,
  });
  const problemOptions = (problems.data ?? []).map((p) => ({ value: p.id, label: `${p.title} (${label.category(p.category)})` }));
  return (
    <Form.List name="items">
      {(fields, { add, remove }, { errors }) => (
        <>
          {fields.map((f, n) => (
            <Card
              key={f.key}
              size="small"
              style={{ marginBottom: 8 }}
              title={t(`事项 ${n + 1}`, `Item ${n + 1}`)}
              extra={
                <Button
                  type="text"
                  icon={<MinusCircleOutlined />}
                  aria-label={t('删除事项', 'Remove item')}
                  onClick={() => remove(f.name)}
                />
              }
            >
              <TaskBookItemFields name={f.name} problemOptions={problemOptions} loading={problems.isLoading} />
            </Card>
          ))}
          <Button onClick={() => add({ problemIds: [], measure: '', owner: '', deadline: '' })} icon={<PlusOutlined />}>
            {t('添加事项', 'Add item')}
          </Button>
          <Form.ErrorList errors={errors} />
        </>
      )}
    </Form.List>
  );
}

/** One item: the problems it answers, its measure, who answers for it, and its deadline. */
function TaskBookItemFields({
  name,
  problemOptions,
  loading,
}: {
  name: number;
  problemOptions: Array<{ value: string; label: string }>;
  loading: boolean;
}) {
  const { t } = useI18n();
  return (
    <>
      <Form.Item name={[name, 'problemIds']} label={t('针对的问题', 'Problems addressed')}>
        <Select mode="multiple" aria-label={t('针对的问题', 'Problems addressed')} loading={loading} options={problemOptions} />
      </Form.Item>
      <Space wrap align="start">
        <Form.Item
          name={[name, 'measure']}
          label={t('整改措施', 'Measure')}
          rules={[{ required: true, whitespace: true, message: t('请填写措施', 'Enter a measure') }]}
        >
          <Input style={{ width: 360 }} maxLength={FIELD_LIMITS.title} />
        </Form.Item>
        <Form.Item
          name={[name, 'owner']}
          label={t('责任人', 'Responsible')}
          rules={[{ required: true, whitespace: true, message: t('请填写责任人', 'Enter who is responsible') }]}
        >
          <Input style={{ width: 200 }} maxLength={FIELD_LIMITS.name} />
        </Form.Item>
        <Form.Item
          name={[name, 'deadline']}
          label={t('完成时限', 'Deadline')}
          rules={[{ required: true, message: t('请选择日期', 'Choose a date') }]}
        >
          <DateInput />
        </Form.Item>
      </Space>
    </>
  );
}

function ObjectionsPanel({ unitId }: { unitId: string }) {
  const { t, time } = useI18n();
  const [page, setPage] = useState(1);
  const list = useDocs(unitId, 'objections', page, 20);
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('群众异议', 'Objections')}</h2>}>
      <ErrorNote error={list.error} />
      <List
        dataSource={list.data?.items ?? []}
        loading={list.isLoading}
        locale={{ emptyText: t('暂无异议', 'No objection') }}
        pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
        renderItem={(o) => (
          <List.Item data-testid="objection">
            <div style={{ width: '100%' }}>
              <Typography.Paragraph style={{ marginBottom: 4 }}>
                <strong>{time(o.at)}</strong> {o.text}
              </Typography.Paragraph>
              {o.answer ? (
                <Typography.Paragraph type="secondary">
                  {t('已答复：', 'Answered: ')}
                  {o.answer.text}
                </Typography.Paragraph>
              ) : (
                <AnswerForm unitId={unitId} objectionId={o.id} />
              )}
            </div>
          </List.Item>
        )}
      />
    </Card>
  );
}

function AnswerForm({ unitId, objectionId }: { unitId: string; objectionId: string }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ text: string }>();
  const answer = useAction({
    form,
    fields: ['text'],
    invalidate: [unitKey(unitId), docsKey(unitId, 'objections')],
    fn: (v: { text: string }) =>
      call(
        api.POST('/api/units/{id}/task-book/objections/{oid}/answer', {
          params: { path: { id: unitId, oid: objectionId } },
          body: { text: v.text },
        }),
      ),
  });
  return (
    <Form name={`answer-${objectionId}`} form={form} layout="inline" onFinish={answer.submit} style={{ rowGap: 8 }}>
      <Form.Item
        name="text"
        label={t('答复', 'Answer')}
        rules={[{ required: true, whitespace: true, message: t('请填写答复', 'Write an answer') }]}
      >
        <Input.TextArea rows={1} style={{ width: 420 }} maxLength={FIELD_LIMITS.text} />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={answer.busy}>
        {t('答复', 'Answer')}
      </Button>
      <ErrorNote error={answer.error} />
    </Form>
  );
}
