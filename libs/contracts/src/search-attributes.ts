// Typed search attributes of massline workflows (keys come from @temporalio/common, which the workflow
// bundle already carries; @temporalio/workflow does not re-export defineSearchAttributeKey). Registered on the server at start (dev server flags,
// or the operator service); kept current by the workflows with upsertSearchAttributes.
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair, type TypedSearchAttributes } from '@temporalio/common';

export const campaignIdKey = defineSearchAttributeKey('MasslineCampaign', SearchAttributeType.KEYWORD);
export const unitCodeKey = defineSearchAttributeKey('MasslineUnitCode', SearchAttributeType.KEYWORD);
export const batchKey = defineSearchAttributeKey('MasslineBatch', SearchAttributeType.INT);
export const phaseKey = defineSearchAttributeKey('MasslinePhase', SearchAttributeType.KEYWORD);
export const cardKey = defineSearchAttributeKey('MasslineCard', SearchAttributeType.KEYWORD);
/** Workflow kind: campaign, unit, item, programme, plan-rollout. */
export const kindKey = defineSearchAttributeKey('MasslineKind', SearchAttributeType.KEYWORD);

export const MASSLINE_SEARCH_ATTRIBUTES = [campaignIdKey, unitCodeKey, batchKey, phaseKey, cardKey, kindKey];

/** `Name=Type` pairs for `temporal server start-dev --search-attribute`. */
export const devServerSearchAttributeFlags = (): string[] =>
  MASSLINE_SEARCH_ATTRIBUTES.map((k) => `${k.name}=${k.type === SearchAttributeType.INT ? 'Int' : 'Keyword'}`);

/** Whether a run's search attributes already hold every one of `pairs` (e.g. as it was started with them). */
export function holdsAttributes(current: TypedSearchAttributes, pairs: SearchAttributePair[]): boolean {
  return pairs.every((p) => current.get(p.key) === p.value);
}
