// Picks a campaign from GET /api/campaigns (the newest first); remembers the choice in the URL (?campaign=).
import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useEffect } from 'react';
import { api, call } from '../api/client';
import { useI18n } from '../i18n';
import { navigate, useLocation } from '../router';

export function useCampaignChoice(): [string | undefined, (id: string) => void] {
  const { path, query } = useLocation();
  const chosen = query.get('campaign') ?? undefined;
  const set = (id: string) => {
    const q = new URLSearchParams(query);
    q.set('campaign', id);
    navigate(`${path}?${q}`, { replace: true });
  };
  return [chosen, set];
}

export function CampaignPicker({ value, onChange }: { value?: string; onChange: (id: string) => void }) {
  const { t } = useI18n();
  const campaigns = useQuery({
    queryKey: ['campaigns'],
    queryFn: () => call(api.GET('/api/campaigns', { params: { query: { pageSize: 200 } } })),
  });
  useEffect(() => {
    const first = campaigns.data?.items[0];
    if (!value && first) onChange(first.id);
  }, [campaigns.data, value, onChange]);
  return (
    <Select
      aria-label={t('活动', 'Campaign')}
      style={{ minWidth: 320 }}
      loading={campaigns.isLoading}
      value={value}
      onChange={onChange}
      options={(campaigns.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
    />
  );
}
