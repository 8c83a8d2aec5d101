// The console as an office would put it in front of its people (issue: confirm, speak Chinese, find any unit, work
// on a phone), in Chromium against the real stack, on a campaign whose names are Chinese:
// - every irreversible decision asks first, says what will happen, and cancelling changes nothing;
// - no page of any role shows a UUID, a rule id, a `Z` time or an English sentence in zh-CN;
// - the units table finds a unit by name among 10,000 within its paging, sorts, and exports the filtered list;
// - the public pages at 390 px have no horizontal scroll (axe-core checks them there too);
// - a supervisor's attestation entered on a browser set to UTC lands at the +08:00 moment shown;
// - a campaign is listed publicly only once published; an empty campaign says what is missing and cannot start.
import * as fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { compressedPlan } from '../api/plans';
import { OFFICE_TOKEN, startApi, type ApiUnderTest } from '../api/harness';
import { eventually } from '../support/eventually';
import {
  answerConfirmation,
  axeAudits,
  closeBrowser,
  launchBrowser,
  newPerson,
  pick,
  screenshot,
  signInWithLink,
  signInWithToken,
} from './browser';
import { REFUSALS } from '../../apps/console/src/refusals';
import { GATES } from '../../libs/domain/src';
import { apiContextOf } from '../../apps/api/src/main';
import { ifSet } from '../support/if-set';

jest.setTimeout(400_000);

let api: ApiUnderTest;
let browser: Browser;
const { audit, expectNone: expectNoSeriousViolations } = axeAudits();

const as = (token: string | undefined) => (method: string, p: string, body?: unknown) => api.call(method, p, { token, body });
const office = as(OFFICE_TOKEN);
const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();
/** `YYYY-MM-DD HH:mm` at +08:00 (the campaign's zone), what its pickers take. */
const at8 = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
/** The instant of such a wall-clock minute. */
const instantOf8 = (wall: string) => Date.parse(`${wall.replace(' ', 'T')}:00+08:00`);

interface Cn {
  campaignId: string;
  groups: string[];
  units: Record<'caizheng' | 'jiaotong' | 'jiaoyu' | 'jiedao', string>;
  tokens: Record<'caizheng' | 'jiaotong' | 'jiaoyu' | 'sup1' | 'sup1b' | 'sup2' | 'auditor', { id: string; token: string }>;
  itemId?: string;
}
let cn: Cn;

async function principal(body: object) {
  const r = await office('POST', '/api/principals', body);
  expect(r.status).toBe(201);
  return { id: r.body.id as string, token: r.body.token as string };
}

/** A running campaign with Chinese names: four units, two groups, a principal of each role. */
async function chineseCampaign(): Promise<Cn> {
  const c = await office('POST', '/api/campaigns', { name: '2026年群众路线教育实践活动', plan: compressedPlan({ disclosure: 'PT3S' }) });
  expect(c.status).toBe(201);
  const campaignId = c.body.id as string;
  const g1 = (await office('POST', `/api/campaigns/${campaignId}/groups`, { name: '第一督导组' })).body.id as string;
  const g2 = (await office('POST', `/api/campaigns/${campaignId}/groups`, { name: '第二督导组' })).body.id as string;
  const enrol = await office('POST', `/api/campaigns/${campaignId}/units`, {
    units: [
      { code: 'HZ-001', name: '市财政局', kind: 'organ', level: 'municipal', groupId: g1 },
      { code: 'HZ-002', name: '市交通局', kind: 'organ', level: 'municipal', groupId: g2 },
      { code: 'HZ-003', name: '市教育局', kind: 'organ', level: 'municipal', groupId: g1 },
      { code: 'HZ-004', name: '西湖区某街道', kind: 'grassroots', level: 'district', groupId: g2 },
    ],
  });
  const [caizheng, jiaotong, jiaoyu, jiedao] = enrol.body.results.map((r: { id: string }) => r.id);
  const tokens = {
    caizheng: await principal({ name: '财政局联络员', role: 'unit', unitId: caizheng }),
    jiaotong: await principal({ name: '交通局联络员', role: 'unit', unitId: jiaotong }),
    jiaoyu: await principal({ name: '教育局联络员', role: 'unit', unitId: jiaoyu }),
    sup1: await principal({ name: '第一督导组组长', role: 'supervisor', groupId: g1 }),
    sup1b: await principal({ name: '第一督导组副组长', role: 'supervisor', groupId: g1 }),
    sup2: await principal({ name: '第二督导组组长', role: 'supervisor', groupId: g2 }),
    auditor: await principal({ name: '审计员', role: 'auditor' }),
  };
  expect((await office('POST', `/api/campaigns/${campaignId}/start`)).status).toBe(202);
  for (const id of [caizheng, jiaotong, jiaoyu]) {
    await eventually(
      async () => ((await office('GET', `/api/units/${id}`)).body.status === 'active' ? true : undefined),
      `unit ${id} running`,
    );
  }
  return { campaignId, groups: [g1, g2], units: { caizheng, jiaotong, jiaoyu, jiedao }, tokens };
}

/** A unit through P1 (records, an opinion, approved by its group's supervisor). */
async function throughP1(unitId: string, unitToken: string, supToken: string) {
  const U = `/api/units/${unitId}`;
  const unit = as(unitToken);
  expect((await unit('POST', `${U}/records`, { kind: 'study', title: '学习党章和八项规定' })).status).toBe(201);
  expect((await unit('POST', `${U}/records`, { kind: 'solicitation-report', title: '征求意见情况报告' })).status).toBe(201);
  expect((await as(undefined)('POST', `${U}/opinions`, { text: '少开会，多下基层', contact: '居民甲' })).status).toBe(202);
  const t = await unit('POST', `${U}/transitions`, { to: 'P2' });
  expect(
    (await as(supToken)('POST', `${U}/transitions/${t.body.id}/decision`, { approve: true, comment: '第一环节材料齐全' })).status,
  ).toBe(200);
}

/** A unit in P2 with a problem, the comparison-check materials and a meeting scheduled 40 minutes ago. */
async function toScheduledMeeting(unitId: string, unitToken: string) {
  const U = `/api/units/${unitId}`;
  const unit = as(unitToken);
  expect((await unit('POST', `${U}/problems`, { title: '文山会海，会议过多', source: 'masses', category: 'formalism' })).status).toBe(201);
  expect((await unit('POST', `${U}/records`, { kind: 'comparison-check', title: '领导班子对照检查材料' })).status).toBe(201);
  expect((await unit('POST', `${U}/meeting`, { scheduledAt: iso(-40 * 60_000), location: '三楼会议室' })).status).toBe(201);
}

beforeAll(async () => {
  api = await startApi({ worker: true });
  browser = await launchBrowser();
  cn = await chineseCampaign();
  // 市财政局: to P3 with a draft task book whose one item falls due in a minute (its ladder then runs to referral).
  const A = `/api/units/${cn.units.caizheng}`;
  await throughP1(cn.units.caizheng, cn.tokens.caizheng.token, cn.tokens.sup1.token);
  await toScheduledMeeting(cn.units.caizheng, cn.tokens.caizheng.token);
  // (by the group's deputy: its head attests 市教育局's meeting at the same hour, and is in one room at a time)
  expect(
    (await as(cn.tokens.sup1b.token)('POST', `${A}/meeting/attendance`, { arrivedAt: iso(-45 * 60_000), leftAt: iso(-2 * 60_000) })).status,
  ).toBe(200);
  expect(
    (
      await as(cn.tokens.caizheng.token)('POST', `${A}/meeting/held`, {
        startedAt: iso(-40 * 60_000),
        endedAt: iso(-5 * 60_000),
        minutes: '开展批评与自我批评',
      })
    ).body.valid,
  ).toBe(true);
  const t = await as(cn.tokens.caizheng.token)('POST', `${A}/transitions`, { to: 'P3' });
  expect(
    (await as(cn.tokens.sup1.token)('POST', `${A}/transitions/${t.body.id}/decision`, { approve: true, comment: '第二环节材料齐全' }))
      .status,
  ).toBe(200);
  const problems = await as(cn.tokens.caizheng.token)('GET', `${A}/problems`);
  const book = await as(cn.tokens.caizheng.token)('PUT', `${A}/task-book`, {
    signedBy: '党组书记 王某',
    items: [{ problemIds: [problems.body.items[0].id], measure: '会议数量压缩三分之一', owner: '办公室主任 李某', deadline: iso(90_000) }],
  });
  expect(book.status).toBe(200);
  cn.itemId = book.body.items[0].id;
  // 市教育局: in P2 with its meeting scheduled, no attestation yet (the UTC supervisor attests it).
  await throughP1(cn.units.jiaoyu, cn.tokens.jiaoyu.token, cn.tokens.sup1.token);
  await toScheduledMeeting(cn.units.jiaoyu, cn.tokens.jiaoyu.token);
  // 市交通局: its request to enter P2 waits for its group.
  const J = `/api/units/${cn.units.jiaotong}`;
  await as(cn.tokens.jiaotong.token)('POST', `${J}/records`, { kind: 'study', title: '学习' });
  await as(cn.tokens.jiaotong.token)('POST', `${J}/records`, { kind: 'solicitation-report', title: '报告' });
  await as(undefined)('POST', `${J}/opinions`, { text: '意见' });
  expect((await as(cn.tokens.jiaotong.token)('POST', `${J}/transitions`, { to: 'P2' })).status).toBe(201);
}, 240_000);

afterAll(async () => {
  await closeBrowser(ifSet(browser));
  await ifSet(api)?.close();
});

const signIn = (page: Page, principalId: string) => signInWithLink(page, api, principalId);
const signInOffice = (page: Page) => signInWithToken(page, OFFICE_TOKEN);

// ---------- what a person must never read ----------

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const Z_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z/;
const RULE_IDS = [...new Set([...Object.keys(REFUSALS).filter((r) => r.includes('.')), ...Object.values(GATES).flat()])];
/** Three Latin words in a row: an English sentence (the brand and the language switch stand alone). */
const ENGLISH = /\b[A-Za-z]{2,}\s+[A-Za-z]{2,}\s+[A-Za-z]{2,}\b/;
const ALLOWED_LATIN = [/massline/g, /\bEnglish\b/g, /UTC[+-]\d{2}:\d{2}/g, /\bExcel\b/g, /HZ-\d+/g];

/** The visible text of the page (and of its open dialogs), with what it must not show, if anything. */
async function unreadable(page: Page, where: string): Promise<string[]> {
  await page.waitForLoadState('networkidle');
  await page
    .locator('.ant-spin-spinning')
    .first()
    .waitFor({ state: 'detached', timeout: 30_000 })
    .catch(() => undefined);
  // (scripts for the page are strings: the tests' tsconfig has no DOM types)
  const text = await page.evaluate<string>('document.body.innerText');
  const problems: string[] = [];
  const uuid = UUID.exec(text);
  if (uuid) problems.push(`${where}: a UUID (${uuid[0]})`);
  const z = Z_TIME.exec(text);
  if (z) problems.push(`${where}: a Z time (${z[0]})`);
  for (const r of RULE_IDS) if (text.includes(r)) problems.push(`${where}: a rule id (${r})`);
  let latin = text;
  for (const a of ALLOWED_LATIN) latin = latin.replace(a, ' ');
  const en = ENGLISH.exec(latin);
  if (en)
    problems.push(`${where}: English (${JSON.stringify(text.slice(Math.max(0, text.indexOf(en[0]) - 30), text.indexOf(en[0]) + 60))})`);
  return problems;
}

describe('the console an office puts in front of its people', () => {
  it('asks before each irreversible decision, says what will happen, and cancelling changes nothing', async () => {
    // A campaign to start: a group, a unit.
    const draft = (await office('POST', '/api/campaigns', { name: '待启动的活动', plan: compressedPlan() })).body.id as string;
    const g = (await office('POST', `/api/campaigns/${draft}/groups`, { name: '督导组甲' })).body.id as string;
    await office('POST', `/api/campaigns/${draft}/units`, {
      units: [{ code: 'D-1', name: '某单位', kind: 'organ', level: 'municipal', groupId: g }],
    });

    const { context, page } = await newPerson(browser, api.url);
    const sup = await newPerson(browser, api.url);
    const unit = await newPerson(browser, api.url);
    try {
      // Starting a campaign.
      await signInOffice(page);
      await page.goto(`/office/campaigns/${draft}`);
      await page.getByTestId('start-campaign').click();
      const said = await answerConfirmation(page, 'cancel', /1 个参加单位按批次开始/);
      expect(said).toContain('日程、督导组分配不能再改');
      expect((await office('GET', `/api/campaigns/${draft}`)).body.status).toBe('draft');
      await page.getByTestId('start-campaign').click();
      await answerConfirmation(page, 'ok');
      await page.getByText('活动已启动').waitFor();
      await page.getByTestId('campaign-status').filter({ hasText: '进行中' }).waitFor();

      // Approving a transition, from the unit's page, with what stands behind it.
      const J = `/api/units/${cn.units.jiaotong}`;
      await signIn(sup.page, cn.tokens.sup2.id);
      await sup.page.goto(`/units/${cn.units.jiaotong}`);
      const pending = sup.page.getByTestId('pending-decision');
      await pending.getByText('查看单位的材料').click();
      await pending.getByTestId('evidence').getByText('学习').first().waitFor();
      await pending.getByLabel('理由（记入历史）').fill('材料齐全');
      await pending.getByRole('button', { name: '批准' }).click();
      expect(await answerConfirmation(sup.page, 'cancel', /HZ-002 市交通局/)).toContain('学习教育、听取意见 → 查摆问题、开展批评');
      const still = (await office('GET', J)).body;
      expect(still.phase).toBe('P1');
      expect(still.pendingTransition).toBeDefined();
      await pending.getByRole('button', { name: '批准' }).click();
      await answerConfirmation(sup.page, 'ok');
      await sup.page.getByText('已批准').first().waitFor();
      expect((await office('GET', J)).body.phase).toBe('P2');

      // Publishing the task book (签发并公示).
      const A = `/api/units/${cn.units.caizheng}`;
      await signIn(unit.page, cn.tokens.caizheng.id);
      await unit.page.getByRole('tab', { name: '整改任务书' }).click();
      await unit.page.getByTestId('publish-task-book').click();
      expect(await answerConfirmation(unit.page, 'cancel', /签发后任务书即锁定/)).toContain('1 项整改事项');
      expect((await office('GET', A)).body.taskBook.status).toBe('draft');
      await unit.page.getByTestId('publish-task-book').click();
      await answerConfirmation(unit.page, 'ok');
      await unit.page.getByText('已签发，进入公示期').waitFor();
      await eventually(async () => ((await office('GET', A)).body.taskBook.status !== 'draft' ? true : undefined), 'task book published');

      // Confirming the referral measure its item's ladder proposes (移交纪检监察).
      await eventually(
        async () => ((await office('GET', `/api/campaigns/${cn.campaignId}/measures?status=proposed`)).body.total > 0 ? true : undefined),
        'the referral rung proposes a measure',
        240_000,
      );
      await page.goto(`/office/campaigns/${cn.campaignId}?tab=measures`);
      await page.getByTestId('confirm-measure').first().click();
      const measure = await answerConfirmation(page, 'cancel', /会议数量压缩三分之一/);
      expect(measure).toContain('HZ-001 市财政局 主要负责人');
      expect(measure).toContain('移交纪检监察机关');
      expect((await office('GET', `/api/campaigns/${cn.campaignId}/measures?status=proposed`)).body.total).toBe(1);
      await page.getByTestId('confirm-measure').first().click();
      await answerConfirmation(page, 'ok');
      await page.getByText('已确认').first().waitFor();
      expect((await office('GET', `/api/campaigns/${cn.campaignId}/measures?status=confirmed`)).body.total).toBe(1);
    } catch (e) {
      await screenshot(page, 'failed-confirmations').catch(() => undefined);
      await screenshot(sup.page, 'failed-confirmations-supervisor').catch(() => undefined);
      await screenshot(unit.page, 'failed-confirmations-unit').catch(() => undefined);
      throw e;
    } finally {
      await context.close();
      await sup.context.close();
      await unit.context.close();
    }
  });

  it('takes a supervisor’s attestation entered on a browser set to UTC at the +08:00 moment it shows', async () => {
    const { context, page } = await newPerson(browser, api.url, 'zh-CN', { timezoneId: 'UTC' });
    try {
      expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('UTC');
      await signIn(page, cn.tokens.sup1.id);
      await page.waitForURL('**/inbox');
      const card = page.getByTestId('inbox-meeting').filter({ hasText: 'HZ-003' });
      await card.waitFor();
      // The zone is stated beside the field.
      await card.getByText('UTC+08:00').first().waitFor();
      const arrived = at8(Date.now() - 42 * 60_000);
      const left = at8(Date.now() - 60_000);
      await pick(card.getByLabel('到会时间'), arrived);
      await pick(card.getByLabel('离会时间'), left);
      expect(await card.getByLabel('到会时间').inputValue()).toBe(arrived);
      await card.getByRole('button', { name: '证明到会' }).click();
      await card.waitFor({ state: 'detached' });
      // The read model follows the unit's projection: the attestation once that has landed.
      const attendance = await eventually(async () => {
        const a = (await office('GET', `/api/units/${cn.units.jiaoyu}`)).body.meeting?.attendance;
        return a?.length ? a : undefined;
      }, 'the attestation in the read model');
      expect(attendance).toHaveLength(1);
      expect(Date.parse(attendance[0].arrivedAt)).toBe(instantOf8(arrived));
      expect(Date.parse(attendance[0].leftAt)).toBe(instantOf8(left));
    } finally {
      await context.close();
    }
  });

  it('asks before a meeting is recorded as held, and warns when the attestations do not cover it', async () => {
    const { context, page } = await newPerson(browser, api.url);
    const U = `/api/units/${cn.units.jiaoyu}`;
    try {
      await signIn(page, cn.tokens.jiaoyu.id);
      await page.getByRole('tab', { name: '专题民主生活会' }).click();
      const held = page.getByTestId('meeting-held-form');
      // Started before the supervisor arrived: not covered.
      await pick(held.getByLabel('开始时间'), at8(Date.now() - 50 * 60_000));
      await pick(held.getByLabel('结束时间'), at8(Date.now() - 10 * 60_000));
      await held.getByLabel('会议记录').fill('开展批评与自我批评');
      await held.getByRole('button', { name: '提交' }).click();
      await page.getByTestId('meeting-not-covered').waitFor();
      await answerConfirmation(page, 'cancel', /没有覆盖/);
      expect((await office('GET', U)).body.meeting.status).toBe('scheduled');
      // Within the attested presence: covered, recorded valid.
      await pick(held.getByLabel('开始时间'), at8(Date.now() - 38 * 60_000));
      await held.getByRole('button', { name: '提交' }).click();
      await answerConfirmation(page, 'ok', /覆盖会议全程/);
      await page.getByTestId('meeting').getByText('已召开，有效').waitFor();
      expect((await office('GET', U)).body.meeting.valid).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('shows no UUID, rule id, Z time or English sentence on any page of any role in Chinese', async () => {
    // The referral's dossier exists once the item's ladder reached it (the first test waited for it).
    const referral = await eventually(
      async () => (await office('GET', `/api/escalations?campaignId=${cn.campaignId}&rung=referral`)).body.items[0],
      'the referral of 市财政局’s item',
      240_000,
    );
    // A refusal on record, for the timeline: 市教育局 asked too early for P3 once.
    expect((await as(cn.tokens.jiaoyu.token)('POST', `/api/units/${cn.units.jiaoyu}/transitions`, { to: 'DONE' })).status).toBe(409);
    const problems: string[] = [];
    const visit = async (page: Page, path: string, name: string, ready?: (p: Page) => Promise<unknown>) => {
      await page.goto(path);
      if (ready) await ready(page);
      problems.push(...(await unreadable(page, name)));
      await audit(page, name);
    };
    const tabs = async (page: Page, base: string, name: string, keys: string[]) => {
      for (const k of keys) await visit(page, `${base}${base.includes('?') ? '&' : '?'}tab=${k}`, `${name} ${k}`);
    };

    const citizen = await newPerson(browser, api.url);
    const officer = await newPerson(browser, api.url);
    const supervisor = await newPerson(browser, api.url);
    const unit = await newPerson(browser, api.url);
    const auditor = await newPerson(browser, api.url);
    try {
      await visit(citizen.page, '/', 'public home', (p) => p.getByRole('link', { name: '2026年群众路线教育实践活动' }).waitFor());
      await visit(citizen.page, `/public/campaigns/${cn.campaignId}`, 'public campaign', (p) =>
        p
          .getByRole('link', { name: /市财政局/ })
          .first()
          .waitFor(),
      );
      await visit(citizen.page, `/public/units/${cn.units.caizheng}`, 'public unit', (p) => p.getByTestId('public-task-book').waitFor());
      await visit(citizen.page, '/public/units/00000000-0000-4000-8000-000000000000', 'public unit unknown', (p) =>
        p.getByText('未找到').first().waitFor(),
      );
      // The API's documentation is for staff: not in the citizens' footer.
      expect(await citizen.page.getByRole('link', { name: '接口文档' }).count()).toBe(0);

      await signInOffice(officer.page);
      const C = `/office/campaigns/${cn.campaignId}`;
      await visit(officer.page, '/office', 'office campaigns');
      await tabs(officer.page, C, 'office campaign', [
        'dashboard',
        'units',
        'groups',
        'enrol',
        'principals',
        'measures',
        'plan',
        'plan-changes',
      ]);
      await visit(officer.page, '/office/campaigns/new', 'plan editor', (p) => p.getByTestId('holiday-years').waitFor());
      await visit(officer.page, '/office/programmes', 'programmes');
      await visit(officer.page, '/inbox', 'office inbox');
      for (const id of Object.values(cn.units)) await visit(officer.page, `/units/${id}`, `unit detail ${id}`);
      await visit(officer.page, `/audit/units/${cn.units.jiaoyu}`, 'timeline (office)', (p) =>
        p.getByTestId('timeline').locator('tbody tr').first().waitFor(),
      );
      await visit(officer.page, `/audit/dossiers/${referral.id}`, 'dossier', (p) => p.getByTestId('dossier').waitFor());

      await signIn(supervisor.page, cn.tokens.sup1.id);
      await visit(supervisor.page, '/inbox', 'supervisor inbox');
      await visit(supervisor.page, `/units/${cn.units.caizheng}`, 'supervisor unit detail');
      await visit(supervisor.page, `/audit/units/${cn.units.caizheng}`, 'supervisor timeline');

      await signIn(unit.page, cn.tokens.jiaoyu.id);
      for (const tab of ['学习与报告', '收到的意见', '查摆问题', '专题民主生活会', '整改任务书', '整改事项']) {
        await unit.page.getByRole('tab', { name: tab }).click();
        problems.push(...(await unreadable(unit.page, `unit ${tab}`)));
      }
      // A refusal, worded where the unit meets it: 市交通局 asks for P3 with its gates unmet.
      await signIn(unit.page, cn.tokens.jiaotong.id);
      await unit.page.getByTestId('request-transition').click();
      await unit.page.locator('[data-rule]').first().waitFor();
      problems.push(...(await unreadable(unit.page, 'unit refusal')));
      await audit(unit.page, 'unit refusal');

      await signIn(auditor.page, cn.tokens.auditor.id);
      await visit(auditor.page, `/audit?campaign=${cn.campaignId}`, 'auditor desk', (p) =>
        p.getByRole('link', { name: '市财政局' }).waitFor(),
      );
      await visit(auditor.page, `/audit/units/${cn.units.jiaoyu}`, 'auditor timeline', (p) => p.locator('[data-rule]').first().waitFor());
      await visit(auditor.page, `/audit/dossiers/${referral.id}`, 'auditor dossier', (p) =>
        p.getByTestId('dossier').getByText('群教办移').waitFor(),
      );
      await screenshot(auditor.page, 'auditor-dossier');
      expect(problems).toEqual([]);
      expectNoSeriousViolations();
    } catch (e) {
      for (const [n, p] of Object.entries({ citizen, officer, supervisor, unit, auditor }))
        await screenshot(p.page, `failed-walk-${n}`).catch(() => undefined);
      throw e;
    } finally {
      for (const p of [citizen, officer, supervisor, unit, auditor]) await p.context.close();
    }
  });

  it('shows the public pages on a 390 px phone without sideways scrolling, the header collapsed, tables as cards', async () => {
    const { context, page } = await newPerson(browser, api.url, 'zh-CN', { viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      const pages: Array<[string, string, (p: Page) => Promise<unknown>]> = [
        ['/', 'phone public home', (p) => p.getByRole('link', { name: '2026年群众路线教育实践活动' }).waitFor()],
        [
          `/public/campaigns/${cn.campaignId}`,
          'phone public campaign',
          (p) =>
            p
              .getByRole('link', { name: /市财政局/ })
              .first()
              .waitFor(),
        ],
        [`/public/units/${cn.units.caizheng}`, 'phone public unit', (p) => p.getByTestId('public-task-book').waitFor()],
        ['/sign-in', 'phone sign-in', (p) => p.getByTestId('token-input').waitFor()],
      ];
      for (const [path, name, ready] of pages) {
        await page.goto(path);
        await ready(page);
        await page.waitForLoadState('networkidle');
        const width = await page.evaluate<{ scroll: number; body: number; inner: number }>(
          '({ scroll: document.documentElement.scrollWidth, body: document.body.scrollWidth, inner: window.innerWidth })',
        );
        expect({ name, ...width, overflow: Math.max(width.scroll, width.body) > width.inner }).toEqual({ name, ...width, overflow: false });
        await audit(page, name);
        if (name === 'phone public unit') {
          // Items are cards, not a table wrapping a character a line.
          await page.getByTestId('public-task-book').locator('.row-card').first().getByText('会议数量压缩三分之一').waitFor();
          await screenshot(page, 'public-phone');
        }
      }
      // 登录 is in the header's menu.
      await page.goto('/');
      await page.getByTestId('header-menu').click();
      await page.getByRole('button', { name: '登录' }).click();
      await page.waitForURL('**/sign-in');
      expectNoSeriousViolations();
    } finally {
      await context.close();
    }
  });

  it('lists a campaign publicly only once the office publishes it; an empty campaign says what is missing and cannot start', async () => {
    const empty = (await office('POST', '/api/campaigns', { name: '尚未报名的活动', plan: compressedPlan() })).body.id as string;
    const listed = async () =>
      ((await as(undefined)('GET', '/api/public/campaigns?pageSize=100')).body.items as Array<{ id: string }>).map((c) => c.id);
    expect(await listed()).not.toContain(empty);
    // The API refuses to start it, naming the rule.
    const refused = await office('POST', `/api/campaigns/${empty}/start`);
    expect(refused.status).toBe(409);
    expect(refused.body.details[0]).toMatchObject({ category: 'RULE_VIOLATION', rule: 'campaign.no-units' });

    const { context, page } = await newPerson(browser, api.url);
    try {
      await signInOffice(page);
      await page.goto(`/office/campaigns/${empty}`);
      await expectDisabled(page.getByTestId('start-campaign'));
      await page.getByTestId('guidance-step-1').and(page.locator('[data-done="false"]')).getByText('尚无参加单位').waitFor();
      await page.getByTestId('guidance-step-0').getByText('尚无督导组').waitFor();
      await page.getByTestId('cards-no-data').getByText('暂无亮牌数据').waitFor();
      await audit(page, 'empty campaign');

      // Started without publishing: not listed; published from its page: listed; taken off: gone.
      const quiet = (await office('POST', '/api/campaigns', { name: '内部演练', plan: compressedPlan() })).body.id as string;
      const g = (await office('POST', `/api/campaigns/${quiet}/groups`, { name: '演练组' })).body.id as string;
      await office('POST', `/api/campaigns/${quiet}/units`, {
        units: [{ code: 'Q-1', name: '演练单位', kind: 'organ', level: 'municipal', groupId: g }],
      });
      await page.goto(`/office/campaigns/${quiet}`);
      await page.getByTestId('start-campaign').click();
      await page.getByTestId('publish-at-start').click();
      await answerConfirmation(page, 'ok');
      await page.getByTestId('campaign-status').filter({ hasText: '进行中' }).waitFor();
      expect(await listed()).not.toContain(quiet);
      expect((await as(undefined)('GET', `/api/public/campaigns/${quiet}`)).status).toBe(404);
      await page.getByTestId('campaign-public').click();
      await page.getByText('已在公示页面列出').waitFor();
      expect(await listed()).toContain(quiet);
      expect((await office('PUT', `/api/campaigns/${quiet}/publication`, { public: false })).status).toBe(200);
      expect(await listed()).not.toContain(quiet);
      expectNoSeriousViolations();
    } finally {
      await context.close();
    }
  });

  it('finds a unit by name among 10,000 within the table’s paging, sorts it, and exports the filtered list to Excel', async () => {
    const big = (await office('POST', '/api/campaigns', { name: '万家单位的活动', plan: compressedPlan() })).body.id as string;
    const groups: string[] = [];
    for (let i = 1; i <= 5; i++) groups.push((await office('POST', `/api/campaigns/${big}/groups`, { name: `第${i}督导组` })).body.id);
    const enrolled = await office('POST', `/api/campaigns/${big}/units`, {
      units: Array.from({ length: 10_000 }, (_, i) => ({
        code: `HZ-${String(i + 1).padStart(5, '0')}`,
        name: `参加单位 ${i + 1}`,
        kind: 'organ',
        level: 'municipal',
        groupId: groups[i % 5],
      })),
    });
    expect(enrolled.status).toBe(200);
    // The read model of a campaign under way (what its projections write): phases spread, some cards.
    await apiContextOf(api.app).dataSource.query(
      `INSERT INTO unit_states (unit_id, campaign_id, code, batch, group_id, phase, status, card, window_starts_at, window_ends_at, unmet_gates, view, version)
       SELECT u.id, u.campaign_id, u.code, u.batch, u.group_id, (ARRAY['P1','P2','P3'])[1 + (n % 3)], 'active',
              CASE WHEN n % 50 = 0 THEN 'red' WHEN n % 10 = 0 THEN 'yellow' ELSE 'none' END,
              now() - interval '10 days', now() + interval '20 days', '["gate.P2.opinion"]'::jsonb,
              jsonb_build_object('id', u.id, 'code', u.code, 'name', u.name), 1
       FROM (SELECT u.*, row_number() OVER (ORDER BY u.code) AS n FROM units u WHERE u.campaign_id = $1) u`,
      [big],
    );
    const { context, page } = await newPerson(browser, api.url);
    try {
      await signInOffice(page);
      await page.goto(`/office/campaigns/${big}?tab=units`);
      const table = page.getByTestId('units-table');
      await table.getByTestId('units-total').getByText('共 10000 个单位').waitFor();
      // By name: one unit of 10,000.
      await table.getByTestId('units-search').locator('input').fill('参加单位 7777');
      await table.getByTestId('units-search').locator('input').press('Enter');
      await table.getByTestId('units-total').getByText('共 1 个单位').waitFor();
      await table.getByRole('link', { name: '参加单位 7777' }).waitFor();
      await audit(page, 'units table');
      // Sorted by name, descending: the last name first.
      await table.getByTestId('units-search').locator('input').fill('');
      await table.getByTestId('units-search').locator('input').press('Enter');
      await table.getByTestId('units-total').getByText('共 10000 个单位').waitFor();
      await table.getByRole('columnheader', { name: '名称' }).click();
      await table.locator('th[aria-sort="ascending"]').getByText('名称').waitFor();
      await table
        .locator('.ant-spin-spinning')
        .first()
        .waitFor({ state: 'detached' })
        .catch(() => undefined);
      await table.getByRole('columnheader', { name: '名称' }).click();
      await table.locator('th[aria-sort="descending"]').getByText('名称').waitFor();
      await table.locator('tbody tr.ant-table-row').first().getByText('参加单位 9999').waitFor();
      // Filtered to red cards, exported: the file holds that list, every page of it.
      await table.getByRole('combobox', { name: '亮牌' }).click();
      await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').getByTitle('红牌').click();
      await table.getByTestId('units-total').getByText('共 200 个单位').waitFor();
      const download = page.waitForEvent('download');
      await table.getByTestId('units-export').click();
      const file = await (await download).path();
      const { readSheet } = await import('read-excel-file/node');
      const rows = (await readSheet(fs.readFileSync(file))) as unknown[][];
      expect(rows[0]).toEqual(['代码', '名称', '类型', '层级', '批次', '督导组', '环节', '亮牌', '环节截止', '待满足条件']);
      expect(rows).toHaveLength(201);
      expect(new Set(rows.slice(1).map((r) => r[7]))).toEqual(new Set(['红牌']));
      expect(rows[1][9]).toBe('至少收到一条意见');
      await screenshot(page, 'office-units-table');
      expectNoSeriousViolations();
    } catch (e) {
      await screenshot(page, 'failed-units-table').catch(() => undefined);
      throw e;
    } finally {
      await context.close();
    }
  });
  it('previews a plan change as a table and a before/after chart, asks before applying it, and cancelling changes nothing', async () => {
    const { context, page } = await newPerson(browser, api.url);
    const versions = async () => (await office('GET', `/api/campaigns/${cn.campaignId}/plan-versions`)).body;
    try {
      await signInOffice(page);
      await page.goto(`/office/campaigns/${cn.campaignId}?tab=plan-changes`);
      await page.getByTestId('plan-change-form').waitFor();
      await page.getByTestId('plan-version-1').waitFor();
      // Batch 1's last window (and the batch) ends half an hour sooner: 市财政局, in it with its task book, moves.
      const before = (await versions()).items[0].plan.batches[0].phases.P3.endsAt as string;
      const later = at8(Date.parse(before) - 30 * 60_000);
      await pick(page.getByLabel('第1批 整改落实、建章立制', { exact: true }), later);
      await page.getByTestId('preview-plan-change').click();
      const preview = page.getByTestId('plan-change-preview');
      await preview.waitFor();
      await preview.getByTestId('plan-change-moves').getByText('HZ-001 市财政局').first().waitFor();
      // The before/after chart (ECharts words its own description for screen readers).
      await preview.locator('[role="img"] canvas').first().waitFor();
      await preview.getByText(`第1批 整改落实、建章立制 结束：${at8(Date.parse(before))} → ${later}`).waitFor();
      expect(await unreadable(page, 'plan change preview')).toEqual([]);
      await audit(page, 'plan change preview');

      // Asked first; cancelling changes nothing.
      await page.getByTestId('plan-change-reason').fill('第一批提前半小时结束');
      await page.getByTestId('apply-plan-change').click();
      expect(await answerConfirmation(page, 'cancel', /按此调整生成第 2 版日程/)).toMatch(/将移动 \d+ 个时限与预警/);
      expect((await versions()).items).toHaveLength(1);
      await page.getByTestId('apply-plan-change').click();
      await answerConfirmation(page, 'ok');
      await page.getByText('已生成第 2 版日程').first().waitFor();
      await page.getByTestId('plan-version-2').waitFor();
      const after = await versions();
      expect(after.items[1]).toMatchObject({
        version: 2,
        reason: '第一批提前半小时结束',
        diff: expect.arrayContaining([{ path: 'batches.1.phases.P3.endsAt', before, after: expect.any(String) }]),
      });
      expect(Date.parse(after.items[1].diff.find((d: { path: string }) => d.path === 'batches.1.phases.P3.endsAt').after)).toBe(
        instantOf8(later),
      );
      expect(await unreadable(page, 'plan versions')).toEqual([]);
      expectNoSeriousViolations();
    } catch (e) {
      await screenshot(page, 'failed-plan-change').catch(() => undefined);
      throw e;
    } finally {
      await context.close();
    }
  });
});

async function expectDisabled(button: ReturnType<Page['getByTestId']>) {
  await button.waitFor();
  expect(await button.isDisabled()).toBe(true);
}
