// The shell: language (zh_CN by default, English on a switch), the header with the signed-in principal and
// sign-out, and the pages by path. Role pages load on demand, so the public pages stay light.
import { MenuOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { App as AntApp, Button, ConfigProvider, Drawer, Layout, Menu, Segmented, Space, Spin, Typography, type ThemeConfig } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { useIsPhone } from './ui/responsive';
import { api } from './api/client';
import { setSession, useSession, type Session } from './api/session';
import { mayAccess, type Action } from '../../../libs/domain/src';
import { useI18n } from './i18n';
import { Link, match, navigate, useLocation } from './router';
import { SignInPage, redeemFromFragment } from './pages/SignIn';
import { PublicHome } from './pages/public/PublicHome';
import { PublicCampaign } from './pages/public/PublicCampaign';
import { PublicUnit } from './pages/public/PublicUnit';

const OfficeHome = lazy(() => import('./pages/office/OfficeHome'));
const NewCampaign = lazy(() => import('./pages/office/NewCampaign'));
const CampaignPage = lazy(() => import('./pages/office/CampaignPage'));
const Programmes = lazy(() => import('./pages/office/Programmes'));
const Inbox = lazy(() => import('./pages/supervisor/Inbox'));
const UnitHome = lazy(() => import('./pages/unit/UnitHome'));
const UnitDetail = lazy(() => import('./pages/shared/UnitDetail'));
const AuditHome = lazy(() => import('./pages/auditor/AuditHome'));
const AuditUnit = lazy(() => import('./pages/auditor/AuditUnit'));
const Dossier = lazy(() => import('./pages/auditor/Dossier'));

type Role = Session['principal']['role'];
const HOME: Record<Role, string> = { office: '/office', supervisor: '/inbox', unit: '/unit', auditor: '/audit' };

interface Route {
  pattern: string;
  /** The action of the access table (libs/domain access.ts) the page is for: who may take it may open the page. */
  action?: Action;
  render: (params: Record<string, string>) => ReactNode;
}

const ROUTES: Route[] = [
  { pattern: '/public', render: () => <PublicHome /> },
  { pattern: '/public/campaigns/:id', render: (p) => <PublicCampaign id={p.id} /> },
  { pattern: '/public/units/:id', render: (p) => <PublicUnit id={p.id} /> },
  { pattern: '/sign-in', render: () => <SignInPage /> },
  { pattern: '/office', action: 'campaign.create', render: () => <OfficeHome /> },
  { pattern: '/office/campaigns/new', action: 'campaign.create', render: () => <NewCampaign /> },
  { pattern: '/office/campaigns/:id', action: 'campaign.dashboard', render: (p) => <CampaignPage id={p.id} /> },
  { pattern: '/office/programmes', action: 'programme.create', render: () => <Programmes /> },
  { pattern: '/inbox', action: 'inbox.read', render: () => <Inbox /> },
  { pattern: '/unit', action: 'unit.records.add', render: () => <UnitHome /> },
  { pattern: '/units/:id', action: 'unit.list', render: (p) => <UnitDetail id={p.id} /> },
  { pattern: '/audit', action: 'audit.replay.start', render: () => <AuditHome /> },
  { pattern: '/audit/units/:id', action: 'audit.timeline.read', render: (p) => <AuditUnit id={p.id} /> },
  { pattern: '/audit/dossiers/:id', action: 'escalation.dossier.read', render: (p) => <Dossier id={p.id} /> },
];

/** The pages the signed-in principal's role works in (and the public pages), and which of them is open. */
function useNav() {
  const { t } = useI18n();
  const session = useSession();
  const { path } = useLocation();
  const role = session?.principal.role;
  const nav: Array<{ key: string; label: string }> = [];
  if (role === 'office')
    nav.push({ key: '/office', label: t('活动管理', 'Campaigns') }, { key: '/office/programmes', label: t('专项行动', 'Programmes') });
  if (role === 'supervisor') nav.push({ key: '/inbox', label: t('待办', 'Inbox') });
  if (role === 'unit') nav.push({ key: '/unit', label: t('本单位', 'My unit') });
  if (role === 'auditor') nav.push({ key: '/audit', label: t('审计', 'Audit') });
  nav.push({ key: '/public', label: t('公示', 'Public disclosure') });
  const selected = nav.filter((n) => path === n.key || path.startsWith(`${n.key}/`)).map((n) => n.key);
  return { nav, selected };
}

/** Signs out: a session opened by a link ends on the server too; a pasted principal token is only forgotten here. */
async function endSession(viaLink: boolean) {
  // (a sign-out the server did not take still forgets the session here)
  if (viaLink) await api.POST('/api/sign-out').catch(() => undefined);
  setSession(null);
  navigate('/', { replace: true });
}

function LanguageSwitch() {
  const { t, lang, setLang } = useI18n();
  return (
    <Segmented
      size="small"
      aria-label={t('语言', 'Language')}
      value={lang}
      onChange={(v) => setLang(v as 'zh' | 'en')}
      options={[
        { label: '中文', value: 'zh' },
        { label: 'English', value: 'en' },
      ]}
    />
  );
}

function Header() {
  const { t, label } = useI18n();
  const session = useSession();
  const phone = useIsPhone();
  const { nav, selected } = useNav();
  const signOut = () => void endSession(!!session?.viaLink);
  // A phone (below 576 px): the title, and the rest behind a menu button.
  if (phone) return <PhoneHeader nav={nav} selected={selected} onSignOut={signOut} />;
  return (
    <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 16, background: '#8c1c13', paddingInline: 16 }}>
      <Link to="/" style={{ color: '#fff', fontWeight: 600, fontSize: 16, whiteSpace: 'nowrap' }}>
        massline · {t('群众路线教育实践活动', 'Mass-line campaign')}
      </Link>
      <nav aria-label={t('主导航', 'Main')} style={{ flex: 1, minWidth: 0 }}>
        <Menu
          theme="dark"
          mode="horizontal"
          selectedKeys={selected}
          style={{ background: 'transparent', borderBottom: 'none' }}
          items={nav.map((n) => ({ key: n.key, label: <Link to={n.key}>{n.label}</Link> }))}
        />
      </nav>
      <Space>
        <LanguageSwitch />
        {session ? (
          <>
            <span style={{ color: '#fff' }} data-testid="signed-in-as">
              {session.principal.name} · {label.role(session.principal.role)}
            </span>
            <Button size="small" onClick={signOut}>
              {t('退出', 'Sign out')}
            </Button>
          </>
        ) : (
          <Button size="small" onClick={() => navigate('/sign-in')}>
            {t('登录', 'Sign in')}
          </Button>
        )}
      </Space>
    </Layout.Header>
  );
}

/** The header on a phone: the title, and the pages, the language and the session in a drawer behind a menu button. */
function PhoneHeader({
  nav,
  selected,
  onSignOut,
}: {
  nav: Array<{ key: string; label: string }>;
  selected: string[];
  onSignOut: () => void;
}) {
  const { t } = useI18n();
  const [drawer, setDrawer] = useState(false);
  return (
    <Layout.Header
      style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 8, background: '#8c1c13', paddingInline: 12 }}
    >
      <Link
        to="/"
        style={{ color: '#fff', fontWeight: 600, fontSize: 16, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}
      >
        {t('群众路线教育实践活动', 'Mass-line campaign')}
      </Link>
      <Button
        icon={<MenuOutlined />}
        aria-label={t('菜单', 'Menu')}
        aria-expanded={drawer}
        onClick={() => setDrawer(true)}
        data-testid="header-menu"
      />
      <PhoneMenu open={drawer} onClose={() => setDrawer(false)} nav={nav} selected={selected} onSignOut={onSignOut} />
    </Layout.Header>
  );
}

/** The phone's menu drawer: the pages, the language, and who is signed in (or a way to sign in); a page chosen closes it. */
function PhoneMenu({
  open,
  onClose,
  nav,
  selected,
  onSignOut,
}: {
  open: boolean;
  onClose: () => void;
  nav: Array<{ key: string; label: string }>;
  selected: string[];
  onSignOut: () => void;
}) {
  const { t, label } = useI18n();
  const session = useSession();
  return (
    <Drawer open={open} onClose={onClose} placement="right" size={260} title={t('菜单', 'Menu')}>
      <nav aria-label={t('主导航', 'Main')}>
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          {nav.map((n) => (
            <Link key={n.key} to={n.key} onClick={onClose} aria-current={selected.includes(n.key) ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
          <LanguageSwitch />
          {session ? (
            <>
              <span data-testid="signed-in-as">
                {session.principal.name} · {label.role(session.principal.role)}
              </span>
              <Button onClick={onSignOut}>{t('退出', 'Sign out')}</Button>
            </>
          ) : (
            <Button
              type="primary"
              onClick={() => {
                onClose();
                navigate('/sign-in');
              }}
            >
              {t('登录', 'Sign in')}
            </Button>
          )}
        </Space>
      </nav>
    </Drawer>
  );
}

function NotFound({ path }: { path: string }) {
  const { t } = useI18n();
  return (
    <Typography.Paragraph>
      {t('没有这个页面。', 'There is no such page.')} <Link to="/">{t('返回首页', 'Back to the start')}</Link>
      <span style={{ display: 'none' }}>{path}</span>
    </Typography.Paragraph>
  );
}

function Forbidden() {
  const { t } = useI18n();
  return (
    <Typography.Paragraph>
      {t('此页面需要登录相应角色。', 'This page needs a sign-in with another role.')} <Link to="/sign-in">{t('登录', 'Sign in')}</Link>
    </Typography.Paragraph>
  );
}

function Pages() {
  const { path } = useLocation();
  const session = useSession();
  if (path === '/') {
    if (session) {
      queueMicrotask(() => navigate(HOME[session.principal.role], { replace: true }));
      return null;
    }
    return <PublicHome />;
  }
  for (const r of ROUTES) {
    const params = match(r.pattern, path);
    if (!params) continue;
    if (r.action && (!session || !mayAccess(session.principal, r.action))) return <Forbidden />;
    return r.render(params);
  }
  return <NotFound path={path} />;
}

const reducedMotion = typeof window !== 'undefined' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;

/** The console's theme: its colours, and motion unless the viewer asked for less. */
const THEME: ThemeConfig = {
  // darker than Ant Design's defaults, so that text on tags, links and alerts reads at 4.5:1 (WCAG AA)
  token: {
    colorPrimary: '#a8071a',
    colorLink: '#0747a6',
    // form errors, danger buttons: red that reads at 4.5:1 on white
    colorError: '#cf1322',
    colorSuccessText: '#135200',
    colorInfoText: '#003a8c',
    colorWarningText: '#613400',
    colorErrorText: '#820014',
    borderRadius: 4,
    colorTextSecondary: 'rgba(0, 0, 0, 0.68)',
    colorTextDescription: 'rgba(0, 0, 0, 0.68)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.55)',
    colorTextDisabled: 'rgba(0, 0, 0, 0.55)',
    motion: !reducedMotion,
  },
  components: {
    // white on the header's red, readable (contrast ≥ 4.5:1)
    Descriptions: { labelColor: 'rgba(0, 0, 0, 0.72)' },
    Menu: {
      darkItemBg: 'transparent',
      darkItemColor: '#ffffff',
      darkItemHoverColor: '#ffffff',
      darkItemSelectedBg: '#5c0011',
      darkItemSelectedColor: '#ffffff',
    },
  },
};

export function App() {
  const { lang, t } = useI18n();
  const session = useSession();
  const phone = useIsPhone();
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);
  // Date pickers name months and weekdays in the console's language.
  dayjs.locale(lang === 'zh' ? 'zh-cn' : 'en');
  // A sign-in link's code is in the fragment: trade it for a session and take it out of the address bar.
  useEffect(() => {
    void redeemFromFragment();
  }, []);
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} button={{ autoInsertSpace: false }} theme={THEME}>
      <AntApp>
        <Layout style={{ minHeight: '100vh' }}>
          <Header />
          <Layout.Content
            style={{ padding: phone ? '12px 12px' : '16px 24px', maxWidth: 1400, width: '100%', margin: '0 auto', minWidth: 0 }}
          >
            <main>
              <Suspense fallback={<Spin aria-label={t('加载中', 'Loading')} />}>
                <Pages />
              </Suspense>
            </main>
          </Layout.Content>
          <Layout.Footer style={{ textAlign: 'center', color: '#595959', paddingInline: phone ? 12 : 50 }}>
            massline · {t('每一项决定都记录在工作流历史中', 'every decision is recorded in its workflow history')}
            {/* The API's documentation is for the staff who integrate with it, not for citizens. */}
            {session ? (
              <>
                {' '}
                · <a href="/docs">{t('接口文档', 'API')}</a>
              </>
            ) : null}
          </Layout.Footer>
        </Layout>
      </AntApp>
    </ConfigProvider>
  );
}
