// The one way the API, the activities and the CLI reach Temporal: connecting, starting the campaign and
// unit workflows under their deterministic ids, and registering massline's typed search attributes.
import {
  Client,
  Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type WorkflowClientInterceptor,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { SearchAttributeType, type SearchAttributePair, type SearchAttributeType as SAType } from '@temporalio/common';
import type { MasslineConfig } from '../../config/src';
import { campaignMetadata, campaignWorkflowId, unitMetadata, unitWorkflowId } from '../../domain/src';
import {
  batchKey,
  campaignIdKey,
  cardKey,
  kindKey,
  MASSLINE_SEARCH_ATTRIBUTES,
  phaseKey,
  unitCodeKey,
  type CampaignWorkflowInput,
  type NotificationDeliveryInput,
  type UnitWorkflowInput,
  WORKFLOW_TYPES,
} from '../../contracts/src';

/** Workflow id of the rollout of one plan version. */
export const planRolloutWorkflowId = (campaignId: string, version: number) => `massline-plan-${campaignId}-v${version}`;

/** Workflow id of the delivery of one escalation's notices. */
export const notificationDeliveryWorkflowId = (escalationKey: string) => `massline-notice-${escalationKey}`;

export interface TemporalTarget {
  address: string;
  namespace: string;
}

export interface TemporalHandles {
  connection: Connection;
  client: Client;
  namespace: string;
}

export interface ConnectOptions {
  /** Keep retrying for this long while the server is not yet reachable (e.g. the dev server still starting). */
  waitMs?: number;
  /** Called before each retry. */
  onRetry?: (error: unknown, attempt: number) => void;
  /** The client's workflow interceptors (the API's: trace context and request id). */
  interceptors?: WorkflowClientInterceptor[];
}

const targetOf = (config: MasslineConfig | TemporalTarget): TemporalTarget =>
  'temporal' in config ? { address: config.temporal.address, namespace: config.temporal.namespace } : config;

/** Connects to the frontend and builds a client for the namespace. Close with `connection.close()`. */
export async function connectTemporal(config: MasslineConfig | TemporalTarget, options: ConnectOptions = {}): Promise<TemporalHandles> {
  const { address, namespace } = targetOf(config);
  const deadline = Date.now() + (options.waitMs ?? 0);
  for (let attempt = 1; ; attempt++) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: '5s' });
      return {
        connection,
        client: new Client({
          connection,
          namespace,
          ...(options.interceptors ? { interceptors: { workflow: options.interceptors } } : {}),
        }),
        namespace,
      };
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      options.onRetry?.(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, Math.min(200 * attempt, 2000)));
    }
  }
}

export type StartOutcome = { workflowId: string; status: 'started' | 'exists' };

/**
 * Starts a workflow under a deterministic id, once. A second start of the same id — running or closed —
 * is refused by the server (REJECT_DUPLICATE) and reported as `exists`, so callers may retry freely.
 */
export async function startWorkflowOnce(
  client: Client,
  workflowType: string,
  options: Omit<WorkflowStartOptions, 'workflowIdReusePolicy'> & { workflowId: string },
): Promise<StartOutcome> {
  try {
    await client.workflow.start(workflowType, {
      ...options,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    } as WorkflowStartOptions);
    return { workflowId: options.workflowId, status: 'started' };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { workflowId: options.workflowId, status: 'exists' };
    throw error;
  }
}

/** Search attributes a unit workflow starts with; the workflow keeps phase and card current. */
export const unitSearchAttributes = (input: Pick<UnitWorkflowInput, 'campaignId' | 'code' | 'batch'>): SearchAttributePair[] => [
  { key: campaignIdKey, value: input.campaignId },
  { key: unitCodeKey, value: input.code },
  { key: batchKey, value: input.batch },
  { key: phaseKey, value: 'P1' },
  { key: cardKey, value: 'none' },
  { key: kindKey, value: 'unit' },
];

/** Starts a unit's lifecycle workflow (id `massline-unit-<unitId>`); `exists` if it was started before. */
export function startUnitWorkflow(client: Client, input: UnitWorkflowInput, taskQueue: string): Promise<StartOutcome> {
  return startWorkflowOnce(client, WORKFLOW_TYPES.unit, {
    workflowId: unitWorkflowId(input.unitId),
    taskQueue,
    args: [input],
    typedSearchAttributes: unitSearchAttributes(input),
    // What the Temporal Web UI lists: the unit's code and name, not only its id.
    ...unitMetadata(input),
  });
}

/** Starts a campaign's workflow (id `massline-campaign-<campaignId>`); `exists` if it was started before. */
export function startCampaignWorkflow(client: Client, input: CampaignWorkflowInput, taskQueue: string): Promise<StartOutcome> {
  return startWorkflowOnce(client, WORKFLOW_TYPES.campaign, {
    workflowId: campaignWorkflowId(input.campaignId),
    taskQueue,
    args: [input],
    ...campaignMetadata({ campaignId: input.campaignId, name: input.name, batches: input.plan.batches.map((b) => b.batch) }),
    typedSearchAttributes: [
      { key: campaignIdKey, value: input.campaignId },
      { key: kindKey, value: 'campaign' },
    ],
  });
}

/**
 * Starts (or joins, when it runs) the delivery of one escalation's queued notices. A closed delivery is started
 * again: it then finds only what is still queued (e.g. rows of a channel configured since).
 */
export async function startNotificationDelivery(client: Client, input: NotificationDeliveryInput, taskQueue: string): Promise<void> {
  await client.workflow.start(WORKFLOW_TYPES.notificationDelivery, {
    workflowId: notificationDeliveryWorkflowId(input.escalationKey),
    taskQueue,
    args: [input],
    staticSummary: `督办通知投递 / notices of escalation ${input.escalationKey.slice(input.escalationKey.lastIndexOf(':') + 1)}`,
    staticDetails: `escalation: \`${input.escalationKey}\``,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  } as WorkflowStartOptions);
}

// temporal.api.enums.v1.IndexedValueType, by SDK search attribute type.
const INDEXED_VALUE_TYPE: Record<SAType, number> = {
  [SearchAttributeType.TEXT]: 1,
  [SearchAttributeType.KEYWORD]: 2,
  [SearchAttributeType.INT]: 3,
  [SearchAttributeType.DOUBLE]: 4,
  [SearchAttributeType.BOOL]: 5,
  [SearchAttributeType.DATETIME]: 6,
  [SearchAttributeType.KEYWORD_LIST]: 7,
};

/** gRPC ALREADY_EXISTS: another process registered the same attribute between our list and add. */
const isAlreadyExists = (error: unknown) => (error as { code?: number } | null)?.code === 6;

/**
 * Registers massline's search attributes on the namespace through the operator service, for servers that
 * were not started with them. Idempotent; refuses (throws) if one exists with another type.
 * Returns the names added now.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const custom = (existing.customAttributes ?? {}) as Record<string, number>;
  const missing: Record<string, number> = {};
  for (const key of MASSLINE_SEARCH_ATTRIBUTES) {
    const wanted = INDEXED_VALUE_TYPE[key.type];
    const have = custom[key.name];
    if (have === undefined) missing[key.name] = wanted;
    else if (have !== wanted) {
      throw new Error(
        `search attribute ${key.name} exists on namespace ${namespace} with type ${have}, massline needs ${wanted} (${key.type})`,
      );
    }
  }
  const names = Object.keys(missing);
  if (!names.length) return [];
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  return names;
}
