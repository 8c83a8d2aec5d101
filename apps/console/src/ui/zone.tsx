// The campaign's zone for what a page shows and reads: its plan's utcOffset (+08:00 by default).
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api, call, present } from '../api/client';
import { useSession } from '../api/session';
import { useI18n, ZoneProvider, zoneName } from '../i18n';

/** The utcOffset of a campaign the signed-in principal may read (shared with the campaign page's query). */
export function useCampaignOffset(campaignId: string | undefined | null): string | undefined {
  const session = useSession();
  const campaign = useQuery({
    queryKey: ['campaign', campaignId ?? ''],
    enabled: !!campaignId && !!session,
    queryFn: () => call(api.GET('/api/campaigns/{id}', { params: { path: { id: present(campaignId, 'campaign id') } } })),
    staleTime: 60_000,
  });
  return campaign.data?.plan.calendar?.utcOffset;
}

/** Everything inside reads and shows times in the campaign's zone. */
export function CampaignZone({ campaignId, children }: { campaignId: string | undefined | null; children: ReactNode }) {
  return <ZoneProvider offset={useCampaignOffset(campaignId)}>{children}</ZoneProvider>;
}

/** A line that says in which zone the page's times are. */
export function ZoneNote() {
  const { t, zone } = useI18n();
  return (
    <span className="zone-note" style={{ fontSize: 12, color: '#434343' }}>
      {t(`本页时间均为活动所在时区（${zoneName(zone)}）`, `Times on this page are in the campaign's zone (${zoneName(zone)})`)}
    </span>
  );
}
