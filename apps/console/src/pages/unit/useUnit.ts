import { useQuery } from '@tanstack/react-query';
import { api, call, present } from '../../api/client';
import { fetchPage, type DocKind } from '../../api/unit-docs';

export const unitKey = (id: string) => ['unit', id] as const;
export const docsKey = (id: string, kind?: DocKind) => (kind ? (['docs', id, kind] as const) : (['docs', id] as const));

/** A unit's view, read from its workflow; polled while something of its own may change (cards, disclosure). */
export function useUnit(id: string | undefined) {
  return useQuery({
    queryKey: unitKey(id ?? ''),
    enabled: !!id,
    queryFn: () => call(api.GET('/api/units/{id}', { params: { path: { id: present(id, 'unit id') } } })),
    refetchInterval: 10_000,
  });
}

/**
 * One page of a unit's documents. The lists are the read model, written by the workflow's projection just
 * after a decision is taken: looked at again every few seconds, so what was just added shows up by itself.
 */
export function useDocs<K extends DocKind>(id: string, kind: K, page: number, pageSize = 10) {
  return useQuery({
    queryKey: [...docsKey(id, kind), page, pageSize],
    queryFn: () => fetchPage(id, kind, page, pageSize),
    refetchInterval: 3_000,
  });
}
