// Every unit of a campaign as a table the server pages: found by code or name, filtered by batch, phase, card
// and group, sorted by any column, and the filtered list exported to Excel (.xlsx). Holds 10,000 units: the
// browser only ever has one page, the export reads the filtered list page by page.
import { useQuery } from '@tanstack/react-query';
import { Button, Input, Select, Space, Table, Typography } from 'antd';
import type { SorterResult } from 'antd/es/table/interface';
import { useState } from 'react';
import { ACTIVE_PHASES, CARDS, PHASES, type Card, type Phase, BATCHES } from '../../../../../libs/domain/src';
import { api, call } from '../../api/client';
import { useI18n } from '../../i18n';
import { Link } from '../../router';
import { CardTag, PhaseTag } from '../../ui/domain';
import { ErrorNote } from '../../ui/errors';
import { useGroups } from './Groups';

type Sort = 'code' | 'name' | 'batch' | 'phase' | 'card' | 'group' | 'windowEndsAt';
interface Filters {
  q?: string;
  batch?: 1 | 2;
  phase?: Phase;
  card?: Card;
  groupId?: string;
  sort: Sort;
  order: 'asc' | 'desc';
}
const PAGE_SIZES = [20, 50, 100];
const EXPORT_PAGE = 500;

const listQuery = (f: Filters, page: number, pageSize: number) => ({
  page,
  pageSize,
  sort: f.sort,
  order: f.order,
  ...(f.q ? { q: f.q } : {}),
  ...(f.batch ? { batch: f.batch } : {}),
  ...(f.phase ? { phase: f.phase } : {}),
  ...(f.card ? { card: f.card } : {}),
  ...(f.groupId ? { groupId: f.groupId } : {}),
});

export function UnitsTable({ campaignId, linkTo = (id) => `/units/${id}` }: { campaignId: string; linkTo?: (unitId: string) => string }) {
  const { t, label, time } = useI18n();
  const groups = useGroups(campaignId);
  const [filters, setFilters] = useState<Filters>({ sort: 'code', order: 'asc' });
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [exporting, setExporting] = useState<{ done: number; total: number }>();
  const [exportError, setExportError] = useState<unknown>();
  const units = useQuery({
    queryKey: ['units', campaignId, filters, page, pageSize],
    queryFn: () =>
      call(
        api.GET('/api/campaigns/{id}/units', { params: { path: { id: campaignId }, query: listQuery(filters, page, pageSize) as never } }),
      ),
    placeholderData: (prev) => prev,
  });
  const groupItems = (groups.data?.items ?? []) as Array<{ id: string; name: string }>;
  const set = (patch: Partial<Filters>) => {
    setFilters((f) => ({ ...f, ...patch }));
    setPage(1);
  };
  const statusText = (u: { status: string; phase: string | null }) => (u.status === 'waiting' ? t('批次未开始', 'Batch not open') : '');

  /** The filtered list, every page of it, as an Excel file. */
  const exportXlsx = async () => {
    setExportError(undefined);
    try {
      const first = await call(
        api.GET('/api/campaigns/{id}/units', { params: { path: { id: campaignId }, query: listQuery(filters, 1, EXPORT_PAGE) as never } }),
      );
      const rows = [...first.items];
      setExporting({ done: rows.length, total: first.total });
      for (let p = 2; rows.length < first.total; p++) {
        const next = await call(
          api.GET('/api/campaigns/{id}/units', {
            params: { path: { id: campaignId }, query: listQuery(filters, p, EXPORT_PAGE) as never },
          }),
        );
        if (!next.items.length) break;
        rows.push(...next.items);
        setExporting({ done: rows.length, total: first.total });
      }
      const { default: writeXlsxFile } = await import('write-excel-file/browser');
      const header = [
        t('代码', 'Code'),
        t('名称', 'Name'),
        t('类型', 'Kind'),
        t('层级', 'Level'),
        t('批次', 'Batch'),
        t('督导组', 'Group'),
        t('环节', 'Phase'),
        t('亮牌', 'Card'),
        t('环节截止', 'Window ends'),
        t('待满足条件', 'Gates unmet'),
      ];
      const data = [
        header.map((h) => ({ value: h, fontWeight: 'bold' as const })),
        ...rows.map((u) => [
          { value: u.code },
          { value: u.name },
          { value: label.kind(u.kind) },
          { value: label.level(u.level) },
          { value: u.batch },
          { value: u.groupName },
          { value: u.phase ? label.phase(u.phase) : statusText(u) },
          { value: label.card(u.card) },
          { value: u.window ? time(u.window.endsAt) : '' },
          { value: u.unmetGates.map((g) => label.gate(g)).join('；') },
        ]),
      ];
      await writeXlsxFile(
        data as never,
        {
          sheet: t('参加单位', 'Units'),
          stickyRowsCount: 1,
          columns: [
            { width: 14 },
            { width: 36 },
            { width: 10 },
            { width: 8 },
            { width: 6 },
            { width: 18 },
            { width: 20 },
            { width: 8 },
            { width: 18 },
            { width: 40 },
          ],
        } as never,
      ).toFile(`units-${new Date().toISOString().slice(0, 10)}.xlsx`);
    } catch (e) {
      setExportError(e);
    } finally {
      setExporting(undefined);
    }
  };

  const sorted = (key: Sort) => (filters.sort === key ? (filters.order === 'asc' ? ('ascend' as const) : ('descend' as const)) : null);
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="units-table">
      <Space wrap>
        <Input.Search
          aria-label={t('按代码或名称查找单位', 'Find a unit by code or name')}
          placeholder={t('代码或名称', 'Code or name')}
          allowClear
          data-testid="units-search"
          style={{ width: 260 }}
          onSearch={(v) => set({ q: v.trim() || undefined })}
        />
        <Select
          aria-label={t('批次', 'Batch')}
          placeholder={t('全部批次', 'All batches')}
          allowClear
          style={{ width: 120 }}
          value={filters.batch}
          onChange={(v) => set({ batch: v })}
          options={BATCHES.map((b) => ({ value: b, label: t(`第${b}批`, `Batch ${b}`) }))}
        />
        <Select
          aria-label={t('环节', 'Phase')}
          placeholder={t('全部环节', 'All phases')}
          allowClear
          style={{ width: 200 }}
          value={filters.phase}
          onChange={(v) => set({ phase: v })}
          options={PHASES.map((p) => ({ value: p, label: label.phase(p) }))}
        />
        <Select
          aria-label={t('亮牌', 'Card')}
          placeholder={t('全部亮牌', 'All cards')}
          allowClear
          style={{ width: 120 }}
          value={filters.card}
          onChange={(v) => set({ card: v })}
          options={CARDS.map((c) => ({ value: c, label: label.card(c) }))}
        />
        <Select
          aria-label={t('督导组', 'Group')}
          placeholder={t('全部督导组', 'All groups')}
          allowClear
          style={{ width: 180 }}
          value={filters.groupId}
          onChange={(v) => set({ groupId: v })}
          options={groupItems.map((g) => ({ value: g.id, label: g.name }))}
        />
        <Button onClick={exportXlsx} loading={!!exporting} data-testid="units-export">
          {exporting
            ? t(`导出中 ${exporting.done}/${exporting.total}`, `Exporting ${exporting.done}/${exporting.total}`)
            : t('导出 Excel', 'Export to Excel')}
        </Button>
      </Space>
      <ErrorNote error={units.error ?? exportError} />
      <Typography.Text data-testid="units-total">
        {t(`共 ${units.data?.total ?? 0} 个单位`, `${units.data?.total ?? 0} units`)}
      </Typography.Text>
      <Table
        rowKey="id"
        size="small"
        loading={units.isFetching}
        dataSource={units.data?.items ?? []}
        scroll={{ x: 900 }}
        onChange={(_p, _f, sorter) => {
          const s = sorter as SorterResult<unknown>;
          if (s.order) set({ sort: s.columnKey as Sort, order: s.order === 'descend' ? 'desc' : 'asc' });
          else set({ sort: 'code', order: 'asc' });
        }}
        pagination={{
          current: page,
          pageSize,
          total: units.data?.total ?? 0,
          pageSizeOptions: PAGE_SIZES,
          showSizeChanger: true,
          showTotal: (n) => t(`共 ${n} 个`, `${n} in all`),
          onChange: (p, s) => {
            setPage(s !== pageSize ? 1 : p);
            setPageSize(s);
          },
        }}
        locale={{
          emptyText:
            filters.q || filters.batch || filters.phase || filters.card || filters.groupId
              ? t('没有符合条件的单位', 'No unit matches')
              : t('尚无参加单位', 'No unit enrolled yet'),
        }}
        columns={[
          { key: 'code', title: t('代码', 'Code'), dataIndex: 'code', sorter: true, sortOrder: sorted('code') },
          {
            key: 'name',
            title: t('名称', 'Name'),
            sorter: true,
            sortOrder: sorted('name'),
            render: (_, u) => <Link to={linkTo(u.id)}>{u.name}</Link>,
          },
          {
            key: 'batch',
            title: t('批次', 'Batch'),
            dataIndex: 'batch',
            sorter: true,
            sortOrder: sorted('batch'),
            render: (b) => t(`第${b}批`, `Batch ${b}`),
          },
          { key: 'group', title: t('督导组', 'Group'), dataIndex: 'groupName', sorter: true, sortOrder: sorted('group') },
          {
            key: 'phase',
            title: t('环节', 'Phase'),
            sorter: true,
            sortOrder: sorted('phase'),
            render: (_, u) => (u.phase ? <PhaseTag phase={u.phase} /> : statusText(u)),
          },
          { key: 'card', title: t('亮牌', 'Card'), sorter: true, sortOrder: sorted('card'), render: (_, u) => <CardTag card={u.card} /> },
          {
            key: 'windowEndsAt',
            title: t('环节截止', 'Window ends'),
            sorter: true,
            sortOrder: sorted('windowEndsAt'),
            render: (_, u) => (u.window ? time(u.window.endsAt) : '—'),
          },
          {
            key: 'gates',
            title: t('待满足条件', 'Gates unmet'),
            render: (_, u) =>
              u.unmetGates.length
                ? u.unmetGates.map((g) => label.gate(g)).join('；')
                : u.phase && ACTIVE_PHASES.includes(u.phase as never)
                  ? t('均已满足', 'all met')
                  : '—',
          },
        ]}
      />
    </Space>
  );
}
