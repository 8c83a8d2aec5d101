// One campaign for the office (and auditors, read-only): the steps to start it with what is still missing, start
// it (asking first), publish it on the public pages, its dashboard and units, groups, enrolment, principals and
// their sign-in links, the cadre measures to confirm, and its plan. Times are in the campaign's zone.
import { mayAccess } from '../../../../../libs/domain/src';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Descriptions, Space, Steps, Switch, Tabs, Tag, Typography } from 'antd';
import { useRef } from 'react';
import { api, call } from '../../api/client';
import { useSession } from '../../api/session';
import { useI18n, ZoneProvider } from '../../i18n';
import { navigate, useLocation } from '../../router';
import { ErrorNote } from '../../ui/errors';
import { useAction, useConfirm } from '../../ui/forms';
import { ZoneNote } from '../../ui/zone';
import { campaignStatus } from './OfficeHome';
import { Dashboard } from './Dashboard';
import { Enrolment } from './Enrolment';
import { Groups, useGroups } from './Groups';
import { Measures } from './Measures';
import { Principals } from './Principals';
import { PlanChanges } from './PlanChanges';
import { PlanTimeline } from './PlanTimeline';
import { Rehearsal } from './Rehearsal';
import { UnitsTable } from './UnitsTable';

export default function CampaignPage({ id }: { id: string }) {
  const campaign = useCampaign(id);
  const offset = campaign.data?.plan.calendar?.utcOffset;
  return (
    <ZoneProvider offset={offset}>
      <CampaignBody id={id} campaign={campaign} />
    </ZoneProvider>
  );
}

type CampaignView = NonNullable<ReturnType<typeof useCampaign>['data']>;

function CampaignBody({ id, campaign }: { id: string; campaign: ReturnType<typeof useCampaign> }) {
  const { t } = useI18n();
  const session = useSession();
  const { path, query } = useLocation();
  const office = !!session && mayAccess(session.principal, 'campaign.start');
  const c = campaign.data;
  const starting = useStartCampaign(id, c);
  const items = useCampaignTabs(id, c, office);
  const tab = query.get('tab') ?? 'dashboard';
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <ErrorNote error={campaign.error} />
      {c ? (
        <>
          <Space style={{ justifyContent: 'space-between', width: '100%' }} wrap>
            <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }} data-testid="campaign-name">
              {c.name}
            </Typography.Title>
            {office && c.status === 'draft' ? (
              <Button
                type="primary"
                onClick={starting.ask}
                loading={starting.start.busy}
                disabled={c.counts.units === 0}
                data-testid="start-campaign"
              >
                {t('启动活动', 'Start the campaign')}
              </Button>
            ) : null}
          </Space>
          <CampaignFacts id={id} c={c} office={office} startError={starting.start.error} />
          <ZoneNote />
          <Tabs activeKey={tab} onChange={(k) => navigate(`${path}?tab=${k}`, { replace: true })} items={items} destroyOnHidden />
        </>
      ) : null}
    </Space>
  );
}

/** The campaign's tabs, as the signed-in principal may use them. */
function useCampaignTabs(id: string, c: CampaignView | undefined, office: boolean) {
  const { t } = useI18n();
  const session = useSession();
  return [
    { key: 'dashboard', label: t('总览', 'Dashboard'), children: <Dashboard campaignId={id} /> },
    { key: 'units', label: t('单位列表', 'Units'), children: <UnitsTable campaignId={id} /> },
    ...(office
      ? [
          { key: 'groups', label: t('督导组', 'Groups'), children: <Groups campaignId={id} /> },
          { key: 'enrol', label: t('单位报名', 'Enrolment'), children: <Enrolment campaignId={id} /> },
          { key: 'principals', label: t('人员与登录链接', 'Principals and sign-in links'), children: <Principals campaignId={id} /> },
        ]
      : []),
    { key: 'measures', label: t('组织措施', 'Cadre measures'), children: <Measures campaignId={id} canConfirm={office} /> },
    { key: 'plan', label: t('日程', 'Plan'), children: c ? <PlanTimeline plan={c.plan} /> : null },
    // 日程调整: the office changes a running plan by version (preview, confirm); auditors read the versions.
    ...(c && session && mayAccess(session.principal, 'campaign.plan-versions.list', { campaignId: id })
      ? [
          {
            key: 'plan-changes',
            label: t('日程调整', 'Plan changes'),
            children: (
              <PlanChanges
                campaignId={id}
                canChange={mayAccess(session.principal, 'campaign.plan-change.apply')}
                running={c.status === 'running'}
              />
            ),
          },
        ]
      : []),
    ...(c && session && mayAccess(session.principal, 'simulation.start')
      ? [{ key: 'rehearsal', label: t('预演', 'Rehearsal'), children: <Rehearsal campaignId={id} enrolled={c.counts.units} /> }]
      : []),
  ];
}

/** Starting the campaign: it asks first (what starts when, what is fixed from then), and whether to list it publicly. */
function useStartCampaign(id: string, c: CampaignView | undefined) {
  const { t, time } = useI18n();
  const confirm = useConfirm();
  // (a ref: the confirmation's content is drawn once, its checkbox changes this without drawing it again)
  const publishAtStart = useRef(true);
  const start = useAction({
    invalidate: [['campaign', id], ['campaigns']],
    success: t('活动已启动', 'The campaign has started'),
    fn: (publish: boolean) =>
      call(api.POST('/api/campaigns/{id}/start', { params: { path: { id }, query: { public: publish ? 'true' : 'false' } } })),
  });
  const askToStart = async () => {
    if (!c) return;
    publishAtStart.current = true;
    const b1 = c.plan.batches ?? [];
    const ok = await confirm({
      title: t(`启动“${c.name}”？`, `Start "${c.name}"?`),
      okText: t('启动', 'Start'),
      content: (
        <ul style={{ paddingInlineStart: 20 }}>
          <li>
            {t(`${c.counts.units} 个参加单位按批次开始：`, `${c.counts.units} units start batch by batch:`)}{' '}
            {b1.map((b) => `${t(`第${b.batch}批`, `batch ${b.batch}`)} ${time(b.startsAt)}`).join('；')}
          </li>
          <li>
            {t(
              '启动后日程、督导组分配不能再改；到期未办的事项按预警规则逐级督办。',
              'Once started, the plan and the group assignments are fixed; deadlines escalate on their own.',
            )}
          </li>
          <li>
            <Checkbox defaultChecked onChange={(e) => (publishAtStart.current = e.target.checked)} data-testid="publish-at-start">
              {t('同时在公示页面列出本活动', 'List it on the public pages too')}
            </Checkbox>
          </li>
        </ul>
      ),
    });
    if (ok) await start.run(publishAtStart.current);
  };
  // The confirmation does not reject; the start keeps its error in start.error.
  return { start, ask: () => void askToStart() };
}

/** Status, start, units and the public listing (a switch for the office), with what a draft still needs. */
function CampaignFacts({ id, c, office, startError }: { id: string; c: CampaignView; office: boolean; startError: unknown }) {
  const { t, time } = useI18n();
  const publication = useAction({
    invalidate: [['campaign', id], ['campaigns']],
    success: (r) => (r.public ? t('已在公示页面列出', 'Listed on the public pages') : t('已从公示页面撤下', 'Taken off the public pages')),
    fn: (value: boolean) => call(api.PUT('/api/campaigns/{id}/publication', { params: { path: { id } }, body: { public: value } })),
  });
  return (
    <>
      <ErrorNote error={startError ?? publication.error} />
      {office && c.status === 'draft' ? <Guidance campaignId={id} units={c.counts.units} /> : null}
      <Descriptions size="small" column={{ xs: 1, md: 4 }}>
        <Descriptions.Item label={t('状态', 'Status')}>
          <Tag data-testid="campaign-status" color={c.status === 'running' ? 'processing' : 'default'}>
            {campaignStatus(c.status, t)}
          </Tag>
        </Descriptions.Item>
        <Descriptions.Item label={t('开始', 'Starts')}>{time(c.startsAt)}</Descriptions.Item>
        <Descriptions.Item label={t('参加单位', 'Units')}>{c.counts.units}</Descriptions.Item>
        <Descriptions.Item label={t('公示页面', 'Public pages')}>
          {office ? (
            <Switch
              checked={c.public}
              loading={publication.busy}
              disabled={c.status === 'draft'}
              aria-label={t('在公示页面列出', 'Listed on the public pages')}
              data-testid="campaign-public"
              checkedChildren={t('已列出', 'listed')}
              unCheckedChildren={t('未列出', 'not listed')}
              onChange={publication.submit}
            />
          ) : c.public ? (
            t('已列出', 'listed')
          ) : (
            t('未列出', 'not listed')
          )}
        </Descriptions.Item>
      </Descriptions>
    </>
  );
}

const useCampaign = (id: string) =>
  useQuery({ queryKey: ['campaign', id], queryFn: () => call(api.GET('/api/campaigns/{id}', { params: { path: { id } } })) });

/** The steps before a campaign can start, each done or saying what is missing. */
function Guidance({ campaignId, units }: { campaignId: string; units: number }) {
  const { t } = useI18n();
  const { path } = useLocation();
  const steps = useStartSteps(campaignId, units);
  const go = (tab: string) => navigate(`${path}?tab=${tab}`, { replace: true });
  const current = steps.findIndex((s) => !s.done);
  return (
    <Alert
      type="info"
      data-testid="guidance"
      title={t('启动前的准备', 'Before starting')}
      description={
        <Steps
          size="small"
          current={current < 0 ? steps.length - 1 : current}
          onChange={(i) => steps[i].tab && go(steps[i].tab)}
          items={steps.map((s, i) => ({
            title: s.title,
            description: (
              <span data-testid={`guidance-step-${i}`} data-done={s.done}>
                {s.description}
              </span>
            ),
            status: s.done ? 'finish' : i === current ? 'process' : 'wait',
          }))}
        />
      }
    />
  );
}

/** The steps: groups formed, units enrolled, their people made, then the start; each with the tab where it is done. */
function useStartSteps(campaignId: string, units: number) {
  const { t } = useI18n();
  const groups = useGroups(campaignId);
  const principals = usePrincipalCount(campaignId);
  const nGroups = groups.data?.total ?? 0;
  const nPrincipals = principals.data?.total ?? 0;
  return [
    {
      title: t('组建督导组', 'Form groups'),
      done: nGroups > 0,
      description: nGroups > 0 ? t(`已组建 ${nGroups} 个`, `${nGroups} formed`) : t('尚无督导组', 'No group yet'),
      tab: 'groups',
    },
    {
      title: t('单位报名', 'Enrol units'),
      done: units > 0,
      description: units > 0 ? t(`已报名 ${units} 个单位`, `${units} units enrolled`) : t('尚无参加单位', 'No unit yet'),
      tab: 'enrol',
    },
    {
      title: t('人员与登录', 'People and sign-in'),
      done: nPrincipals > 0,
      description:
        nPrincipals > 0
          ? t(`已有 ${nPrincipals} 人`, `${nPrincipals} principals`)
          : t('尚未为单位和督导组建立人员', 'No principal for units and groups yet'),
      tab: 'principals',
    },
    {
      title: t('启动', 'Start'),
      done: false,
      description: units > 0 ? t('可以启动', 'Ready to start') : t('报名后才能启动', 'Enrol units first'),
      tab: '',
    },
  ];
}

/** The people of this campaign: its units' and its groups' (the office and auditors belong to every campaign). */
const usePrincipalCount = (campaignId: string) =>
  useQuery({
    queryKey: ['principals', campaignId, 'count'],
    queryFn: async () => {
      const [units, supervisors] = await Promise.all(
        (['unit', 'supervisor'] as const).map((role) =>
          call(api.GET('/api/principals', { params: { query: { campaignId, role, page: 1, pageSize: 1 } } })),
        ),
      );
      return { total: units.total + supervisors.total };
    },
  });
