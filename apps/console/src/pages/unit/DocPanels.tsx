// Records, problems and opinions: a form to add (errors on the field they name) and the list, page by page.
import { Button, Form, Input, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { PROBLEM_CATEGORIES, PROBLEM_SOURCES, RECORD_KINDS, FIELD_LIMITS } from '../../../../../libs/domain/src';
import { api, call } from '../../api/client';
import { useI18n } from '../../i18n';
import { ErrorNote } from '../../ui/errors';
import { useAction } from '../../ui/forms';
import { docsKey, unitKey, useDocs } from './useUnit';

export function RecordsPanel({ unitId }: { unitId: string }) {
  const { t, label, time } = useI18n();
  const [form] = Form.useForm();
  const [page, setPage] = useState(1);
  const list = useDocs(unitId, 'records', page);
  const add = useAction({
    form,
    fields: ['kind', 'title', 'body', 'attachmentUri'],
    invalidate: [unitKey(unitId), docsKey(unitId, 'records')],
    fn: (v: { kind: 'study'; title: string; body?: string; attachmentUri?: string }) =>
      call(
        api.POST('/api/units/{id}/records', {
          params: { path: { id: unitId } },
          body: { ...v, body: v.body || undefined, attachmentUri: v.attachmentUri || undefined },
        }),
      ),
  });
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Form
        name="DocPanels-1"
        form={form}
        layout="vertical"
        onFinish={add.submit}
        initialValues={{ kind: 'study' }}
        data-testid="record-form"
      >
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
        <Button type="primary" htmlType="submit" loading={add.busy}>
          {t('添加记录', 'Add record')}
        </Button>
        <ErrorNote error={add.error} />
      </Form>
      <Table
        rowKey="id"
        size="small"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        pagination={{ current: page, pageSize: 10, total: list.data?.total ?? 0, onChange: setPage }}
        columns={[
          { title: t('类别', 'Kind'), render: (_, r) => <Tag>{label.record(r.kind)}</Tag> },
          { title: t('标题', 'Title'), dataIndex: 'title' },
          { title: t('时间', 'When'), render: (_, r) => time(r.at) },
        ]}
      />
    </Space>
  );
}

export function ProblemsPanel({ unitId }: { unitId: string }) {
  const { t, label, time } = useI18n();
  const [form] = Form.useForm();
  const [page, setPage] = useState(1);
  const list = useDocs(unitId, 'problems', page);
  const add = useAction({
    form,
    fields: ['title', 'description', 'source', 'category'],
    invalidate: [unitKey(unitId), docsKey(unitId, 'problems')],
    fn: (v: { title: string; description?: string; source: 'self'; category: 'other' }) =>
      call(
        api.POST('/api/units/{id}/problems', { params: { path: { id: unitId } }, body: { ...v, description: v.description || undefined } }),
      ),
  });
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Form name="DocPanels-2" form={form} layout="vertical" onFinish={add.submit} data-testid="problem-form">
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
        <Button type="primary" htmlType="submit" loading={add.busy}>
          {t('添加问题', 'Add problem')}
        </Button>
        <ErrorNote error={add.error} />
      </Form>
      <Table
        rowKey="id"
        size="small"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        pagination={{ current: page, pageSize: 10, total: list.data?.total ?? 0, onChange: setPage }}
        columns={[
          { title: t('问题', 'Problem'), dataIndex: 'title' },
          { title: t('来源', 'Source'), render: (_, p) => label.source(p.source) },
          { title: t('类别', 'Category'), render: (_, p) => <Tag>{label.category(p.category)}</Tag> },
          { title: t('时间', 'When'), render: (_, p) => time(p.at) },
        ]}
      />
    </Space>
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
