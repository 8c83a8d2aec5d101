// What an action of the access table (libs/domain access.ts) is taken on, as the API names it: an object outside
// the caller's reach is answered as unknown (404, like an id that does not exist, naming nobody else); only the
// audit log learns why.
import type { AccessTarget } from '../../../../libs/domain/src';

/** A unit, or something of a unit's (an item: `hidden` names it), in a 404 as the id the caller gave. */
export const onUnit = (
  unit: { id: string; groupId: string; campaignId?: string },
  hidden = { what: 'unit', id: unit.id },
): AccessTarget => ({
  unitId: unit.id,
  groupId: unit.groupId,
  ...(unit.campaignId ? { campaignId: unit.campaignId } : {}),
  hidden,
});

export const onCampaign = (campaignId: string): AccessTarget => ({ campaignId, hidden: { what: 'campaign', id: campaignId } });

export const onGroup = (group: { id: string; campaignId?: string }): AccessTarget => ({
  groupId: group.id,
  ...(group.campaignId ? { campaignId: group.campaignId } : {}),
  hidden: { what: 'group', id: group.id },
});
