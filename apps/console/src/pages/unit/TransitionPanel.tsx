// Requesting the next phase: a 409 lists the unmet gates right here, by the button.
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Form, Input, Typography } from 'antd';
import { NEXT_PHASE, type Phase, FIELD_LIMITS } from '../../../../../libs/domain/src';
import { api, call } from '../../api/client';
import { fetchLast } from '../../api/unit-docs';
import { useI18n } from '../../i18n';
import { ErrorNote } from '../../ui/errors';
import { useAction } from '../../ui/forms';
import { docsKey, unitKey } from './useUnit';

interface UnitLike {
  id: string;
  phase: string | null;
  status: string;
  pendingTransition?: { id: string; to: string; requested: { at: string } };
}

export function TransitionPanel({ unit }: { unit: UnitLike }) {
  const { t, label } = useI18n();
  const [form] = Form.useForm<{ comment?: string }>();
  const next = unit.phase ? NEXT_PHASE[unit.phase as Phase] : null;
  const request = useAction({
    form,
    fields: ['comment'],
    invalidate: [unitKey(unit.id), docsKey(unit.id, 'transitions')],
    success: t('申请已提交，等待督导组审批', 'Requested: the supervisory group decides'),
    fn: (v: { comment?: string }) =>
      call(
        api.POST('/api/units/{id}/transitions', {
          params: { path: { id: unit.id } },
          body: { to: next as 'P2', ...(v.comment ? { comment: v.comment } : {}) },
        }),
      ),
  });
  const last = useLastDecision(unit.id);
  if (!next) return null;
  return (
    <div>
      <Typography.Title level={2} style={{ fontSize: 16 }}>
        {t('申请进入下一环节', 'Request the next phase')}
      </Typography.Title>
      {unit.pendingTransition ? (
        <PendingNote pending={unit.pendingTransition} />
      ) : (
        <Form name="TransitionPanel-1" form={form} layout="vertical" onFinish={request.submit}>
          <Form.Item name="comment" label={t('说明（可选）', 'Comment (optional)')}>
            <Input.TextArea rows={2} maxLength={FIELD_LIMITS.comment} />
          </Form.Item>
          <Button
            type="primary"
            htmlType="submit"
            loading={request.busy}
            disabled={unit.status !== 'active'}
            data-testid="request-transition"
          >
            {t(`申请进入“${label.phase(next)}”`, `Request ${label.phase(next)}`)}
          </Button>
          <ErrorNote error={request.error} />
        </Form>
      )}
      {last && last.status !== 'pending' ? <LastDecisionNote last={last} /> : null}
    </div>
  );
}

/** The latest decision on a request (the supervisor decides elsewhere: looked at again now and then). */
const useLastDecision = (unitId: string) =>
  useQuery({
    queryKey: [...docsKey(unitId, 'transitions'), 'last'],
    queryFn: () => fetchLast(unitId, 'transitions'),
    refetchInterval: 10_000,
  }).data;

/** A request already made, waiting on the supervisory group: to which phase, and since when. */
function PendingNote({ pending }: { pending: NonNullable<UnitLike['pendingTransition']> }) {
  const { t, time, label } = useI18n();
  return (
    <Alert
      type="info"
      showIcon
      data-testid="pending-transition"
      title={t(
        `进入“${label.phase(pending.to)}”的申请待督导组审批`,
        `Transition to ${label.phase(pending.to)} awaits the supervisory group`,
      )}
      description={time(pending.requested.at)}
    />
  );
}

/** How the latest request was decided: approved or rejected, with the supervisor's comment. */
function LastDecisionNote({ last }: { last: NonNullable<ReturnType<typeof useLastDecision>> }) {
  const { t, label } = useI18n();
  return (
    <Alert
      style={{ marginTop: 8 }}
      type={last.status === 'approved' ? 'success' : 'warning'}
      showIcon
      title={
        last.status === 'approved'
          ? t(`进入“${label.phase(last.to)}”已获批准`, `Transition to ${label.phase(last.to)} approved`)
          : t(`进入“${label.phase(last.to)}”被驳回`, `Transition to ${label.phase(last.to)} rejected`)
      }
      description={typeof last.decided?.comment === 'string' ? last.decided.comment : undefined}
    />
  );
}
