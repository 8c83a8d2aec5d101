import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';

export interface UnitLight {
  id: string;
  code: string;
  name: string;
  batch: number;
  groupId: string;
  /** null until its batch opens. */
  phase: string | null;
  status: string;
  card: string;
}

const PAGE = 500;

/**
 * Every unit of a campaign with its phase and card (GET /api/campaigns/:id/units, 500 a page, six pages at a
 * time): what the dashboard's lights, the group counts and the unit pickers show.
 */
export function useAllUnits(campaignId: string, opts: { refetchInterval?: (units: number) => number } = {}) {
  const { refetchInterval } = opts;
  return useQuery({
    queryKey: ['all-units', campaignId],
    // No campaign chosen yet (a picker still loading): nothing to ask for.
    enabled: !!campaignId,
    refetchInterval: refetchInterval ? (q) => refetchInterval(q.state.data?.length ?? 0) : undefined,
    queryFn: async (): Promise<UnitLight[]> => {
      const page = (n: number) =>
        call(api.GET('/api/campaigns/{id}/units', { params: { path: { id: campaignId }, query: { page: n, pageSize: PAGE } } }));
      const first = await page(1);
      const pages = Math.ceil(first.total / PAGE);
      const rest: Array<typeof first> = [];
      for (let n = 2; n <= pages; n += 6) {
        rest.push(...(await Promise.all(Array.from({ length: Math.min(6, pages - n + 1) }, (_, i) => page(n + i)))));
      }
      return [first, ...rest].flatMap((p) =>
        p.items.map((u) => ({
          id: u.id,
          code: u.code,
          name: u.name,
          batch: u.batch,
          groupId: u.groupId,
          phase: u.phase,
          status: u.status,
          card: u.card,
        })),
      );
    },
  });
}
