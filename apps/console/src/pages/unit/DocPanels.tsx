// Records, problems and opinions: a form to add (errors on the field they name) and the list, page by page.
import { Button, Form, Input, Select, Space, Table, Tag, type TableColumnsType } from 'antd';
import { useState, type ReactNode } from 'react';
import { PROBLEM_CATEGORIES, PROBLEM_SOURCES, RECORD_KINDS, FIELD_LIMITS } from '../../../../../libs/domain/src';
import { api, call } from '../../api/client';
import type { DocTypes } from '../../api/unit-docs';
import { useI18n } from '../../i18n';
import { ErrorNote } from '../../ui/errors';
import { useAction } from '../../ui/forms';
import { docsKey, unitKey, useDocs } from './useUnit';

type AddedKind = 'records' | 'problems';

/**
 * A page of a unit's documents of one kind, and the form that adds one: once added, the unit's view and the
 * list are read again; an error that names a field goes on it.
 */
function useDocPanel<K extends AddedKind, V>(unitId: string, kind: K, fields: string[], post: (v: V) => Promise<unknown>) {
  const [form] = Form.useForm<V>();
  const [page, setPage] = useState(1);
  const list = useDocs(unitId, kind, page);
  const add = useAction({ form, fields, invalidate: [unitKey(unitId), docsKey(unitId, kind)], fn: post });
  return { form, page, setPage, list, add };
}

interface DocPanelProps<K extends AddedKind, V> {
  panel: ReturnType<typeof useDocPanel<K, V>>;
  name: string;
  testId: string;
  addLabel: string;
  initialValues?: Partial<V>;
  /** The form's fields (its button comes after them). */
  children: ReactNode;
  columns: TableColumnsType<DocTypes[K]>;
}

/** The form that adds a document (its fields, then its button and error) over the documents, page by page. */
function DocPanel<K extends AddedKind, V>({ panel, name, testId, addLabel, initialValues, children, columns }: DocPanelProps<K, V>) {
  const { form, page, setPage, list, add } = panel;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Form name={name} form={form} layout="vertical" onFinish={add.submit} initialValues={initialValues} data-testid={testId}>
        {children}
        <Button type="primary" htmlType="submit" loading={add.busy}>
          {addLabel}
        </Button>
        <ErrorNote error={add.error} />
      </Form>
      <Table
        rowKey="id"
        size="small"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        pagination={{ current: page, pageSize: 10, total: list.data?.total ?? 0, onChange: setPage }}
        columns={columns}
      />
    </Space>
  );
}

interface RecordValues {
  kind: 'study';
  title: string;
  body?: string;
  attachmentUri?: string;
}

export function RecordsPanel({ unitId }: { unitId: string }) {
  const { t, label, time } = useI18n();
  const panel = useDocPanel(unitId, 'records', ['kind', 'title', 'body', 'attachmentUri'], (v: RecordValues) =>
    call(
      api.POST('/api/units/{id}/records', {
        params: { path: { id: unitId } },
        body: { ...v, body: v.body || undefined, attachmentUri: v.attachmentUri || undefined },
      }),
    ),
  );
  return (
    <DocPanel
      panel={panel}
      name="DocPanels-1"
      testId="record-form"
      addLabel={t('添加记录', 'Add record')}
      initialValues={{ kind: 'study' }}
      columns={[
        { title: t('类别', 'Kind'), render: (_, r) => <Tag>{label.record(r.kind)}</Tag> },
        { title: t('标题', 'Title'), dataIndex: 'title' },
        { title: t('时间', 'When'), render: (_, r) => time(r.at) },
      ]}
    >
      <RecordFields />
    </DocPanel>
  );
}

/** A record: its kind, title, an optional attachment link and optional text. */
function RecordFields() {
  const { t, label } = useI18n();
  return (
    <>
      <Space wrap align="start">
        <Form.Item name="kind" label={t('类别', 'Kind')} rules={[{ required: true }]}>
          <Select
            style={{ width: 220 }}
            options={RECORD_KINDS.map((k) => ({ value: k, label: label.record(k) }))}
            aria-label={t('类别', 'Kind')}
          />
        </Form.Item>
        <Form.Item
          name="title"
          label={t('标题', 'Title')}
          rules={[{ required: true, whitespace: true, message: t('请填写标题', 'Enter a title') }]}
        >
          <Input style={{ width: 360 }} maxLength={FIELD_LIMITS.title} />
        </Form.Item>
        <Form.Item name="attachmentUri" label={t('附件链接（可选）', 'Attachment URI (optional)')}>
          <Input style={{ width: 280 }} maxLength={FIELD_LIMITS.uri} />
        </Form.Item>
      </Space>
      <Form.Item name="body" label={t('内容（可选）', 'Text (optional)')}>
        <Input.TextArea rows={3} maxLength={FIELD_LIMITS.text} />
      </Form.Item>
    </>
  );
}

interface ProblemValues {
  title: string;
  description?: string;
  source: 'self';
  category: 'other';
}

export function ProblemsPanel({ unitId }: { unitId: string }) {
  const { t, label, time } = useI18n();
  const panel = useDocPanel(unitId, 'problems', ['title', 'description', 'source', 'category'], (v: ProblemValues) =>
    call(
      api.POST('/api/units/{id}/problems', { params: { path: { id: unitId } }, body: { ...v, description: v.description || undefined } }),
    ),
  );
  return (
    <DocPanel
      panel={panel}
      name="DocPanels-2"
      testId="problem-form"
      addLabel={t('添加问题', 'Add problem')}
      columns={[
        { title: t('问题', 'Problem'), dataIndex: 'title' },
        { title: t('来源', 'Source'), render: (_, p) => label.source(p.source) },
        { title: t('类别', 'Category'), render: (_, p) => <Tag>{label.category(p.category)}</Tag> },
        { title: t('时间', 'When'), render: (_, p) => time(p.at) },
      ]}
    >
      <ProblemFields />
    </DocPanel>
  );
}

/** A problem: what it is, where it came from, its "four winds" category, and an optional description. */
function ProblemFields() {
  const { t, label } = useI18n();
  return (
    <>
      <Space wrap align="start">
        <Form.Item
          name="title"
          label={t('问题', 'Problem')}
          rules={[{ required: true, whitespace: true, message: t('请填写问题', 'Describe the problem') }]}
        >
          <Input style={{ width: 360 }} maxLength={FIELD_LIMITS.title} />
        </Form.Item>
        <Form.Item name="source" label={t('来源', 'Source')} rules={[{ required: true, message: t('请选择来源', 'Choose a source') }]}>
          <Select
            style={{ width: 200 }}
            aria-label={t('来源', 'Source')}
            options={PROBLEM_SOURCES.map((s) => ({ value: s, label: label.source(s) }))}
          />
        </Form.Item>
        <Form.Item
          name="category"
          label={t('“四风”类别', '"Four winds" category')}
          rules={[{ required: true, message: t('请选择类别', 'Choose a category') }]}
        >
          <Select
            style={{ width: 200 }}
            aria-label={t('类别', 'Category')}
            options={PROBLEM_CATEGORIES.map((c) => ({ value: c, label: label.category(c) }))}
          />
        </Form.Item>
      </Space>
      <Form.Item name="description" label={t('说明（可选）', 'Description (optional)')}>
        <Input.TextArea rows={2} maxLength={FIELD_LIMITS.text} />
      </Form.Item>
    </>
  );
}

export function OpinionsPanel({ unitId }: { unitId: string }) {
  const { t, time } = useI18n();
  const [page, setPage] = useState(1);
  const list = useDocs(unitId, 'opinions', page);
  return (
    <>
      <ErrorNote error={list.error} />
      <Table
        rowKey="id"
        size="small"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        pagination={{ current: page, pageSize: 10, total: list.data?.total ?? 0, onChange: setPage }}
        locale={{ emptyText: t('尚未收到意见（群众可在公示页面提交）', 'No opinion yet (citizens send them from the public pages)') }}
        columns={[
          { title: t('意见', 'Opinion'), dataIndex: 'text' },
          { title: t('时间', 'When'), render: (_, o) => time(o.at) },
        ]}
      />
    </>
  );
}
