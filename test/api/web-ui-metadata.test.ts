// The Temporal Web UI is the operators' console too: every workflow starts with a summary and details that
// name what it is (unit code and name, campaign, programme, rectification item), so its list reads like the
// console's, and a unit or an item keeps its current details (phase or status, card, deadline) up to date.
import { apiContextOf } from '../../apps/api/src/main';
import { campaignWorkflowId, itemWorkflowId, programmeWorkflowId, unitWorkflowId } from '../../libs/domain/src';
import { driveToEffectiveTaskBook } from './drive';
import { startApi, type ApiUnderTest } from './harness';
import { eventually } from '../support/eventually';
import { buildWorld, type World } from './world';
import { ifSet } from '../support/if-set';

let api: ApiUnderTest;
let w: World;
beforeAll(async () => {
  api = await startApi({ worker: true });
  w = await buildWorld(api, { disclosure: 'PT2S' });
}, 120_000);
afterAll(async () => ifSet(api)?.close());

const described = async (workflowId: string) => {
  const d = await apiContextOf(api.app).temporal.workflow.getHandle(workflowId).describe();
  return { summary: await d.staticSummary(), details: await d.staticDetails() };
};
/** What the Web UI shows as a running workflow's current details (the SDK's metadata query). */
const currentDetails = async (workflowId: string) =>
  (await apiContextOf(api.app).temporal.workflow.getHandle(workflowId).query<{ currentDetails?: string }>('__temporal_workflow_metadata'))
    .currentDetails ?? '';

it('a unit and its campaign are listed by name, not by id', async () => {
  const unit = await described(unitWorkflowId(w.unitA));
  expect(unit.summary).toBe('参加单位 U-0 unit 0（第一批）');
  expect(unit.details).toContain('**参加单位 / Unit** U-0 unit 0');
  const campaign = await described(campaignWorkflowId(w.campaignId));
  expect(campaign.summary).toBe('教育实践活动 rehearsal');
  expect(campaign.details).toContain('第一批、第二批');
});

it('a programme is listed with its track and lead leader, its goals in the details', async () => {
  const created = await api.call('POST', '/api/programmes', {
    token: w.tokens.office,
    body: {
      name: '三改一拆',
      track: 'action',
      leadLeader: '陈副市长',
      leadUnitId: w.unitA,
      responsibleUnitIds: [],
      goals: [{ title: '摸清底数', dueAt: new Date(Date.now() + 3_600_000).toISOString() }],
    },
  });
  expect(created.status).toBe(201);
  const programme = await described(programmeWorkflowId(created.body.id));
  expect(programme.summary).toBe('九大行动 三改一拆 · 牵头市领导 陈副市长');
  expect(programme.details).toContain('1. 摸清底数');
});

it('a rectification item is listed by its unit, number and owner; unit and item keep their current details', async () => {
  const unitId = unitWorkflowId(w.unitA);
  expect(await currentDetails(unitId)).toMatch(/^环节 \/ Phase: P1 .* · 亮牌 \/ Card: .* · 时限 \/ Window ends: /);
  const deadline = new Date(Date.now() + 3_600_000).toISOString();
  const {
    itemIds: [itemId],
  } = await driveToEffectiveTaskBook(api, w, [{ measure: 'Cut meetings by a third', owner: 'Office director Li', deadline }]);
  const item = await eventually(
    async () => (await described(itemWorkflowId(itemId)).catch(() => undefined))?.summary || undefined,
    'the item started',
  );
  expect(item).toBe('整改事项 U-0 第1项 · 责任人 Office director Li');
  expect(
    await eventually(
      async () =>
        /^状态 \/ Status: /.test(await currentDetails(itemWorkflowId(itemId))) ? currentDetails(itemWorkflowId(itemId)) : undefined,
      'item details',
    ),
  ).toContain(`时限 / Deadline: ${deadline}`);
  // The unit moved on to P3: its details follow.
  expect(await currentDetails(unitId)).toMatch(/^环节 \/ Phase: P3 /);
}, 240_000);
