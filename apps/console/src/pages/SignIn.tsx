// Sign-in: a one-time link from the office (/sign-in#code=…) is traded for a session at once and the code
// removed from the address bar; or a principal's token is pasted once. Either is kept for this tab only.
import { Button, Card, Form, Input, Typography, type FormInstance } from 'antd';
import { useEffect, useState } from 'react';
import { api, call, toApiError } from '../api/client';
import { asSessionPrincipal, setSession, useSession, type SessionPrincipal } from '../api/session';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { ErrorNote, applyFieldErrors, useWords } from '../ui/errors';

const HOME: Record<SessionPrincipal['role'], string> = { office: '/office', supervisor: '/inbox', unit: '/unit', auditor: '/audit' };

let redeemError: unknown;
const redeemListeners = new Set<(e: unknown) => void>();

/** Trades a `#code=` in the address for a session, removing it from the URL (and the history) first. */
export async function redeemFromFragment(): Promise<void> {
  const m = /(?:^#|&)code=([^&]+)/.exec(window.location.hash);
  if (!m) return;
  const code = decodeURIComponent(m[1]);
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  try {
    const session = await call(api.POST('/api/sign-in', { body: { code } }));
    setSession({ token: session.token, principal: session.principal, viaLink: true });
    navigate(HOME[session.principal.role], { replace: true });
  } catch (e) {
    redeemError = e;
    redeemListeners.forEach((l) => l(e));
    navigate('/sign-in', { replace: true });
  }
}

/**
 * Signs in with a pasted token: /api/me names its principal, and the session is kept for this tab. An unknown
 * token is said on the field; a sign-in link that failed shows its error here too.
 */
function useTokenSignIn(form: FormInstance<{ token: string }>) {
  const { t } = useI18n();
  const words = useWords();
  const [error, setError] = useState<unknown>(redeemError);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    redeemListeners.add(setError);
    return () => void redeemListeners.delete(setError);
  }, []);

  const submit = async ({ token }: { token: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      const res = await fetch('/api/me', { headers: { authorization: `Bearer ${token.trim()}` } });
      const body: unknown = await res.json().catch(() => undefined);
      if (!res.ok) throw toApiError(res.status, body, res.headers);
      const principal = asSessionPrincipal(body);
      if (!principal) throw new Error('/api/me answered without a principal');
      setSession({ token: token.trim(), principal, viaLink: false });
      form.resetFields();
      navigate(HOME[principal.role], { replace: true });
    } catch (e) {
      if (e instanceof Error && 'status' in e && (e as { status: number }).status === 401) {
        form.setFields([{ name: 'token', errors: [t('令牌无效或已撤销', 'Unknown or revoked token')] }]);
      } else if (!applyFieldErrors(form, e, ['token'], words)) setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { submit, error, busy };
}

export function SignInPage() {
  const { t } = useI18n();
  const session = useSession();
  const [form] = Form.useForm<{ token: string }>();
  const { submit, error, busy } = useTokenSignIn(form);

  return (
    <Card style={{ maxWidth: 560, margin: '24px auto' }}>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t('登录', 'Sign in')}
      </Typography.Title>
      {session ? (
        <Typography.Paragraph>
          {t('已登录：', 'Signed in as ')} {session.principal.name}
        </Typography.Paragraph>
      ) : null}
      <Typography.Paragraph>
        {t(
          '请打开活动办公室发给您的一次性登录链接；或粘贴您的令牌。令牌只保存在本标签页中，关闭即失效。',
          'Open the one-time sign-in link the campaign office gave you, or paste your token. It is kept in this tab only and forgotten when the tab closes.',
        )}
      </Typography.Paragraph>
      <Form name="SignIn-1" form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
        <Form.Item name="token" label={t('令牌', 'Token')} rules={[{ required: true, message: t('请输入令牌', 'Enter a token') }]}>
          <Input.Password autoComplete="off" data-testid="token-input" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('登录', 'Sign in')}
        </Button>
      </Form>
      <ErrorNote error={error} />
    </Card>
  );
}
