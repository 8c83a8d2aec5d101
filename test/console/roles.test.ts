// Each role's main path through the console, in a real browser against the real stack (no mocked API):
// the office creates a campaign, enrols from a file and starts it; a unit takes P1 → P2 and holds a meeting a
// supervisor attended; the supervisor decides from the inbox; a citizen reads a disclosed task book and
// objects; the unit answers; an auditor opens the timeline and runs a replay. Every page visited is checked
// with axe-core (no serious or critical violation); each path saves a screenshot.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { OFFICE_TOKEN, startApi, type ApiUnderTest } from '../api/harness';
import { eventually } from '../support/eventually';
import { buildWorld, type World } from '../api/world';
import {
  answerConfirmation,
  axeAudits,
  closeBrowser,
  launchBrowser,
  newPerson,
  pick,
  screenshot,
  signInWithLink as signInByLink,
  signInWithToken,
} from './browser';
import { ifSet } from '../support/if-set';

// A loaded machine slows a browser a lot: generous bounds, every wait on a condition.
jest.setTimeout(300_000);

let api: ApiUnderTest;
let browser: Browser;
let world: World;
const { audit, expectNone: expectNoSeriousViolations } = axeAudits();

beforeAll(async () => {
  api = await startApi({ worker: true });
  browser = await launchBrowser();
  // A second campaign, driven over HTTP where a path needs another role's earlier steps (disclosure: 1 h).
  world = await buildWorld(api, { disclosure: 'PT1H' }, 4);
}, 180_000);

afterAll(async () => {
  await closeBrowser(ifSet(browser));
  await ifSet(api)?.close();
});

const as = (token: string | undefined) => (method: string, p: string, body?: unknown) => api.call(method, p, { token, body });

const signInWithLink = (page: Page, principalId: string) => signInByLink(page, api, principalId);

describe('the console', () => {
  it('office: creates a campaign with the plan editor, enrols units from a CSV file, starts it and sees the dashboard', async () => {
    const { context, page } = await newPerson(browser, api.url);
    try {
      await page.goto('/');
      await page.getByRole('heading', { name: '整改任务书公示' }).waitFor();
      await audit(page, 'public home');
      await signInWithToken(page, OFFICE_TOKEN);
      await page.waitForURL('**/office');
      await audit(page, 'office campaigns');

      await page.getByTestId('new-campaign').click();
      await page.getByTestId('plan-timeline').waitFor();
      await audit(page, 'plan editor');
      // In human terms: the red card 14 days overdue, the reminder 7 days before (no ISO-8601 codes).
      expect(await page.getByLabel('红牌警示：天数').first().inputValue()).toBe('14');
      expect(await page.getByLabel('到期提醒：天数').inputValue()).toBe('7');
      await page.getByText('截止前').first().waitFor();
      // The timeline's first month is the month the plan starts in (the campaign's zone).
      const thisMonth = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
      expect(await page.getByTestId('plan-timeline').locator('[data-month]').first().getAttribute('data-month')).toBe(thisMonth);
      // The plan's own years: one without an official arrangement says so, and the office loads it as data.
      const year = Number(thisMonth.slice(0, 4));
      const missing = page.getByTestId('holiday-years').locator(`[data-year="${year}"][data-loaded="false"]`);
      await missing.getByText(`${year}年尚未载入官方节假日安排`).waitFor();
      await page.getByTestId(`load-holidays-${year}`).click();
      await page.getByLabel('依据（通知文号）').fill('国办发明电（测试）');
      await page.getByLabel('放假日期（YYYY-MM-DD，逗号或换行分隔）').fill(`${year}-10-01, ${year}-10-02, ${year}-10-03`);
      await page.getByRole('button', { name: '载入', exact: true }).last().click();
      await page.getByTestId('holiday-years').locator(`[data-year="${year}"][data-loaded="true"]`).waitFor();
      expect(await page.getByLabel('节假日（YYYY-MM-DD，逗号分隔）').inputValue()).toContain(`${year}-10-01`);
      // An error names its field: a phase window ending before it starts is refused next to that field.
      const p1End = page.locator('#plan_batches_0_phases_P1_endsAt');
      const p1EndValue = await p1End.inputValue();
      await pick(p1End, '2000-01-01');
      await page.getByLabel('活动名称').fill('2013年群众路线教育实践活动');
      await page.getByTestId('create-campaign').click();
      // Worded in Chinese, on the field it names.
      await page
        .locator('#plan_batches_0_phases_P1_endsAt_help')
        .getByText(/截止日期须晚于开始日期|环节/)
        .waitFor();
      await pick(p1End, p1EndValue);
      await page.getByTestId('create-campaign').click();
      await page.getByTestId('campaign-name').filter({ hasText: '2013年群众路线教育实践活动' }).waitFor();
      const campaignId = page.url().split('/').pop()!.split('?')[0];

      await page.getByRole('tab', { name: '督导组' }).click();
      await page.getByLabel('督导组名称').fill('第一督导组');
      await page.getByRole('button', { name: '组建督导组', exact: true }).click();
      await page.getByRole('cell', { name: '第一督导组' }).waitFor();
      // The form is reset for the next group, and none of its fields is left in error.
      expect(await page.getByLabel('督导组名称').inputValue()).toBe('');
      expect(await page.locator('.ant-form-item-has-error').count()).toBe(0);

      await page.getByRole('tab', { name: '单位报名' }).click();
      const csv = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'massline-enrol-')), 'units.csv');
      fs.writeFileSync(
        csv,
        '代码,名称,类型,层级,督导组\nHZ-001,市财政局,机关,市级,第一督导组\nHZ-002,市交通集团,企业,市级,第一督导组\nHZ-003,"西湖区 某街道",基层组织,区县,第一督导组\nbad code,坏行,机关,市级,第一督导组\n',
      );
      const chooser = page.waitForEvent('filechooser');
      await page.getByTestId('enrol-file-button').click();
      await (await chooser).setFiles(csv);
      await page.getByText('units.csv：4 行').waitFor();
      await page.getByTestId('enrol-submit').click();
      const progress = page.getByTestId('enrol-progress');
      await progress.getByText('新报名 3').waitFor();
      await progress.getByText('出错 1').waitFor();
      // Three of four in: not a failure (no red bar), the row in error says why below.
      expect(await progress.locator('.ant-progress-status-exception').count()).toBe(0);
      // The refused row says why, on its line.
      await page
        .getByTestId('enrol-results')
        .getByRole('row', { name: /bad code/ })
        .getByText(/code/)
        .first()
        .waitFor();
      await audit(page, 'enrolment');

      await page.getByTestId('start-campaign').click();
      await answerConfirmation(page, 'ok', /3 个参加单位/);
      await page.getByTestId('campaign-status').filter({ hasText: '进行中' }).waitFor();
      await page.getByRole('tab', { name: '总览' }).click();
      const lights = page.getByTestId('lights');
      await lights.and(page.locator('[data-count="3"]')).waitFor();
      // Batch 1 opens today: its two municipal units light up green in P1, the grassroots unit waits for batch 2.
      await eventually(
        async () => ((await lights.getByRole('link', { name: /P1, 正常/ }).count()) === 2 ? true : undefined),
        'two lights green',
        180_000,
      );
      await audit(page, 'dashboard');
      await screenshot(page, 'office-dashboard');

      // A sign-in link for a unit principal made by the office.
      await page.getByRole('tab', { name: '人员与登录链接' }).click();
      await page.getByTestId('principal-form').getByLabel('姓名').fill('财政局联络员');
      await page.getByTestId('principal-form').getByLabel('单位').click();
      await page.getByTitle('HZ-001 市财政局').click();
      await page.getByTestId('principal-form').getByRole('button', { name: '新增' }).click();
      const link = page.getByTestId('sign-in-link').first();
      await link.waitFor();
      expect(await link.textContent()).toMatch(/\/sign-in#code=sl_/);
      await audit(page, 'principals');
      const units = await as(OFFICE_TOKEN)('GET', `/api/campaigns/${campaignId}/units`);
      expect(units.body.total).toBe(3);
      expectNoSeriousViolations();
    } catch (e) {
      await screenshot(page, 'failed-office').catch(() => undefined);
      throw e;
    } finally {
      await context.close();
    }
  });

  /** `YYYY-MM-DD HH:mm` in China, as a date-time picker of the campaign (+08:00) takes it. */
  const shanghai = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
  const minutesAgo = (m: number) => Date.now() - m * 60_000;

  it('unit: a refused request names the unmet gates beside it; P1 records, P2 granted, the problem, and a meeting the supervisor attended', async () => {
    const { context, page } = await newPerson(browser, api.url);
    const U = `/api/units/${world.unitA}`;
    try {
      await signInWithLink(page, world.ids.unitA);
      await page.waitForURL('**/unit');
      await page.getByTestId('unit-title').waitFor();
      await audit(page, 'unit home');
      // Too early: the 409 lists the gates still unmet, next to the button.
      await page.getByTestId('request-transition').click();
      const refusal = page.getByRole('alert').filter({ has: page.locator('[data-rule="gate.P2.study-record"]') });
      await refusal.getByText('进入第二环节前须至少有一条学习记录').waitFor();
      await refusal.getByText('至少收到一条意见').waitFor();

      const records = page.getByTestId('record-form');
      await records.getByLabel('标题').fill('学习党章和八项规定');
      await records.getByRole('button', { name: '添加记录' }).click();
      await page.getByRole('cell', { name: '学习党章和八项规定' }).waitFor();
      await records.getByLabel('类别').click();
      await page.getByTitle('征求意见报告').click();
      await records.getByLabel('标题').fill('征求意见情况报告');
      await records.getByRole('button', { name: '添加记录' }).click();
      await page.getByRole('cell', { name: '征求意见情况报告' }).waitFor();
      // An opinion arrives through the public channel.
      expect((await as(undefined)('POST', `${U}/opinions`, { text: '少开会，多下基层', contact: '西湖区居民' })).status).toBe(202);
      await page.getByTestId('gate-gate.P2.opinion').and(page.locator('[data-met="true"]')).waitFor();
      await page.getByTestId('request-transition').click();
      await page.getByTestId('pending-transition').waitFor();
      const pending = (await as(world.tokens.office)('GET', U)).body.pendingTransition;
      expect(
        (await as(world.tokens.supA)('POST', `${U}/transitions/${pending.id}/decision`, { approve: true, comment: '第一环节材料齐全' }))
          .status,
      ).toBe(200);
      await page.getByText('进入“查摆问题、开展批评”已获批准').waitFor();

      // P2: a problem with its source and "four winds" category, the comparison-check materials.
      await page.getByRole('tab', { name: '查摆问题' }).click();
      const problems = page.getByTestId('problem-form');
      await problems.getByLabel('问题').fill('文山会海，会议过多');
      await problems.getByLabel('来源').click();
      await page.getByTitle('群众提').click();
      await problems.getByLabel('类别').click();
      await page.getByTitle('形式主义').click();
      await problems.getByRole('button', { name: '添加问题' }).click();
      await page.getByRole('cell', { name: '文山会海，会议过多' }).waitFor();
      await page.getByRole('tab', { name: '学习与报告' }).click();
      await records.getByLabel('类别').click();
      await page.getByTitle('对照检查材料').click();
      await records.getByLabel('标题').fill('领导班子对照检查材料');
      await records.getByRole('button', { name: '添加记录' }).click();
      await page.getByRole('cell', { name: '领导班子对照检查材料' }).waitFor();

      // The meeting: scheduled here, attended start to end by supervisor A, recorded held: valid.
      await page.getByRole('tab', { name: '专题民主生活会' }).click();
      const schedule = page.getByTestId('meeting-schedule-form');
      await pick(schedule.getByLabel('会议时间'), shanghai(minutesAgo(120)));
      await schedule.getByLabel('地点').fill('三楼会议室');
      await schedule.getByRole('button', { name: '安排' }).click();
      await page.getByTestId('meeting').getByText('三楼会议室').waitFor();
      const arrived = new Date(minutesAgo(110)).toISOString();
      const left = new Date(minutesAgo(10)).toISOString();
      // Another member of group A attends this one (a supervisor is in one room at a time: supervisor A
      // attests unit U-2's meeting, at the same hour, from the inbox below).
      const colleague = await as(world.tokens.office)('POST', '/api/principals', {
        name: 'supervisor A2',
        role: 'supervisor',
        groupId: world.groupA,
      });
      expect((await as(colleague.body.token)('POST', `${U}/meeting/attendance`, { arrivedAt: arrived, leftAt: left })).status).toBe(200);
      const held = page.getByTestId('meeting-held-form');
      await pick(held.getByLabel('开始时间'), shanghai(minutesAgo(100)));
      await pick(held.getByLabel('结束时间'), shanghai(minutesAgo(20)));
      await held.getByLabel('会议记录').fill('开展批评与自我批评，督导组全程参与');
      await held.getByRole('button', { name: '提交' }).click();
      // Recording is final: it asks first (the attestation covers the meeting: no warning).
      await answerConfirmation(page, 'ok', /覆盖会议全程/);
      await page.getByTestId('meeting').getByText('已召开，有效').waitFor();
      for (const gate of ['gate.P3.problem', 'gate.P3.comparison-check', 'gate.P3.valid-meeting']) {
        await page.getByTestId(`gate-${gate}`).and(page.locator('[data-met="true"]')).waitFor();
      }
      await audit(page, 'unit meeting');
      await screenshot(page, 'unit-p2-meeting');
      // The request to P3 now waits in the supervisor's inbox.
      await page.getByTestId('request-transition').click();
      await page.getByTestId('pending-transition').waitFor();
      expectNoSeriousViolations();
    } catch (e) {
      await screenshot(page, 'failed-unit').catch(() => undefined);
      throw e;
    } finally {
      await context.close();
    }
  });

  it('supervisor: decides a transition and attests a meeting from the inbox, oldest first, each with its reason', async () => {
    // Unit U-2 (group A) in P2 with its meeting scheduled; unit U-0's request to P3 came earlier.
    const unit2 = (
      await as(world.tokens.office)('GET', `/api/campaigns/${world.campaignId}/units?groupId=${world.groupA}`)
    ).body.items.find((u: { code: string }) => u.code === 'U-2').id as string;
    const u2 = (await as(world.tokens.office)('POST', '/api/principals', { name: '单位二', role: 'unit', unitId: unit2 })).body
      .token as string;
    const U2 = `/api/units/${unit2}`;
    const unit = as(u2);
    await unit('POST', `${U2}/records`, { kind: 'study', title: '学习' });
    await unit('POST', `${U2}/records`, { kind: 'solicitation-report', title: '报告' });
    await as(undefined)('POST', `${U2}/opinions`, { text: '意见' });
    const tr = await unit('POST', `${U2}/transitions`, { to: 'P2' });
    await as(world.tokens.supA)('POST', `${U2}/transitions/${tr.body.id}/decision`, { approve: true, comment: '同意' });
    const meetingAt = minutesAgo(30);
    expect((await unit('POST', `${U2}/meeting`, { scheduledAt: new Date(meetingAt).toISOString(), location: '二楼会议室' })).status).toBe(
      201,
    );

    const { context, page } = await newPerson(browser, api.url);
    try {
      await signInWithLink(page, world.ids.supA);
      await page.waitForURL('**/inbox');
      const transition = page.getByTestId('inbox-transition').filter({ hasText: 'U-0' });
      const meeting = page.getByTestId('inbox-meeting').filter({ hasText: 'U-2' });
      await transition.waitFor();
      await meeting.waitFor();
      // Oldest first: U-0's request waited longer than U-2's meeting.
      const cards = await page.locator('[data-testid^="inbox-"]').allTextContents();
      expect(cards.findIndex((c) => c.includes('U-0'))).toBeLessThan(cards.findIndex((c) => c.includes('U-2')));
      await audit(page, 'supervisor inbox');
      await screenshot(page, 'supervisor-inbox');

      // A decision without a reason is refused beside the button, before anything is sent.
      await transition.getByRole('button', { name: '批准' }).click();
      await transition.getByText('请说明理由').waitFor();
      await transition.getByLabel('理由（记入历史）').fill('民主生活会督导组全程参与，第二环节材料齐全');
      // The materials behind the request can be read before deciding.
      await transition.getByText('查看单位的材料').click();
      await transition.getByTestId('evidence-meeting').getByText('开展批评与自我批评，督导组全程参与').waitFor();
      await transition.getByRole('button', { name: '批准' }).click();
      await answerConfirmation(page, 'ok', /批准后单位立即进入下一环节/);
      await transition.waitFor({ state: 'detached' });
      // The read model follows the unit's projection: P3 once that has landed.
      await eventually(
        async () => ((await as(world.tokens.office)('GET', `/api/units/${world.unitA}`)).body.phase === 'P3' ? true : undefined),
        'unit A in P3',
      );

      await pick(meeting.getByLabel('到会时间'), shanghai(meetingAt - 5 * 60_000));
      await pick(meeting.getByLabel('离会时间'), shanghai(Date.now() - 60_000));
      await meeting.getByRole('button', { name: '证明到会' }).click();
      await meeting.waitFor({ state: 'detached' });
      const view = (await as(world.tokens.office)('GET', U2)).body;
      expect(view.meeting.attendance).toHaveLength(1);
      // The unit's gates and history are one click away.
      await page.goto(`/units/${world.unitA}`);
      await page.getByTestId('timeline-link').waitFor();
      await audit(page, 'unit detail (supervisor)');
      expectNoSeriousViolations();
    } catch (e) {
      await screenshot(page, 'failed-supervisor').catch(() => undefined);
      throw e;
    } finally {
      await context.close();
    }
  });

  it('unit: draws up the task book with an item linked to its problem, and publishes it for disclosure', async () => {
    const { context, page } = await newPerson(browser, api.url);
    try {
      await signInWithLink(page, world.ids.unitA);
      await page.getByRole('tab', { name: '整改任务书' }).click();
      const book = page.getByTestId('task-book-form');
      await book.getByLabel('主要负责人签字（一把手负责制）').fill('党委书记 王某');
      await book.getByLabel('针对的问题').click();
      await page.getByTitle('文山会海，会议过多 (形式主义)').click();
      await book.getByLabel('整改措施').fill('会议数量压缩三分之一');
      await book.getByLabel('责任人').fill('办公室主任 李某');
      const deadline = new Date(Date.now() + 20 * 86_400_000 + 8 * 3600_000).toISOString().slice(0, 10);
      await pick(book.getByLabel('完成时限'), deadline);
      await page.getByTestId('save-task-book').click();
      await page.getByTestId('task-book-status').getByText('草稿').waitFor();
      await audit(page, 'task book editor');
      await page.getByTestId('publish-task-book').click();
      await answerConfirmation(page, 'ok', /锁定/);
      await page.getByTestId('task-book-status').getByText('公示中').waitFor();
      expectNoSeriousViolations();
    } catch (e) {
      await screenshot(page, 'failed-task-book').catch(() => undefined);
      throw e;
    } finally {
      await context.close();
    }
  });

  it('citizen, without signing in: reads the disclosed task book (items, owners, deadlines) and files an objection', async () => {
    const { context, page } = await newPerson(browser, api.url);
    try {
      await page.goto('/');
      await page.getByRole('link', { name: 'rehearsal' }).click();
      await page.getByRole('link', { name: 'U-0 unit 0' }).click();
      const book = page.getByTestId('public-task-book');
      await book.getByRole('cell', { name: '会议数量压缩三分之一' }).waitFor();
      await book.getByRole('cell', { name: '办公室主任 李某' }).waitFor();
      await book.getByText('党委书记 王某').waitFor();
      await audit(page, 'public task book');
      // An empty objection is refused on its field; a real one is filed.
      await page.getByRole('button', { name: '提交异议' }).click();
      await page.getByText('请填写异议内容').waitFor();
      await page.getByLabel('异议内容').fill('压缩会议的时限太长，建议提前');
      await page.getByRole('button', { name: '提交异议' }).click();
      await page.getByRole('status').filter({ hasText: '异议已提交' }).waitFor();
      await screenshot(page, 'citizen-task-book');
      // The same page in English, on the header's switch (and it stays English on the next page).
      await page.getByText('English', { exact: true }).click();
      await page.getByRole('heading', { name: 'Rectification task book' }).waitFor();
      await page.getByRole('button', { name: 'Submit objection' }).waitFor();
      await audit(page, 'public task book (English)');
      await page.getByRole('link', { name: 'Public disclosure' }).click();
      await page.getByRole('heading', { name: 'Rectification task books, disclosed' }).waitFor();
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      // No personal data on the public routes: no contact, no principal's id.
      const pub = await as(undefined)('GET', `/api/public/units/${world.unitA}/task-book`);
      expect(JSON.stringify(pub.body)).not.toContain(world.ids.unitA);
      expectNoSeriousViolations();
    } catch (e) {
      await screenshot(page, 'failed-citizen').catch(() => undefined);
      throw e;
    } finally {
      await context.close();
    }
  });

  it('unit: answers the objection, and the public page shows the answer', async () => {
    const { context, page } = await newPerson(browser, api.url);
    try {
      await signInWithLink(page, world.ids.unitA);
      await page.getByRole('tab', { name: '整改任务书' }).click();
      const objection = page.getByTestId('objection').filter({ hasText: '压缩会议的时限太长' });
      await objection.getByLabel('答复').fill('已将时限提前至本月底');
      await objection.getByRole('button', { name: '答复' }).click();
      await objection.getByText('已答复：已将时限提前至本月底').waitFor();
      await audit(page, 'unit objections');
      await page.goto(`/public/units/${world.unitA}`);
      await page.getByText('已将时限提前至本月底').waitFor();
      expectNoSeriousViolations();
    } catch (e) {
      await screenshot(page, 'failed-answer').catch(() => undefined);
      throw e;
    } finally {
      await context.close();
    }
  });

  it('auditor: opens a unit timeline with its refusal, downloads the history, runs a replay to the end and reconciles', async () => {
    const { context, page } = await newPerson(browser, api.url);
    try {
      await signInWithLink(page, world.ids.auditor);
      await page.waitForURL('**/audit');
      await page.getByRole('combobox', { name: '活动' }).click();
      await page.getByTitle('rehearsal').click();
      await page.getByRole('link', { name: 'unit 0' }).click();
      const timeline = page.getByTestId('timeline');
      await timeline.locator('[data-rule="gate.P2.study-record"]').getByText('进入第二环节前须至少有一条学习记录').first().waitFor();
      await timeline.getByText('第一环节材料齐全').waitFor();
      await audit(page, 'auditor timeline');
      // To the second, in the campaign's zone; filtered to the refusals, every row is one.
      expect(await timeline.locator('tbody tr.ant-table-row').first().locator('td').first().innerText()).toMatch(
        /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/,
      );
      await page.getByRole('combobox', { name: '结果' }).click();
      await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').getByTitle('被拒绝').click();
      const rows = timeline.locator('tbody tr.ant-table-row');
      await rows.first().waitFor();
      expect(await rows.count()).toBe(await rows.filter({ hasText: '被拒绝' }).count());
      const download = page.waitForEvent('download');
      await page.getByTestId('download-history').click();
      const file = await (await download).path();
      const history = JSON.parse(fs.readFileSync(file, 'utf8'));
      expect(history.events[0].eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
      await screenshot(page, 'auditor-timeline');

      await page.goBack();
      await page.getByTestId('start-replay').click();
      const job = page.getByTestId('replay-job').and(page.locator('[data-status="done"]'));
      await job.waitFor({ timeout: 120_000 });
      await job.getByText('全部一致').waitFor();
      await page.getByTestId('reconcile').click();
      await page.getByRole('status').filter({ hasText: '不一致 0 处' }).waitFor();
      await audit(page, 'auditor desk');
      expectNoSeriousViolations();
    } catch (e) {
      await screenshot(page, 'failed-auditor').catch(() => undefined);
      throw e;
    } finally {
      await context.close();
    }
  });
});
