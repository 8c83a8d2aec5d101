// Defining a campaign: a name and a plan. The plan starts as DOMAIN.md's seed calendar moved to the chosen
// start (libs/domain's defaultPlan, the same code the API uses); its batches and phase windows (date pickers in
// the campaign's zone), the disclosure, both ladders ("截止前 N 天 / 逾期 N 天", counted in calendar or working
// days) and the holidays of the plan's own years (the official arrangements the office has loaded, per year; a
// year without one is named, and can be loaded here) can be edited, and are drawn on a timeline.
// Errors name their field, whether libs/domain's validatePlan finds them here or the API does.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Form, Input, InputNumber, Modal, Row, Select, Space, Tag, Typography, type FormInstance } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import {
  ACTIVE_PHASES,
  DomainError,
  defaultPlan,
  validatePlan,
  type Plan,
  type Refusal,
  FIELD_LIMITS,
} from '../../../../../libs/domain/src';
import { api, ApiError, call, idempotencyKey } from '../../api/client';
import { useI18n, zoneName } from '../../i18n';
import { wordRefusal } from '../../refusals';
import { navigate } from '../../router';
import { ErrorNote, useWords } from '../../ui/errors';
import { DateInput, FieldTag, useAction } from '../../ui/forms';
import {
  dates,
  dayStart,
  formPath,
  SHOWN_FIELDS,
  todayInCampaign,
  toForm,
  toPlan,
  yearsOf,
  type Direction,
  type FormValues,
} from './campaign-plan-form';
import { PlanTimeline } from './PlanTimeline';

type HolidayArrangement = { year: number; source: string; holidays: string[]; workdays: string[] };

export default function NewCampaign() {
  const { t } = useI18n();
  const today = todayInCampaign();
  const initial = useMemo(() => toForm(defaultPlan(dayStart(today)), '', today), [today]);
  const [form] = Form.useForm<FormValues>();
  // preserve: the whole store, also what is not a field (batch numbers, rung names)
  const values = Form.useWatch([], { form, preserve: true }) as FormValues | undefined;
  const preview = useMemo(() => {
    try {
      return toPlan(values ?? initial);
    } catch {
      return undefined;
    }
  }, [values, initial]);
  const holidays = useHolidayArrangements(form, preview);
  const create = useCreateCampaign(form);
  const [loading, setLoading] = useState<number>();

  const applyDefault = () => {
    const anchor = form.getFieldValue('anchor') as string | undefined;
    if (!anchor) return;
    const name = form.getFieldValue('name') as string | undefined;
    form.setFieldsValue(toForm(defaultPlan(dayStart(anchor)), name, anchor));
  };
  const dayUnit = (values?.calendar?.count ?? initial.calendar.count) === 'working-days' ? t('个工作日', 'working days') : t('天', 'days');

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('新建教育实践活动', 'New campaign')}
      </Typography.Title>
      <Form name="plan" form={form} layout="vertical" initialValues={initial} onFinish={create.submit} data-testid="campaign-form">
        <NameAndStart preview={preview} onApplyDefault={applyDefault} />
        <BatchWindows form={form} />
        <LaddersAndCalendar form={form} dayUnit={dayUnit} holidays={holidays} onLoad={setLoading} />
        <Space style={{ marginTop: 12 }}>
          <Button type="primary" htmlType="submit" loading={create.busy} data-testid="create-campaign">
            {t('创建活动', 'Create campaign')}
          </Button>
          <Button onClick={() => navigate('/office')}>{t('取消', 'Cancel')}</Button>
        </Space>
        <ErrorNote error={create.error} />
      </Form>
      {loading ? <LoadHolidays year={loading} onClose={() => setLoading(undefined)} /> : null}
    </Space>
  );
}

/**
 * The official holiday arrangements of the years the plan spans, and the form's calendar filled from them: a new
 * plan takes the holidays of its own years (not the seed's 2013–2014) once they are known.
 */
function useHolidayArrangements(form: FormInstance<FormValues>, preview: Plan | undefined) {
  const years = useMemo(() => yearsOf(preview), [preview]);
  const arrangements = useQuery({
    queryKey: ['holiday-arrangements', years.join(',')],
    enabled: years.length > 0,
    queryFn: () => call(api.GET('/api/holiday-arrangements', { params: { query: { years: years.join(',') } } })),
  });
  const loaded = new Map((arrangements.data?.items ?? []).map((a) => [a.year, a]));

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
  const yearsKey = years.join(',');
  useEffect(() => {
    if (arrangements.data) fillCalendar();
  }, [arrangements.data, yearsKey]);
  return { years, loaded, fillCalendar };
}

/**
 * Creates the campaign from the form: the plan is checked here first (libs/domain's validatePlan), then by the
 * API; an error naming a field the form shows goes on that field, any other beside the button.
 */
function useCreateCampaign(form: FormInstance<FormValues>) {
  const errors = useCampaignErrors(form);
  const [busy, setBusy] = useState(false);

  const create = async () => {
    errors.setError(undefined);
    const v = form.getFieldsValue(true) as FormValues;
    const plan = toPlan(v);
    try {
      validatePlan(plan);
    } catch (e) {
      errors.showCheckError(e);
      return;
    }
    setBusy(true);
    try {
      const created = await postCampaign(v.name ?? '', plan);
      navigate(`/office/campaigns/${created.id}`);
    } catch (e) {
      errors.showApiError(e);
    } finally {
      setBusy(false);
    }
  };
  // Every error is shown (on its field or beside the button): nothing is left to reject.
  const submit = () => void create();
  return { submit, error: errors.error, busy };
}

/** The campaign as the API creates it: opened when its first batch opens. */
const postCampaign = (name: string, plan: Plan) =>
  call(
    api.POST('/api/campaigns', {
      params: { header: { 'Idempotency-Key': idempotencyKey() } },
      body: { name, startsAt: plan.batches[0].startsAt, plan },
    }),
  );

/**
 * Where an error creating the campaign goes: on the field it names when the form shows that field (scrolled to),
 * else into `error`, beside the button.
 */
function useCampaignErrors(form: FormInstance<FormValues>) {
  const words = useWords();
  const [error, setError] = useState<unknown>();
  // The form's paths are built from the names of plan fields, which its typed paths cannot foresee.
  const anyPathForm: FormInstance = form;

  const showFieldError = (field: string, err: unknown, refusal: Refusal | undefined) => {
    const path = formPath(field);
    if (!SHOWN_FIELDS.includes(String(path[path.length - 1]))) {
      setError(err);
      return;
    }
    anyPathForm.setFields([
      { name: path, errors: [wordRefusal(refusal ?? { category: 'INVALID_INPUT', rule: 'input.invalid', params: { field } }, words)] },
    ]);
    document.getElementById(['plan', ...path].join('_'))?.scrollIntoView({ block: 'center' });
  };
  /** An error of libs/domain's check of the plan, before anything is sent. */
  const showCheckError = (e: unknown) => {
    if (e instanceof DomainError && typeof e.details.field === 'string') showFieldError(e.details.field, e, e.refusal);
    else setError(e);
  };
  /** An error of the API's: its first field's, on the name or on the plan's field. */
  const showApiError = (e: unknown) => {
    const f = e instanceof ApiError ? e.fields.at(0) : undefined;
    if (f && f.field === 'name')
      form.setFields([
        {
          name: 'name',
          errors: [wordRefusal(f.refusal ?? { category: 'INVALID_INPUT', rule: 'input.invalid', params: { field: 'name' } }, words)],
        },
      ]);
    else if (f && f.field.startsWith('plan')) showFieldError(f.field, e, f.refusal);
    else setError(e);
  };
  return { error, setError, showCheckError, showApiError };
}

/** The campaign's name, the start the default calendar is moved to, and the plan on a timeline. */
function NameAndStart({ preview, onApplyDefault }: { preview: Plan | undefined; onApplyDefault: () => void }) {
  const { t, zone } = useI18n();
  return (
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
              <Button onClick={onApplyDefault}>{t('套用默认日程', 'Apply the default calendar')}</Button>
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
  );
}

/** Each batch's window and its phases' windows, as days. */
function BatchWindows({ form }: { form: FormInstance<FormValues> }) {
  const { t, label } = useI18n();
  const required = [{ required: true, message: t('请选择日期', 'Choose a date') }];
  return (
    <Form.List name="batches">
      {(fields) =>
        fields.map((f) => {
          const batch = form.getFieldValue(['batches', f.name, 'batch']) as number;
          return (
            <Card key={f.key} size="small" style={{ marginTop: 12 }} title={t(`第${batch}批`, `Batch ${batch}`)}>
              <Space wrap align="start">
                <Form.Item name={[f.name, 'startsAt']} label={t('开始', 'Opens')} rules={required}>
                  <DateInput />
                </Form.Item>
                <Form.Item name={[f.name, 'endsAt']} label={t('结束（含当日）', 'Last day')} rules={required}>
                  <DateInput />
                </Form.Item>
                {ACTIVE_PHASES.map((ph) => (
                  <Space key={ph} align="start" wrap style={{ borderInlineStart: '3px solid #d9d9d9', paddingInlineStart: 8 }}>
                    <Form.Item
                      name={[f.name, 'phases', ph, 'startsAt']}
                      label={`${label.phase(ph)} ${t('开始', 'opens')}`}
                      rules={required}
                    >
                      <DateInput />
                    </Form.Item>
                    <Form.Item
                      name={[f.name, 'phases', ph, 'endsAt']}
                      label={`${label.phase(ph)} ${t('截止（含当日）', 'last day')}`}
                      rules={required}
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
  );
}

/** The card under the batches: the disclosure and the ladders, then the holidays of the plan's years. */
function LaddersAndCalendar({
  form,
  dayUnit,
  holidays,
  onLoad,
}: {
  form: FormInstance<FormValues>;
  dayUnit: string;
  holidays: ReturnType<typeof useHolidayArrangements>;
  onLoad: (year: number) => void;
}) {
  const { t } = useI18n();
  return (
    <Card size="small" style={{ marginTop: 12 }} title={t('公示、预警与日历', 'Disclosure, ladders and calendar')}>
      <DisclosureAndLadders form={form} dayUnit={dayUnit} />
      <HolidayYears years={holidays.years} loaded={holidays.loaded} onLoad={onLoad} onFill={holidays.fillCalendar} />
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
  );
}

/** The disclosure window, how days are counted, and both ladders. */
function DisclosureAndLadders({ form, dayUnit }: { form: FormInstance<FormValues>; dayUnit: string }) {
  const { t } = useI18n();
  return (
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
                label: t('工作日（节假日和周末不计，调休上班日计入）', 'Working days (holidays and weekends off, swapped workdays on)'),
              },
            ]}
          />
        </Form.Item>
      </Col>
      <Col xs={24} md={9}>
        <Typography.Text strong>{t('整改事项预警（相对完成时限）', 'Item ladder (relative to the deadline)')}</Typography.Text>
        <Form.List name="ladder">
          {(fields) => fields.map((f) => <LadderField key={f.key} form={form} list="ladder" field={f} dayUnit={dayUnit} />)}
        </Form.List>
      </Col>
      <Col xs={24} md={9}>
        <Typography.Text strong>{t('环节超期预警（相对环节截止）', 'Window ladder (relative to the window end)')}</Typography.Text>
        <Form.List name="windowLadder">
          {(fields) => fields.map((f) => <LadderField key={f.key} form={form} list="windowLadder" field={f} dayUnit={dayUnit} />)}
        </Form.List>
      </Col>
    </Row>
  );
}

/** One rung of a ladder: before the deadline, at it, or overdue, by a number of days. */
function LadderField({
  form,
  list,
  field,
  dayUnit,
}: {
  form: FormInstance<FormValues>;
  list: 'ladder' | 'windowLadder';
  field: { key: number; name: number };
  dayUnit: string;
}) {
  const { t, label } = useI18n();
  const rung = form.getFieldValue([list, field.name, 'rung']) as string;
  const direction = (form.getFieldValue([list, field.name, 'direction']) as Direction | undefined) ?? 'after';
  return (
    <Form.Item label={label.rung(rung)} required style={{ marginBottom: 8 }}>
      <Space.Compact>
        <Form.Item name={[field.name, 'direction']} noStyle>
          <Select
            aria-label={t(`${label.rung(rung)}：截止前或逾期`, `${label.rung(rung)}: before or after the deadline`)}
            style={{ width: 110 }}
            options={[
              { value: 'before', label: t('截止前', 'before') },
              { value: 'at', label: t('到期当时', 'at the deadline') },
              { value: 'after', label: t('逾期', 'overdue by') },
            ]}
          />
        </Form.Item>
        {direction !== 'at' ? (
          <>
            <Form.Item name={[field.name, 'days']} noStyle rules={[{ required: true, message: t('请填写天数', 'Enter a number of days') }]}>
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
}

/** Each year the plan spans: its official arrangement as loaded, or a warning with a button to load it. */
function HolidayYears({
  years,
  loaded,
  onLoad,
  onFill,
}: {
  years: number[];
  loaded: Map<number, HolidayArrangement>;
  onLoad: (year: number) => void;
  onFill: () => void;
}) {
  const { t } = useI18n();
  return (
    <div data-testid="holiday-years">
      <Typography.Text strong>
        {t('本活动所跨年份的法定节假日安排', 'Official holiday arrangements of the years the plan spans')}
      </Typography.Text>
      <Space orientation="vertical" style={{ width: '100%', margin: '8px 0' }}>
        {years.map((y) => (
          <HolidayYear key={y} year={y} arrangement={loaded.get(y)} onLoad={onLoad} />
        ))}
      </Space>
      <Button size="small" onClick={onFill}>
        {t('按已载入的安排重新填入', 'Fill in again from the arrangements loaded')}
      </Button>
    </div>
  );
}

/** A year the plan spans: its arrangement's source and size when loaded, else a warning with a button to load it. */
function HolidayYear({ year, arrangement, onLoad }: { year: number; arrangement?: HolidayArrangement; onLoad: (year: number) => void }) {
  const { t } = useI18n();
  return arrangement ? (
    <div data-year={year} data-loaded="true">
      <Tag color="success">{t(`${year}年`, String(year))}</Tag>
      {t(
        `已载入：${arrangement.source}（节假日 ${arrangement.holidays.length} 天，调休上班 ${arrangement.workdays.length} 天）`,
        `loaded: ${arrangement.source} (${arrangement.holidays.length} days off, ${arrangement.workdays.length} weekend days worked)`,
      )}
    </div>
  ) : (
    <Alert
      type="warning"
      showIcon
      data-year={year}
      data-loaded="false"
      title={t(
        `${year}年尚未载入官方节假日安排：按工作日计算时只扣除周末。`,
        `No official arrangement is loaded for ${year}: working days then skip weekends only.`,
      )}
      action={
        <Button size="small" onClick={() => onLoad(year)} data-testid={`load-holidays-${year}`}>
          {t('载入', 'Load')}
        </Button>
      }
    />
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
      <Form form={form} layout="vertical" onFinish={load.submit} name={`holidays-${year}`}>
        <ArrangementFields />
        <ErrorNote error={load.error} />
      </Form>
    </Modal>
  );
}

/** An official arrangement as the notice gives it: its number, its days off and its weekend days worked. */
function ArrangementFields() {
  const { t } = useI18n();
  return (
    <>
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
    </>
  );
}
