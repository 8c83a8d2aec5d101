// The delivery of one escalation's notices, on its own: a receiver that is down, or a worker that dies mid-send,
// delays only this workflow; the ladder that fired the rung has long moved on.
import { notifyActivities } from './activities';
import type { NotificationDeliveryInput } from '../libs/contracts/src';

export async function notificationDeliveryWorkflow(input: NotificationDeliveryInput): Promise<{ delivered: number }> {
  return notifyActivities.deliverNotifications({ escalationKey: input.escalationKey });
}
