// Defining a campaign: a name and a plan. The plan starts as DOMAIN.md's seed calendar moved to the chosen
// start (libs/domain's defaultPlan, the same code the API uses); its batches and phase windows (date pickers in
// the campaign's zone), the disclosure, both ladders ("截止前 N 天 / 逾期 N 天", counted in calendar or working
// days) and the holidays of the plan's own years (the official arrangements the office has loaded, per year; a
// year without one is named, and can be loaded here) can be edited, and are drawn on a timeline.
// Errors name their field, whether libs/domain's validatePlan finds them here or the API does.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Form, Input, InputNumber, Modal, Row, Select, Space, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import {
  ACTIVE_PHASES,
  DEFAULT_UTC_OFFSET,
  DomainError,
  defaultPlan,
  validatePlan,
  type Plan,
  FIELD_LIMITS,
} from '../../../../../libs/domain/src';
import { api, call, idempotencyKey } from '../../api/client';
import { useI18n, wallTime, zoneName } from '../../i18n';
import { wordRefusal } from '../../refusals';
import { navigate } from '../../router';
import { ErrorNote, namePath, useWords } from '../../ui/errors';
import { DateInput, FieldTag, useAction } from '../../ui/forms';
import { PlanTimeline } from './PlanTimeline';

const DAY = 86_400_000;
const OFFSET = DEFAULT_UTC_OFFSET;
/** A day of the campaign's calendar: windows start at its midnight; an inclusive last day ends at the next midnight. */
const dayStart = (d: string) => `${d}T00:00:00${OFFSET}`;
const dayOf = (iso: string, minusDay = false) =>
  wallTime(new Date(Date.parse(iso) - (minusDay ? DAY : 0)).toISOString(), OFFSET).slice(0, 10);
const nextDayStart = (d: string) => `${new Date(Date.parse(`${d}T00:00:00Z`) + DAY).toISOString().slice(0, 10)}T00:00:00${OFFSET}`;

type Direction = 'before' | 'at' | 'after';
interface RungValues {
  rung: string;
  direction: Direction;
  days: number;
}
interface WindowValues {
  startsAt: string;
  endsAt: string;
}
interface FormValues {
  name: string;
  anchor: string;
  batches: Array<WindowValues & { batch: 1 | 2; phases: Record<'P1' | 'P2' | 'P3', WindowValues> }>;
  disclosureDays: number;
  ladder: RungValues[];
  windowLadder: RungValues[];
  calendar: { count: 'calendar-days' | 'working-days'; holidays: string; workdays: string };
}

/** `-P7D` → 截止前 7 天; `PT0S` → 到期当时; `P14D` → 逾期 14 天 (the editor works in whole days). */
function toRung(r: { rung: string; offset: string }): RungValues {
  const m = /^(-)?P(?:(\d+)W)?(?:(\d+)D)?(?:T.*)?$/.exec(r.offset);
  const days = m ? Number(m[2] ?? 0) * 7 + Number(m[3] ?? 0) : 0;
  return { rung: r.rung, direction: days === 0 ? 'at' : m?.[1] ? 'before' : 'after', days };
}
const fromRung = (r: RungValues) => ({
  rung: r.rung as 'reminder',
  offset: r.direction === 'at' || !r.days ? 'PT0S' : `${r.direction === 'before' ? '-' : ''}P${Math.round(r.days)}D`,
});

const toWindow = (w: { startsAt: string; endsAt: string }): WindowValues => ({
  startsAt: dayOf(w.startsAt),
  endsAt: dayOf(w.endsAt, true),
});
const fromWindow = (w: WindowValues) => ({
  startsAt: w?.startsAt ? dayStart(w.startsAt) : '',
  endsAt: w?.endsAt ? nextDayStart(w.endsAt) : '',
});
const dates = (s: string | undefined) => (s ?? '').split(/[\s,，;；、]+/).filter(Boolean);

function toForm(plan: Plan, name = '', anchor = dayOf(plan.batches[0].startsAt)): FormValues {
  return {
    name,
    anchor,
    batches: plan.batches.map((b) => ({
      batch: b.batch,
      ...toWindow(b),
      phases: { P1: toWindow(b.phases.P1), P2: toWindow(b.phases.P2), P3: toWindow(b.phases.P3) },
    })),
    disclosureDays: toRung({ rung: '', offset: plan.disclosure }).days,
    ladder: plan.ladder.map(toRung),
    windowLadder: plan.windowLadder.map(toRung),
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
    disclosure: `P${Math.max(0, Math.round(v.disclosureDays ?? 0))}D`,
    ladder: (v.ladder ?? []).map(fromRung) as Plan['ladder'],
    windowLadder: (v.windowLadder ?? []).map(fromRung) as Plan['windowLadder'],
    calendar: {
      count: v.calendar?.count ?? 'calendar-days',
      holidays: dates(v.calendar?.holidays),
      workdays: dates(v.calendar?.workdays),
      utcOffset: OFFSET,
    },
  };
}

/** A plan field as libs/domain and the API name it (`plan.batches[0].phases.P1.endsAt`) → this form's path. */
const formPath = (field: string): Array<string | number> => {
  const path = namePath(field.replace(/^plan\./, ''));
  if (path[0] === 'calendar' && (path[1] === 'holidays' || path[1] === 'workdays')) return path.slice(0, 2);
  if (path[0] === 'disclosure') return ['disclosureDays'];
  if ((path[0] === 'ladder' || path[0] === 'windowLadder') && path[2] === 'offset') return [path[0], path[1], 'days'];
  return path;
};

/** The years a plan spans, in its zone. */
const yearsOf = (plan: Plan | undefined): number[] => {
  if (!plan?.batches.length) return [];
  const first = Number(dayOf(plan.batches[0].startsAt).slice(0, 4));
  const last = Number(dayOf(plan.batches[plan.batches.length - 1].endsAt, true).slice(0, 4));
  if (!first || !last || last < first || last - first > 5) return first ? [first] : [];
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
};

export default function NewCampaign() {
  const { t, label, zone } = useI18n();
  const words = useWords();
  const today = wallTime(new Date().toISOString(), OFFSET).slice(0, 10);
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
  const years = useMemo(() => yearsOf(preview), [preview]);
  const arrangements = useQuery({
    queryKey: ['holiday-arrangements', years.join(',')],
    enabled: years.length > 0,
    queryFn: () => call(api.GET('/api/holiday-arrangements', { params: { query: { years: years.join(',') } } })),
  });
  const loaded = new Map((arrangements.data?.items ?? []).map((a) => [a.year, a]));
  const [loading, setLoading] = useState<number>();

  /** The holidays and swapped workdays of the plan's years, from the arrangements loaded. */
  const fillCalendar = () => {
    const hs: string[] = [];
    const ws: string[] = [];
    for (const y of years) {
      const a = loaded.get(y);
      if (a) {
        hs.push(...a.holidays);
        ws.push(...a.workdays);
      }
    }
    form.setFieldValue(['calendar', 'holidays'], hs.join(', '));
    form.setFieldValue(['calendar', 'workdays'], ws.join(', '));
  };
  // A new plan takes the holidays of its own years (not the seed's 2013–2014) once they are known.
  const yearsKey = years.join(',');
  useEffect(() => {
    if (arrangements.data) fillCalendar();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [arrangements.data, yearsKey]);

  const applyDefault = () => {
    const anchor = form.getFieldValue('anchor') as string;
    if (!anchor) return;
    const name = form.getFieldValue('name') as string;
    form.setFieldsValue(toForm(defaultPlan(dayStart(anchor)), name, anchor));
  };

  /** On the field it names when the form shows that field; beside the button otherwise. */
  const showFieldError = (field: string, err: unknown, refusal = (err as DomainError).refusal) => {
    const path = formPath(field);
    const last = String(path[path.length - 1]);
    if (!['name', 'startsAt', 'endsAt', 'days', 'disclosureDays', 'count', 'holidays', 'workdays'].includes(last)) return setError(err);
    form.setFields([
      {
        name: path as never,
        errors: [wordRefusal(refusal ?? { category: 'INVALID_INPUT', rule: 'input.invalid', params: { field } }, words)],
      },
    ]);
    document.getElementById(['plan', ...path].join('_'))?.scrollIntoView({ block: 'center' });
  };

  const submit = async () => {
    setError(undefined);
    const v = form.getFieldsValue(true) as FormValues;
    const plan = toPlan(v);
    try {
      validatePlan(plan);
    } catch (e) {
      if (e instanceof DomainError && typeof e.details.field === 'string') return showFieldError(e.details.field, e, e.refusal);
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
      const f = (e as { fields?: Array<{ field: string; refusal?: DomainError['refusal'] }> }).fields?.[0];
      if (f && f.field === 'name')
        form.setFields([
          {
            name: 'name',
            errors: [wordRefusal(f.refusal ?? { category: 'INVALID_INPUT', rule: 'input.invalid', params: { field: 'name' } }, words)],
          },
        ]);
      else if (f && f.field.startsWith('plan')) showFieldError(f.field, e, f.refusal);
      else setError(e);
    } finally {
      setBusy(false);
    }
  };

  const dayUnit = (values?.calendar?.count ?? initial.calendar.count) === 'working-days' ? t('个工作日', 'working days') : t('天', 'days');
  const ladderField = (list: 'ladder' | 'windowLadder', f: { key: number; name: number }) => {
    const rung = form.getFieldValue([list, f.name, 'rung']) as string;
    const direction = (form.getFieldValue([list, f.name, 'direction']) as Direction) ?? 'after';
    return (
      <Form.Item key={f.key} label={label.rung(rung)} required style={{ marginBottom: 8 }}>
        <Space.Compact>
          <Form.Item name={[f.name, 'direction']} noStyle>
            <Select
              aria-label={t(`${label.rung(rung)}：截止前或逾期`, `${label.rung(rung)}: before or after the deadline`)}
              style={{ width: 110 }}
              options={[
                { value: 'before', label: list === 'ladder' ? t('截止前', 'before') : t('截止前', 'before') },
                { value: 'at', label: t('到期当时', 'at the deadline') },
                { value: 'after', label: t('逾期', 'overdue by') },
              ]}
            />
          </Form.Item>
          {direction !== 'at' ? (
            <>
              <Form.Item name={[f.name, 'days']} noStyle rules={[{ required: true, message: t('请填写天数', 'Enter a number of days') }]}>
                <InputNumber
                  min={1}
                  max={366}
                  precision={0}
                  style={{ width: 80 }}
                  aria-label={t(`${label.rung(rung)}：天数`, `${label.rung(rung)}: days`)}
                />
              </Form.Item>
              <FieldTag>{dayUnit}</FieldTag>
            </>
          ) : null}
        </Space.Compact>
      </Form.Item>
    );
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('新建教育实践活动', 'New campaign')}
      </Typography.Title>
      <Form name="plan" form={form} layout="vertical" initialValues={initial} onFinish={submit} data-testid="campaign-form">
        <Card>
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item
                name="name"
                label={t('活动名称', 'Name')}
                rules={[{ required: true, whitespace: true, message: t('请填写名称', 'Enter a name') }]}
              >
                <Input maxLength={FIELD_LIMITS.name} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item label={t('第一批开始日期（按默认日程）', 'Batch 1 opens on (default calendar)')}>
                <Space wrap>
                  <Form.Item name="anchor" noStyle>
                    <DateInput aria-label={t('第一批开始日期', 'Batch 1 opens on')} />
                  </Form.Item>
                  <Button onClick={applyDefault}>{t('套用默认日程', 'Apply the default calendar')}</Button>
                </Space>
              </Form.Item>
            </Col>
          </Row>
          <Typography.Paragraph type="secondary">
            {t(
              `日期按活动所在时区（${zoneName(zone)}）计算：开始日从零时起，截止日到当日 24 时止。`,
              `Days are reckoned in the campaign's zone (${zoneName(zone)}): a first day from midnight, a last day to the next midnight.`,
            )}
          </Typography.Paragraph>
          {preview ? <PlanTimeline plan={preview} /> : null}
        </Card>
        <Form.List name="batches">
          {(fields) =>
            fields.map((f) => {
              const batch = form.getFieldValue(['batches', f.name, 'batch']) as number;
              return (
                <Card key={f.key} size="small" style={{ marginTop: 12 }} title={t(`第${batch}批`, `Batch ${batch}`)}>
                  <Space wrap align="start">
                    <Form.Item
                      name={[f.name, 'startsAt']}
                      label={t('开始', 'Opens')}
                      rules={[{ required: true, message: t('请选择日期', 'Choose a date') }]}
                    >
                      <DateInput />
                    </Form.Item>
                    <Form.Item
                      name={[f.name, 'endsAt']}
                      label={t('结束（含当日）', 'Last day')}
                      rules={[{ required: true, message: t('请选择日期', 'Choose a date') }]}
                    >
                      <DateInput />
                    </Form.Item>
                    {ACTIVE_PHASES.map((ph) => (
                      <Space key={ph} align="start" wrap style={{ borderInlineStart: '3px solid #d9d9d9', paddingInlineStart: 8 }}>
                        <Form.Item
                          name={[f.name, 'phases', ph, 'startsAt']}
                          label={`${label.phase(ph)} ${t('开始', 'opens')}`}
                          rules={[{ required: true, message: t('请选择日期', 'Choose a date') }]}
                        >
                          <DateInput />
                        </Form.Item>
                        <Form.Item
                          name={[f.name, 'phases', ph, 'endsAt']}
                          label={`${label.phase(ph)} ${t('截止（含当日）', 'last day')}`}
                          rules={[{ required: true, message: t('请选择日期', 'Choose a date') }]}
                        >
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
              <Form.Item label={t('公示期', 'Disclosure window')} required>
                <Space.Compact>
                  <Form.Item name="disclosureDays" noStyle rules={[{ required: true, message: t('请填写天数', 'Enter a number of days') }]}>
                    <InputNumber min={1} max={366} precision={0} style={{ width: 90 }} aria-label={t('公示期天数', 'Disclosure days')} />
                  </Form.Item>
                  <FieldTag>{dayUnit}</FieldTag>
                </Space.Compact>
              </Form.Item>
              <Form.Item name={['calendar', 'count']} label={t('计日方式', 'Days counted as')}>
                <Select
                  options={[
                    { value: 'calendar-days', label: t('自然日', 'Calendar days') },
                    {
                      value: 'working-days',
                      label: t(
                        '工作日（节假日和周末不计，调休上班日计入）',
                        'Working days (holidays and weekends off, swapped workdays on)',
                      ),
                    },
                  ]}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={9}>
              <Typography.Text strong>{t('整改事项预警（相对完成时限）', 'Item ladder (relative to the deadline)')}</Typography.Text>
              <Form.List name="ladder">{(fields) => fields.map((f) => ladderField('ladder', f))}</Form.List>
            </Col>
            <Col xs={24} md={9}>
              <Typography.Text strong>{t('环节超期预警（相对环节截止）', 'Window ladder (relative to the window end)')}</Typography.Text>
              <Form.List name="windowLadder">{(fields) => fields.map((f) => ladderField('windowLadder', f))}</Form.List>
            </Col>
          </Row>
          <div data-testid="holiday-years">
            <Typography.Text strong>
              {t('本活动所跨年份的法定节假日安排', 'Official holiday arrangements of the years the plan spans')}
            </Typography.Text>
            <Space direction="vertical" style={{ width: '100%', margin: '8px 0' }}>
              {years.map((y) => {
                const a = loaded.get(y);
                return a ? (
                  <div key={y} data-year={y} data-loaded="true">
                    <Tag color="success">{t(`${y}年`, String(y))}</Tag>
                    {t(
                      `已载入：${a.source}（节假日 ${a.holidays.length} 天，调休上班 ${a.workdays.length} 天）`,
                      `loaded: ${a.source} (${a.holidays.length} days off, ${a.workdays.length} weekend days worked)`,
                    )}
                  </div>
                ) : (
                  <Alert
                    key={y}
                    type="warning"
                    showIcon
                    data-year={y}
                    data-loaded="false"
                    title={t(
                      `${y}年尚未载入官方节假日安排：按工作日计算时只扣除周末。`,
                      `No official arrangement is loaded for ${y}: working days then skip weekends only.`,
                    )}
                    action={
                      <Button size="small" onClick={() => setLoading(y)} data-testid={`load-holidays-${y}`}>
                        {t('载入', 'Load')}
                      </Button>
                    }
                  />
                );
              })}
            </Space>
            <Button size="small" onClick={fillCalendar}>
              {t('按已载入的安排重新填入', 'Fill in again from the arrangements loaded')}
            </Button>
          </div>
          <Form.Item
            name={['calendar', 'holidays']}
            label={t('节假日（YYYY-MM-DD，逗号分隔）', 'Days off (YYYY-MM-DD, comma-separated)')}
            style={{ marginTop: 12 }}
          >
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
      {loading ? <LoadHolidays year={loading} onClose={() => setLoading(undefined)} /> : null}
    </Space>
  );
}

/** Loads a year's official arrangement (the State Council's notice) as data: its days off and weekend days worked. */
function LoadHolidays({ year, onClose }: { year: number; onClose: () => void }) {
  const { t } = useI18n();
  const queries = useQueryClient();
  const [form] = Form.useForm<{ source: string; holidays: string; workdays: string }>();
  const load = useAction({
    form,
    fields: ['source', 'holidays', 'workdays'],
    success: t(`${year}年节假日安排已载入`, `The ${year} arrangement is loaded`),
    fn: (v: { source: string; holidays: string; workdays: string }) =>
      call(
        api.PUT('/api/holiday-arrangements/{year}', {
          params: { path: { year } },
          body: { source: v.source, holidays: dates(v.holidays), workdays: dates(v.workdays) },
        }),
      ),
    onDone: () => {
      void queries.invalidateQueries({ queryKey: ['holiday-arrangements'] });
      onClose();
    },
  });
  return (
    <Modal
      open
      title={t(`载入${year}年法定节假日安排`, `Load the official arrangement of ${year}`)}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('载入', 'Load')}
      cancelText={t('取消', 'Cancel')}
    >
      <Form form={form} layout="vertical" onFinish={load.run} name={`holidays-${year}`}>
        <Form.Item
          name="source"
          label={t('依据（通知文号）', 'Source (the notice)')}
          rules={[{ required: true, whitespace: true, message: t('请填写依据', 'Name the source') }]}
        >
          <Input placeholder={t('如：国办发明电〔2025〕7号', 'e.g. 国办发明电〔2025〕7号')} maxLength={200} />
        </Form.Item>
        <Form.Item
          name="holidays"
          label={t('放假日期（YYYY-MM-DD，逗号或换行分隔）', 'Days off (YYYY-MM-DD, comma or line separated)')}
          rules={[{ required: true, message: t('请填写放假日期', 'Enter the days off') }]}
        >
          <Input.TextArea rows={4} />
        </Form.Item>
        <Form.Item name="workdays" label={t('调休上班日期（周末）', 'Weekend days worked')}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <ErrorNote error={load.error} />
      </Form>
    </Modal>
  );
}
