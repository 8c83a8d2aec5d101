// The special democratic life meeting (专题民主生活会): scheduled by the unit, attended start to end by a member
// of its supervisory group (attested from the supervisor's inbox), then recorded as held — valid or not. Before
// recording, the unit is told whether the attestations cover the times it enters (the rule of libs/domain).
import { Alert, Button, Descriptions, Form, Input, Space, Typography, type FormInstance } from 'antd';
import { meetingValidity, FIELD_LIMITS } from '../../../../../libs/domain/src';
import { api, call } from '../../api/client';
import type { components } from '../../api/generated/schema';
import { useI18n } from '../../i18n';
import { wordMeetingReason } from '../../refusals';
import { ErrorNote, useWords } from '../../ui/errors';
import { DateTimeInput, useAction, useConfirm } from '../../ui/forms';
import { unitKey } from './useUnit';

type Meeting = components['schemas']['MeetingViewDto'];
interface MeetingUnit {
  id: string;
  phase: string | null;
  groupId?: string;
  meeting?: Meeting;
}
interface HeldValues {
  startedAt: string;
  endedAt: string;
  minutes: string;
}

export function MeetingPanel({ unit }: { unit: MeetingUnit }) {
  const { t } = useI18n();
  const m = unit.meeting;
  const canSchedule = !m || m.status === 'held' ? !(m?.valid === true) : false;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {m ? <MeetingFacts m={m} /> : null}
      {m && m.status === 'held' && !m.valid ? (
        <Alert type="warning" showIcon title={t('会议无效，须重新召开。', 'The meeting is invalid and must be reconvened.')} />
      ) : null}
      {canSchedule ? <ScheduleForm unitId={unit.id} /> : null}
      {m && m.status === 'scheduled' ? <HeldForm unit={unit} m={m} /> : null}
    </Space>
  );
}

/** The meeting as it stands: when, where, the supervisors' attested attendance, and whether it was valid. */
function MeetingFacts({ m }: { m: Meeting }) {
  const { t, time } = useI18n();
  const words = useWords();
  return (
    <Descriptions size="small" bordered column={{ xs: 1, md: 2 }} data-testid="meeting">
      <Descriptions.Item label={t('时间', 'Scheduled')}>{time(m.scheduledAt)}</Descriptions.Item>
      <Descriptions.Item label={t('地点', 'Location')}>{m.location}</Descriptions.Item>
      <Descriptions.Item label={t('督导组到会', 'Supervisors present')}>
        {m.attendance.length
          ? m.attendance.map((a) => `${time(a.arrivedAt)} — ${time(a.leftAt)}`).join('; ')
          : t('尚无督导组到会证明', 'No attendance attested yet')}
      </Descriptions.Item>
      <Descriptions.Item label={t('状态', 'Status')}>
        {m.status === 'scheduled'
          ? t('已安排', 'Scheduled')
          : m.valid
            ? t('已召开，有效', 'Held, valid')
            : `${t('已召开，无效：', 'Held, invalid: ')}${wordMeetingReason(m.reason, words)}`}
      </Descriptions.Item>
    </Descriptions>
  );
}

/** Scheduling the meeting (again, after an invalid one): its time and place. */
function ScheduleForm({ unitId }: { unitId: string }) {
  const { t } = useI18n();
  const [schedule] = Form.useForm<{ scheduledAt: string; location: string }>();
  const doSchedule = useAction({
    form: schedule,
    fields: ['scheduledAt', 'location'],
    invalidate: [unitKey(unitId)],
    success: t('会议已安排', 'Meeting scheduled'),
    fn: (v: { scheduledAt: string; location: string }) =>
      call(
        api.POST('/api/units/{id}/meeting', {
          params: { path: { id: unitId } },
          body: { scheduledAt: v.scheduledAt, location: v.location },
        }),
      ),
  });
  return (
    <Form name="MeetingPanel-1" form={schedule} layout="vertical" onFinish={doSchedule.submit} data-testid="meeting-schedule-form">
      <Typography.Title level={2} style={{ fontSize: 16 }}>
        {t('安排会议', 'Schedule the meeting')}
      </Typography.Title>
      <Space wrap align="start">
        <Form.Item name="scheduledAt" label={t('会议时间', 'Time')} rules={[{ required: true, message: t('请选择时间', 'Choose a time') }]}>
          <DateTimeInput />
        </Form.Item>
        <Form.Item
          name="location"
          label={t('地点', 'Location')}
          rules={[{ required: true, whitespace: true, message: t('请填写地点', 'Enter a location') }]}
        >
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
  );
}

/** Whether an attestation of the unit's group covers the times entered (the rule of libs/domain). */
async function attestationsCover(unit: MeetingUnit, m: Meeting, v: HeldValues): Promise<boolean> {
  // The attestations as they are now (a supervisor may have attested since this page was drawn).
  const fresh = (await call(api.GET('/api/units/{id}', { params: { path: { id: unit.id } } })).catch(() => undefined))?.meeting ?? m;
  try {
    return meetingValidity(fresh, { startedAt: v.startedAt, endedAt: v.endedAt }, unit.groupId ?? '').valid;
  } catch {
    return false;
  }
}

/** Asks before recording the meeting as held: the times, and whether it will be valid (a warning if not). */
function useConfirmHeld() {
  const { t, time } = useI18n();
  const confirm = useConfirm();
  return (v: HeldValues, covered: boolean) =>
    confirm({
      title: t('确认记录会议召开情况？', 'Record the meeting as held?'),
      okText: covered ? t('确认记录', 'Record') : t('仍然记录（会议无效）', 'Record anyway (invalid)'),
      danger: !covered,
      content: (
        <div>
          <p>
            {t('召开时间', 'Held')}: {time(v.startedAt)} — {time(v.endedAt)}
          </p>
          {covered ? (
            <p>
              {t(
                '督导组到会证明覆盖会议全程，记录后会议有效，不能再修改。',
                'An attestation covers it start to end: it will be valid, and cannot be changed.',
              )}
            </p>
          ) : (
            <Alert
              type="warning"
              showIcon
              data-testid="meeting-not-covered"
              title={t('督导组的到会证明没有覆盖这段时间', 'No attestation of the supervisory group covers these times')}
              description={t(
                '按规定，督导组成员须到会不晚于开始、离会不早于结束。现在记录，会议将被判为无效，须重新召开。',
                'A member of the group must arrive by the start and leave after the end. Recorded now, the meeting is invalid and must be reconvened.',
              )}
            />
          )}
        </div>
      ),
    });
}

/**
 * Recording the meeting as held. It is final: it asks first, and warns when no attestation of the unit's group
 * covers the times entered (libs/domain's rule, on the attestations as they are now).
 */
function useRecordHeld(unit: MeetingUnit, m: Meeting, form: FormInstance<HeldValues>) {
  const { t } = useI18n();
  const confirmHeld = useConfirmHeld();
  const doHeld = useAction({
    form,
    fields: ['startedAt', 'endedAt', 'minutes'],
    invalidate: [unitKey(unit.id)],
    success: (r) =>
      r.valid
        ? t('已记录：会议有效', 'Recorded: the meeting is valid')
        : t('已记录：会议无效，须重新召开', 'Recorded: invalid, to be reconvened'),
    fn: (v: HeldValues) =>
      call(
        api.POST('/api/units/{id}/meeting/held', {
          params: { path: { id: unit.id } },
          body: { startedAt: v.startedAt, endedAt: v.endedAt, minutes: v.minutes },
        }),
      ),
  });
  const recordHeld = async (v: HeldValues) => {
    const covered = await attestationsCover(unit, m, v);
    if (await confirmHeld(v, covered)) await doHeld.run(v);
  };
  // The check and the confirmation do not reject; the recording keeps its error in doHeld.error.
  return { doHeld, submit: (v: HeldValues) => void recordHeld(v) };
}

/** The meeting's start, end and minutes, and what its recording found. */
function HeldForm({ unit, m }: { unit: MeetingUnit; m: Meeting }) {
  const { t } = useI18n();
  const words = useWords();
  const [held] = Form.useForm<HeldValues>();
  const { doHeld, submit } = useRecordHeld(unit, m, held);
  return (
    <Form name="MeetingPanel-2" form={held} layout="vertical" onFinish={submit} data-testid="meeting-held-form">
      <Typography.Title level={2} style={{ fontSize: 16 }}>
        {t('记录会议召开情况', 'Record the meeting as held')}
      </Typography.Title>
      <Space wrap align="start">
        <Form.Item
          name="startedAt"
          label={t('开始时间', 'Started')}
          rules={[{ required: true, message: t('请选择时间', 'Choose a time') }]}
        >
          <DateTimeInput />
        </Form.Item>
        <Form.Item name="endedAt" label={t('结束时间', 'Ended')} rules={[{ required: true, message: t('请选择时间', 'Choose a time') }]}>
          <DateTimeInput />
        </Form.Item>
      </Space>
      <Form.Item
        name="minutes"
        label={t('会议记录', 'Minutes')}
        rules={[{ required: true, whitespace: true, message: t('请填写会议记录', 'Enter the minutes') }]}
      >
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
          title={
            doHeld.result.valid
              ? t('会议有效', 'The meeting is valid')
              : `${t('会议无效：', 'Invalid: ')}${wordMeetingReason(doHeld.result.reason, words)}`
          }
        />
      ) : null}
    </Form>
  );
}
