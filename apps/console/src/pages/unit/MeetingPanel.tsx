// The special democratic life meeting (专题民主生活会): scheduled by the unit, attended start to end by a member
// of its supervisory group (attested from the supervisor's inbox), then recorded as held — valid or not.
import { Alert, Button, Descriptions, Form, Input, List, Space, Typography } from 'antd';
import { api, call } from '../../api/client';
import { formatTime, useI18n } from '../../i18n';
import { ErrorNote } from '../../ui/errors';
import { DateTimeInput, localToIso, useAction } from '../../ui/forms';
import { unitKey } from './useUnit';
import { FIELD_LIMITS } from '../../../../../libs/domain/src';

interface MeetingLike {
  id: string;
  scheduledAt: string;
  location: string;
  status: string;
  attendance: Array<{ supervisorId: string; arrivedAt: string; leftAt: string }>;
  valid?: boolean;
  reason?: string;
  startedAt?: string;
  endedAt?: string;
  previous?: unknown[];
}

export function MeetingPanel({ unit }: { unit: { id: string; phase: string | null; meeting?: MeetingLike } }) {
  const { t, lang } = useI18n();
  const [schedule] = Form.useForm();
  const [held] = Form.useForm();
  const m = unit.meeting;
  const doSchedule = useAction({
    form: schedule,
    fields: ['scheduledAt', 'location'],
    invalidate: [unitKey(unit.id)],
    fn: (v: { scheduledAt: string; location: string }) =>
      call(api.POST('/api/units/{id}/meeting', { params: { path: { id: unit.id } }, body: { scheduledAt: localToIso(v.scheduledAt) ?? v.scheduledAt, location: v.location } })),
  });
  const doHeld = useAction({
    form: held,
    fields: ['startedAt', 'endedAt', 'minutes'],
    invalidate: [unitKey(unit.id)],
    fn: (v: { startedAt: string; endedAt: string; minutes: string }) =>
      call(
        api.POST('/api/units/{id}/meeting/held', {
          params: { path: { id: unit.id } },
          body: { startedAt: localToIso(v.startedAt) ?? v.startedAt, endedAt: localToIso(v.endedAt) ?? v.endedAt, minutes: v.minutes },
        }),
      ),
  });
  const canSchedule = !m || m.status === 'held' ? !(m?.valid === true) : false;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {m ? (
        <Descriptions size="small" bordered column={{ xs: 1, md: 2 }} data-testid="meeting">
          <Descriptions.Item label={t('时间', 'Scheduled')}>{formatTime(m.scheduledAt, lang)}</Descriptions.Item>
          <Descriptions.Item label={t('地点', 'Location')}>{m.location}</Descriptions.Item>
          <Descriptions.Item label={t('督导组到会', 'Supervisors present')}>
            {m.attendance.length
              ? m.attendance.map((a) => `${formatTime(a.arrivedAt, lang)} — ${formatTime(a.leftAt, lang)}`).join('; ')
              : t('尚无督导组到会证明', 'No attendance attested yet')}
          </Descriptions.Item>
          <Descriptions.Item label={t('状态', 'Status')}>
            {m.status === 'scheduled'
              ? t('已安排', 'Scheduled')
              : m.valid
                ? t('已召开，有效', 'Held, valid')
                : t(`已召开，无效：${m.reason ?? ''}`, `Held, invalid: ${m.reason ?? ''}`)}
          </Descriptions.Item>
        </Descriptions>
      ) : null}
      {m && m.status === 'held' && !m.valid ? <Alert type="warning" showIcon title={t('会议无效，须重新召开。', 'The meeting is invalid and must be reconvened.')} /> : null}
      {canSchedule ? (
        <Form name="MeetingPanel-1" form={schedule} layout="vertical" onFinish={doSchedule.run} data-testid="meeting-schedule-form">
          <Typography.Title level={2} style={{ fontSize: 16 }}>
            {t('安排会议', 'Schedule the meeting')}
          </Typography.Title>
          <Space wrap align="start">
            <Form.Item name="scheduledAt" label={t('会议时间', 'Time')} rules={[{ required: true, message: t('请选择时间', 'Choose a time') }]}>
              <DateTimeInput />
            </Form.Item>
            <Form.Item name="location" label={t('地点', 'Location')} rules={[{ required: true, whitespace: true, message: t('请填写地点', 'Enter a location') }]}>
              <Input style={{ width: 320 }} maxLength={FIELD_LIMITS.title} />
            </Form.Item>
          </Space>
          <div>
            <Button type="primary" htmlType="submit" loading={doSchedule.busy}>
              {t('安排', 'Schedule')}
            </Button>
          </div>
          <ErrorNote error={doSchedule.error} />
        </Form>
      ) : null}
      {m && m.status === 'scheduled' ? (
        <Form name="MeetingPanel-2" form={held} layout="vertical" onFinish={doHeld.run} data-testid="meeting-held-form">
          <Typography.Title level={2} style={{ fontSize: 16 }}>
            {t('记录会议召开情况', 'Record the meeting as held')}
          </Typography.Title>
          <Space wrap align="start">
            <Form.Item name="startedAt" label={t('开始时间', 'Started')} rules={[{ required: true, message: t('请选择时间', 'Choose a time') }]}>
              <DateTimeInput />
            </Form.Item>
            <Form.Item name="endedAt" label={t('结束时间', 'Ended')} rules={[{ required: true, message: t('请选择时间', 'Choose a time') }]}>
              <DateTimeInput />
            </Form.Item>
          </Space>
          <Form.Item name="minutes" label={t('会议记录', 'Minutes')} rules={[{ required: true, whitespace: true, message: t('请填写会议记录', 'Enter the minutes') }]}>
            <Input.TextArea rows={4} maxLength={FIELD_LIMITS.minutes} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={doHeld.busy}>
            {t('提交', 'Record')}
          </Button>
          <ErrorNote error={doHeld.error} />
          {doHeld.result ? (
            <Alert
              style={{ marginTop: 8 }}
              role="status"
              type={doHeld.result.valid ? 'success' : 'warning'}
              showIcon
              title={doHeld.result.valid ? t('会议有效', 'The meeting is valid') : t(`会议无效：${doHeld.result.reason ?? ''}`, `Invalid: ${doHeld.result.reason ?? ''}`)}
            />
          ) : null}
        </Form>
      ) : null}
      {m?.previous?.length ? (
        <List
          size="small"
          header={t('此前无效的会议', 'Earlier invalid meetings')}
          dataSource={m.previous as Array<{ id: string; scheduledAt: string; reason?: string }>}
          renderItem={(p) => (
            <List.Item>
              {formatTime(p.scheduledAt, lang)} — {p.reason}
            </List.Item>
          )}
        />
      ) : null}
    </Space>
  );
}
