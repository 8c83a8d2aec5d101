// Cadre measures (组织措施): those a referral rung proposed wait here for the office to confirm; the office also
// records measures of its own.
import { useQuery, type QueryKey } from '@tanstack/react-query';
import { Button, Card, Form, Input, Segmented, Select, Space, Table, Tag, type FormInstance } from 'antd';
import type { ColumnsType } from 'antd/es/table/interface';
import { useState } from 'react';
import { MEASURE_KINDS, FIELD_LIMITS } from '../../../../../libs/domain/src';
import { api, call } from '../../api/client';
import type { components } from '../../api/generated/schema';
import { useI18n } from '../../i18n';
import { Link } from '../../router';
import { ErrorNote } from '../../ui/errors';
import { useAction, useConfirm } from '../../ui/forms';
import { useAllUnits } from './useAllUnits';

type MeasureRow = components['schemas']['CampaignMeasureListDto']['items'][number];

/** What a measure's proposal rests on, in words (a measure the office recorded says it in its own words). */
function useMeasureWords() {
  const { t, label, time } = useI18n();
  const subjectOf = (m: MeasureRow) =>
    m.basis
      ? m.basis.subject === 'programme-goal'
        ? t(
            `专项“${m.basis.programmeName ?? ''}”牵头单位 ${m.unitCode} ${m.unitName}`,
            `Lead unit ${m.unitCode} ${m.unitName} of "${m.basis.programmeName ?? ''}"`,
          )
        : t(`${m.unitCode} ${m.unitName} 主要负责人`, `The head of ${m.unitCode} ${m.unitName}`)
      : m.subject;
  const reasonOf = (m: MeasureRow) => {
    const b = m.basis;
    if (!b) return m.reason;
    if (b.subject === 'item') {
      return t(
        `整改事项“${b.measure ?? ''}”${b.owner ? `（责任人：${b.owner}）` : ''}时限 ${time(b.deadline)}，逾期未完成，触发${label.rung(b.rung)}`,
        `Item "${b.measure ?? ''}"${b.owner ? ` (responsible: ${b.owner})` : ''} overdue since ${time(b.deadline)}: ${label.rung(b.rung)}`,
      );
    }
    if (b.subject === 'phase-window') {
      return t(
        `“${label.phase(b.phase)}”环节时间窗 ${time(b.deadline)} 截止后仍未完成，触发${label.rung(b.rung)}`,
        `${label.phase(b.phase)} unfinished after its window ended ${time(b.deadline)}: ${label.rung(b.rung)}`,
      );
    }
    return t(
      `阶段目标“${b.goalTitle ?? ''}”时限 ${time(b.deadline)}，逾期未完成，触发${label.rung(b.rung)}`,
      `Staged goal "${b.goalTitle ?? ''}" overdue since ${time(b.deadline)}: ${label.rung(b.rung)}`,
    );
  };
  return { subjectOf, reasonOf };
}

/** Confirming a proposed measure: it asks first, naming whom and why, and that it cannot be withdrawn. */
function useConfirmMeasure(key: QueryKey) {
  const { t, label } = useI18n();
  const ask = useConfirm();
  const { subjectOf, reasonOf } = useMeasureWords();
  const confirm = useAction({
    invalidate: [key],
    success: t('已确认', 'Confirmed'),
    fn: (id: string) => call(api.POST('/api/measures/{id}/confirmation', { params: { path: { id } } })),
  });
  const askToConfirm = async (m: MeasureRow) => {
    const ok = await ask({
      title: t(`确认组织措施：${label.measure(m.kind)}？`, `Confirm the measure: ${label.measure(m.kind)}?`),
      okText: t('确认', 'Confirm'),
      danger: m.kind === 'referral',
      content: (
        <ul style={{ paddingInlineStart: 20 }}>
          <li>
            {t('对象', 'Subject')}: {subjectOf(m)}
          </li>
          <li>
            {t('理由', 'Reason')}: {reasonOf(m)}
          </li>
          <li>
            {m.kind === 'referral'
              ? t(
                  '确认后移交纪检监察机关，记入移交卷宗，不能撤回。',
                  'Once confirmed it goes to discipline inspection, into the referral dossier, and cannot be withdrawn.',
                )
              : t('确认后记入该单位的组织措施记录，不能撤回。', "Once confirmed it is on the unit's record and cannot be withdrawn.")}
          </li>
        </ul>
      ),
    });
    if (ok) await confirm.run(m.id);
  };
  // The confirmation does not reject; the measure's confirmation keeps its error in `error`.
  return { ask: (m: MeasureRow) => void askToConfirm(m), error: confirm.error };
}

export function Measures({ campaignId, canConfirm }: { campaignId: string; canConfirm: boolean }) {
  const { t } = useI18n();
  const [status, setStatus] = useState<'proposed' | 'confirmed'>('proposed');
  const [page, setPage] = useState(1);
  const key = ['measures', campaignId];
  const list = useQuery({
    queryKey: [...key, status, page],
    queryFn: () =>
      call(api.GET('/api/campaigns/{id}/measures', { params: { path: { id: campaignId }, query: { status, page, pageSize: 20 } } })),
  });
  const confirming = useConfirmMeasure(key);
  const columns = useMeasureColumns(canConfirm && status === 'proposed' ? confirming.ask : undefined);
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Segmented
        aria-label={t('状态', 'Status')}
        value={status}
        onChange={(v) => {
          setStatus(v as typeof status);
          setPage(1);
        }}
        options={[
          { value: 'proposed', label: t('待确认', 'To confirm') },
          { value: 'confirmed', label: t('已确认', 'Confirmed') },
        ]}
      />
      <ErrorNote error={list.error ?? confirming.error} />
      <Table
        rowKey="id"
        size="small"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
        columns={columns}
      />
      {canConfirm ? <RecordMeasure campaignId={campaignId} onDone={() => setStatus('confirmed')} /> : null}
    </Space>
  );
}

/**
 * The measures' columns: unit, measure, subject and reason, who proposed it and when; with `onConfirm` (the office,
 * on the proposed ones) a last column confirms each.
 */
function useMeasureColumns(onConfirm: ((m: MeasureRow) => void) | undefined): ColumnsType<MeasureRow> {
  const { t, label, time } = useI18n();
  const { subjectOf, reasonOf } = useMeasureWords();
  return [
    {
      title: t('单位', 'Unit'),
      render: (_, m) => <Link to={`/units/${m.unitId}`}>{`${m.unitCode} ${m.unitName}`}</Link>,
      sorter: (a, b) => a.unitCode.localeCompare(b.unitCode),
    },
    {
      title: t('措施', 'Measure'),
      render: (_, m) => <Tag>{label.measure(m.kind)}</Tag>,
      sorter: (a, b) => a.kind.localeCompare(b.kind),
    },
    { title: t('对象', 'Subject'), render: (_, m) => subjectOf(m) },
    { title: t('理由', 'Reason'), render: (_, m) => reasonOf(m) },
    {
      title: t('提出', 'Proposed by'),
      render: (_, m) => (m.proposedBy === 'ladder' ? t('移交预警', 'Referral rung') : t('活动办公室', 'Office')),
    },
    { title: t('时间', 'When'), render: (_, m) => time(m.createdAt), sorter: (a, b) => a.createdAt.localeCompare(b.createdAt) },
    ...(onConfirm
      ? [
          {
            title: '',
            render: (_: unknown, m: MeasureRow) => (
              <Button size="small" type="primary" data-testid="confirm-measure" onClick={() => onConfirm(m)}>
                {t('确认', 'Confirm')}
              </Button>
            ),
          },
        ]
      : []),
  ];
}

interface MeasureValues {
  unitId: string;
  kind: string;
  subject: string;
  reason: string;
}

/** Records a measure of the office's own on the unit chosen; it is confirmed as it is recorded. */
function useRecordMeasure(form: FormInstance<MeasureValues>, campaignId: string, onDone: () => void) {
  return useAction({
    form,
    fields: ['kind', 'subject', 'reason'],
    invalidate: [['measures', campaignId]],
    onDone,
    fn: (v: MeasureValues) =>
      call(
        api.POST('/api/units/{id}/measures', {
          params: { path: { id: v.unitId } },
          body: { kind: v.kind as 'referral', subject: v.subject, reason: v.reason },
        }),
      ),
  });
}

function RecordMeasure({ campaignId, onDone }: { campaignId: string; onDone: () => void }) {
  const { t, label } = useI18n();
  const [form] = Form.useForm<MeasureValues>();
  const units = useAllUnits(campaignId);
  const record = useRecordMeasure(form, campaignId, onDone);
  return (
    <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('记录组织措施', 'Record a measure')}</h2>}>
      <Form name="Measures-1" form={form} layout="vertical" onFinish={record.submit}>
        <Space wrap align="start">
          <Form.Item name="unitId" label={t('单位', 'Unit')} rules={[{ required: true, message: t('请选择单位', 'Choose a unit') }]}>
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              style={{ width: 280 }}
              aria-label={t('单位', 'Unit')}
              options={(units.data ?? []).map((u) => ({ value: u.id, label: `${u.code} ${u.name}` }))}
            />
          </Form.Item>
          <Form.Item name="kind" label={t('措施', 'Measure')} rules={[{ required: true, message: t('请选择', 'Choose one') }]}>
            <Select
              style={{ width: 200 }}
              aria-label={t('措施', 'Measure')}
              options={MEASURE_KINDS.map((k) => ({ value: k, label: label.measure(k) }))}
            />
          </Form.Item>
          <Form.Item
            name="subject"
            label={t('对象', 'Subject')}
            rules={[{ required: true, whitespace: true, message: t('请填写', 'Required') }]}
          >
            <Input style={{ width: 240 }} maxLength={FIELD_LIMITS.name} />
          </Form.Item>
        </Space>
        <Form.Item
          name="reason"
          label={t('理由', 'Reason')}
          rules={[{ required: true, whitespace: true, message: t('请填写', 'Required') }]}
        >
          <Input.TextArea rows={2} maxLength={FIELD_LIMITS.text} />
        </Form.Item>
        <Button htmlType="submit" loading={record.busy}>
          {t('记录', 'Record')}
        </Button>
        <ErrorNote error={record.error} />
      </Form>
    </Card>
  );
}
