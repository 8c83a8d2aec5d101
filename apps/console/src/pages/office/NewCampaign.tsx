// Defining a campaign: a name and a plan. The plan starts as DOMAIN.md's seed calendar moved to the chosen
// start (libs/domain's defaultPlan, the same code the API uses); its batches and phase windows, disclosure,
// ladders and calendar can be edited, and are shown on a timeline with the holidays and swapped workdays.
// Errors name their field, whether libs/domain's validatePlan finds them here or the API does.
import { Button, Card, Col, Form, Input, Row, Select, Space, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { ACTIVE_PHASES, DomainError, defaultPlan, validatePlan, type Plan, FIELD_LIMITS } from '../../../../../libs/domain/src';
import { api, call, idempotencyKey } from '../../api/client';
import { useI18n } from '../../i18n';
import { navigate } from '../../router';
import { ErrorNote, namePath } from '../../ui/errors';
import { DateInput } from '../../ui/forms';
import { PlanTimeline } from './PlanTimeline';

const DAY = 86_400_000;
/** A day in China (+08:00): windows start at its midnight; an inclusive last day ends at the next midnight. */
const dayStart = (d: string) => `${d}T00:00:00+08:00`;
const chinaDate = (iso: string, minusDay = false) => new Date(Date.parse(iso) + 8 * 3600_000 - (minusDay ? DAY : 0)).toISOString().slice(0, 10);
const nextDayStart = (d: string) => `${new Date(Date.parse(`${d}T00:00:00Z`) + DAY).toISOString().slice(0, 10)}T00:00:00+08:00`;

interface WindowValues {
  startsAt: string;
  endsAt: string;
}
interface FormValues {
  name: string;
  anchor: string;
  batches: Array<WindowValues & { batch: 1 | 2; phases: Record<'P1' | 'P2' | 'P3', WindowValues> }>;
  disclosure: string;
  ladder: Array<{ rung: string; offset: string }>;
  windowLadder: Array<{ rung: string; offset: string }>;
  calendar: { count: 'calendar-days' | 'working-days'; holidays: string; workdays: string };
}

const toWindow = (w: { startsAt: string; endsAt: string }): WindowValues => ({ startsAt: chinaDate(w.startsAt), endsAt: chinaDate(w.endsAt, true) });
const fromWindow = (w: WindowValues) => ({ startsAt: w?.startsAt ? dayStart(w.startsAt) : '', endsAt: w?.endsAt ? nextDayStart(w.endsAt) : '' });
const dates = (s: string | undefined) => (s ?? '').split(/[\s,，;；]+/).filter(Boolean);

function toForm(plan: Plan, name = '', anchor = chinaDate(plan.batches[0].startsAt)): FormValues {
  return {
    name,
    anchor,
    batches: plan.batches.map((b) => ({
      batch: b.batch,
      ...toWindow(b),
      phases: { P1: toWindow(b.phases.P1), P2: toWindow(b.phases.P2), P3: toWindow(b.phases.P3) },
    })),
    disclosure: plan.disclosure,
    ladder: plan.ladder.map((r) => ({ ...r })),
    windowLadder: plan.windowLadder.map((r) => ({ ...r })),
    calendar: { count: plan.calendar.count, holidays: plan.calendar.holidays.join(', '), workdays: plan.calendar.workdays.join(', ') },
  };
}

function toPlan(v: FormValues): Plan {
  return {
    // (the batch number is not a field of the form: batches are listed in order, 1 then 2)
    batches: (v.batches ?? []).map((b, i) => ({
      batch: (b.batch ?? i + 1) as 1 | 2,
      ...fromWindow(b),
      phases: { P1: fromWindow(b.phases?.P1), P2: fromWindow(b.phases?.P2), P3: fromWindow(b.phases?.P3) },
    })),
    disclosure: v.disclosure,
    ladder: (v.ladder ?? []) as Plan['ladder'],
    windowLadder: (v.windowLadder ?? []) as Plan['windowLadder'],
    calendar: { count: v.calendar?.count ?? 'calendar-days', holidays: dates(v.calendar?.holidays), workdays: dates(v.calendar?.workdays), utcOffset: '+08:00' },
  };
}

/** A plan field as libs/domain and the API name it (`plan.batches[0].phases.P1.endsAt`) → this form's path. */
const formPath = (field: string): Array<string | number> => {
  const path = namePath(field.replace(/^plan\./, ''));
  // holidays[3] / workdays[3] are one text field here
  if (path[0] === 'calendar' && (path[1] === 'holidays' || path[1] === 'workdays')) return path.slice(0, 2);
  return path;
};

export default function NewCampaign() {
  const { t, label } = useI18n();
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const initial = useMemo(() => toForm(defaultPlan(dayStart(today)), '', today), [today]);
  const [form] = Form.useForm<FormValues>();
  // preserve: the whole store, also what is not a field (batch numbers, rung names)
  const values = Form.useWatch([], { form, preserve: true }) as FormValues | undefined;
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const preview = useMemo(() => {
    try {
      return toPlan(values ?? initial);
    } catch {
      return undefined;
    }
  }, [values, initial]);

  const applyDefault = () => {
    const anchor = form.getFieldValue('anchor') as string;
    if (!anchor) return;
    const name = form.getFieldValue('name') as string;
    form.setFieldsValue(toForm(defaultPlan(dayStart(anchor)), name, anchor));
  };

  /** On the field it names when the form shows that field; beside the button otherwise. */
  const showFieldError = (field: string, message: string, err: unknown) => {
    const path = formPath(field);
    const last = String(path[path.length - 1]);
    if (!['name', 'startsAt', 'endsAt', 'offset', 'disclosure', 'count', 'holidays', 'workdays'].includes(last)) return setError(err);
    form.setFields([{ name: path as never, errors: [message.replace(`${field}: `, '')] }]);
    form.scrollToField(path as never);
  };

  const submit = async () => {
    setError(undefined);
    const v = form.getFieldsValue(true) as FormValues;
    const plan = toPlan(v);
    try {
      validatePlan(plan);
    } catch (e) {
      if (e instanceof DomainError && typeof e.details.field === 'string') return showFieldError(e.details.field, e.message, e);
      throw e;
    }
    setBusy(true);
    try {
      const created = await call(
        api.POST('/api/campaigns', {
          params: { header: { 'Idempotency-Key': idempotencyKey() } },
          body: { name: v.name, startsAt: plan.batches[0].startsAt, plan: plan as never },
        }),
      );
      navigate(`/office/campaigns/${created.id}`);
    } catch (e) {
      const f = (e as { fields?: Array<{ field: string; problems: string[] }> }).fields?.[0];
      if (f && f.field === 'name') form.setFields([{ name: 'name', errors: f.problems }]);
      else if (f && f.field.startsWith('plan')) showFieldError(f.field, f.problems.join(', '), e);
      else setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('新建教育实践活动', 'New campaign')}
      </Typography.Title>
      <Form name="plan" form={form} layout="vertical" initialValues={initial} onFinish={submit} data-testid="campaign-form" scrollToFirstError>
        <Card>
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item name="name" label={t('活动名称', 'Name')} rules={[{ required: true, whitespace: true, message: t('请填写名称', 'Enter a name') }]}>
                <Input maxLength={FIELD_LIMITS.name} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item label={t('第一批开始日期（按默认日程）', 'Batch 1 opens on (default calendar)')}>
                <Space.Compact>
                  <Form.Item name="anchor" noStyle>
                    <DateInput aria-label={t('第一批开始日期', 'Batch 1 opens on')} />
                  </Form.Item>
                  <Button onClick={applyDefault}>{t('套用默认日程', 'Apply the default calendar')}</Button>
                </Space.Compact>
              </Form.Item>
            </Col>
          </Row>
          {preview ? <PlanTimeline plan={preview} /> : null}
        </Card>
        <Form.List name="batches">
          {(fields) =>
            fields.map((f) => {
              const batch = form.getFieldValue(['batches', f.name, 'batch']) as number;
              return (
                <Card key={f.key} size="small" style={{ marginTop: 12 }} title={t(`第${batch}批`, `Batch ${batch}`)}>
                  <Space wrap align="start">
                    <Form.Item name={[f.name, 'startsAt']} label={t('开始', 'Opens')} rules={[{ required: true }]}>
                      <DateInput />
                    </Form.Item>
                    <Form.Item name={[f.name, 'endsAt']} label={t('结束（含当日）', 'Last day')} rules={[{ required: true }]}>
                      <DateInput />
                    </Form.Item>
                    {ACTIVE_PHASES.map((ph) => (
                      <Space key={ph} align="start" style={{ borderInlineStart: '3px solid #d9d9d9', paddingInlineStart: 8 }}>
                        <Form.Item name={[f.name, 'phases', ph, 'startsAt']} label={`${ph} ${t('开始', 'opens')}`} rules={[{ required: true }]} tooltip={label.phase(ph)}>
                          <DateInput />
                        </Form.Item>
                        <Form.Item name={[f.name, 'phases', ph, 'endsAt']} label={`${ph} ${t('截止（含当日）', 'last day')}`} rules={[{ required: true }]}>
                          <DateInput />
                        </Form.Item>
                      </Space>
                    ))}
                  </Space>
                </Card>
              );
            })
          }
        </Form.List>
        <Card size="small" style={{ marginTop: 12 }} title={t('公示、预警与日历', 'Disclosure, ladders and calendar')}>
          <Row gutter={16}>
            <Col xs={24} md={6}>
              <Form.Item name="disclosure" label={t('公示期（ISO-8601，如 P7D）', 'Disclosure window (ISO-8601, e.g. P7D)')} rules={[{ required: true }]}>
                <Input />
              </Form.Item>
              <Form.Item name={['calendar', 'count']} label={t('计日方式', 'Days counted as')}>
                <Select
                  options={[
                    { value: 'calendar-days', label: t('自然日', 'Calendar days') },
                    { value: 'working-days', label: t('工作日', 'Working days') },
                  ]}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={9}>
              <Typography.Text strong>{t('整改事项预警（相对时限）', 'Item ladder (relative to the deadline)')}</Typography.Text>
              <Form.List name="ladder">
                {(fields) =>
                  fields.map((f) => (
                    <Form.Item key={f.key} name={[f.name, 'offset']} label={label.rung(form.getFieldValue(['ladder', f.name, 'rung']))} rules={[{ required: true }]}>
                      <Input />
                    </Form.Item>
                  ))
                }
              </Form.List>
            </Col>
            <Col xs={24} md={9}>
              <Typography.Text strong>{t('环节超期预警（相对截止）', 'Window ladder (relative to the window end)')}</Typography.Text>
              <Form.List name="windowLadder">
                {(fields) =>
                  fields.map((f) => (
                    <Form.Item key={f.key} name={[f.name, 'offset']} label={label.rung(form.getFieldValue(['windowLadder', f.name, 'rung']))} rules={[{ required: true }]}>
                      <Input />
                    </Form.Item>
                  ))
                }
              </Form.List>
            </Col>
          </Row>
          <Form.Item name={['calendar', 'holidays']} label={t('节假日（YYYY-MM-DD，逗号分隔）', 'Days off (YYYY-MM-DD, comma-separated)')}>
            <Input.TextArea rows={2} />
          </Form.Item>
          <Form.Item name={['calendar', 'workdays']} label={t('调休上班的周末（YYYY-MM-DD）', 'Weekend days worked (YYYY-MM-DD)')}>
            <Input.TextArea rows={1} />
          </Form.Item>
        </Card>
        <Space style={{ marginTop: 12 }}>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="create-campaign">
            {t('创建活动', 'Create campaign')}
          </Button>
          <Button onClick={() => navigate('/office')}>{t('取消', 'Cancel')}</Button>
        </Space>
        <ErrorNote error={error} />
      </Form>
    </Space>
  );
}
