// Every unit of a campaign as a table the server pages: found by code or name, filtered by batch, phase, card
// and group, sorted by any column, and the filtered list exported to Excel (.xlsx). Holds 10,000 units: the
// browser only ever has one page, the export reads the filtered list page by page.
import { useQuery } from '@tanstack/react-query';
import { Button, Input, Select, Space, Table, Typography } from 'antd';
import type { ColumnsType, SorterResult } from 'antd/es/table/interface';
import { useState } from 'react';
import type { SheetData } from 'write-excel-file/browser';
import { CARDS, PHASES, type Card, type Phase, BATCHES, isActivePhase } from '../../../../../libs/domain/src';
import { api, call } from '../../api/client';
import type { components, operations } from '../../api/generated/schema';
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
type UnitsQuery = NonNullable<operations['CampaignsController_listUnits']['parameters']['query']>;
type UnitEntry = components['schemas']['UnitListEntryDto'];
const PAGE_SIZES = [20, 50, 100];
const EXPORT_PAGE = 500;

const listQuery = (f: Filters, page: number, pageSize: number): UnitsQuery => ({
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

/** A unit waiting for its batch has no phase: its status says why. */
const useStatusText = () => {
  const { t } = useI18n();
  return (u: { status: string }) => (u.status === 'waiting' ? t('批次未开始', 'Batch not open') : '');
};

export function UnitsTable({ campaignId, linkTo = (id) => `/units/${id}` }: { campaignId: string; linkTo?: (unitId: string) => string }) {
  const { t } = useI18n();
  const [filters, setFilters] = useState<Filters>({ sort: 'code', order: 'asc' });
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const exporter = useUnitsExport(campaignId, filters);
  const units = useQuery({
    queryKey: ['units', campaignId, filters, page, pageSize],
    queryFn: () =>
      call(api.GET('/api/campaigns/{id}/units', { params: { path: { id: campaignId }, query: listQuery(filters, page, pageSize) } })),
    placeholderData: (prev) => prev,
  });
  const set = (patch: Partial<Filters>) => {
    setFilters((f) => ({ ...f, ...patch }));
    setPage(1);
  };
  const columns = useUnitColumns(filters, linkTo);
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="units-table">
      <Space wrap>
        <UnitFilters campaignId={campaignId} filters={filters} onChange={set} />
        <Button onClick={exporter.start} loading={!!exporter.progress} data-testid="units-export">
          {exporter.progress
            ? t(
                `导出中 ${exporter.progress.done}/${exporter.progress.total}`,
                `Exporting ${exporter.progress.done}/${exporter.progress.total}`,
              )
            : t('导出 Excel', 'Export to Excel')}
        </Button>
      </Space>
      <ErrorNote error={units.error ?? exporter.error} />
      <Typography.Text data-testid="units-total">
        {t(`共 ${units.data?.total ?? 0} 个单位`, `${units.data?.total ?? 0} units`)}
      </Typography.Text>
      <Table<UnitEntry>
        rowKey="id"
        size="small"
        loading={units.isFetching}
        dataSource={units.data?.items ?? []}
        scroll={{ x: 900 }}
        onChange={(_p, _f, sorter) => {
          const s = sorter as SorterResult<UnitEntry>;
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
        columns={columns}
      />
    </Space>
  );
}

/** Finding by code or name, and the batch, phase, card and group filters. */
function UnitFilters({
  campaignId,
  filters,
  onChange,
}: {
  campaignId: string;
  filters: Filters;
  onChange: (patch: Partial<Filters>) => void;
}) {
  const { t, label } = useI18n();
  const groups = useGroups(campaignId);
  return (
    <>
      <Input.Search
        aria-label={t('按代码或名称查找单位', 'Find a unit by code or name')}
        placeholder={t('代码或名称', 'Code or name')}
        allowClear
        data-testid="units-search"
        style={{ width: 260 }}
        onSearch={(v) => onChange({ q: v.trim() || undefined })}
      />
      <Select
        aria-label={t('批次', 'Batch')}
        placeholder={t('全部批次', 'All batches')}
        allowClear
        style={{ width: 120 }}
        value={filters.batch}
        onChange={(v) => onChange({ batch: v })}
        options={BATCHES.map((b) => ({ value: b, label: t(`第${b}批`, `Batch ${b}`) }))}
      />
      <Select
        aria-label={t('环节', 'Phase')}
        placeholder={t('全部环节', 'All phases')}
        allowClear
        style={{ width: 200 }}
        value={filters.phase}
        onChange={(v) => onChange({ phase: v })}
        options={PHASES.map((p) => ({ value: p, label: label.phase(p) }))}
      />
      <Select
        aria-label={t('亮牌', 'Card')}
        placeholder={t('全部亮牌', 'All cards')}
        allowClear
        style={{ width: 120 }}
        value={filters.card}
        onChange={(v) => onChange({ card: v })}
        options={CARDS.map((c) => ({ value: c, label: label.card(c) }))}
      />
      <Select
        aria-label={t('督导组', 'Group')}
        placeholder={t('全部督导组', 'All groups')}
        allowClear
        style={{ width: 180 }}
        value={filters.groupId}
        onChange={(v) => onChange({ groupId: v })}
        options={(groups.data?.items ?? []).map((g) => ({ value: g.id, label: g.name }))}
      />
    </>
  );
}

/** The table's columns, each sortable on the server but the gates. */
function useUnitColumns(filters: Filters, linkTo: (unitId: string) => string): ColumnsType<UnitEntry> {
  const { t, label, time } = useI18n();
  const statusText = useStatusText();
  const sorted = (key: Sort) => (filters.sort === key ? (filters.order === 'asc' ? ('ascend' as const) : ('descend' as const)) : null);
  return [
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
      render: (b: number) => t(`第${b}批`, `Batch ${b}`),
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
          : u.phase && isActivePhase(u.phase)
            ? t('均已满足', 'all met')
            : '—',
    },
  ];
}

/** The filtered list, every page of it (500 a page), as an Excel file; its progress and error while it runs. */
function useUnitsExport(campaignId: string, filters: Filters) {
  const { t, label, time } = useI18n();
  const statusText = useStatusText();
  const [progress, setProgress] = useState<{ done: number; total: number }>();
  const [error, setError] = useState<unknown>();

  const readAll = async (): Promise<UnitEntry[]> => {
    const page = (p: number) =>
      call(api.GET('/api/campaigns/{id}/units', { params: { path: { id: campaignId }, query: listQuery(filters, p, EXPORT_PAGE) } }));
    const first = await page(1);
    const rows = [...first.items];
    setProgress({ done: rows.length, total: first.total });
    for (let p = 2; rows.length < first.total; p++) {
      const next = await page(p);
      if (!next.items.length) break;
      rows.push(...next.items);
      setProgress({ done: rows.length, total: first.total });
    }
    return rows;
  };

  const sheet = (rows: UnitEntry[]): SheetData => [
    [
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
    ].map((h) => ({ value: h, fontWeight: 'bold' as const })),
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

  const run = async () => {
    setError(undefined);
    try {
      const rows = await readAll();
      const { default: writeXlsxFile } = await import('write-excel-file/browser');
      await writeXlsxFile(sheet(rows), {
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
      }).toFile(`units-${new Date().toISOString().slice(0, 10)}.xlsx`);
    } catch (e) {
      setError(e);
    } finally {
      setProgress(undefined);
    }
  };
  // Its errors are kept in `error`, shown by the table.
  const start = () => void run();
  return { start, progress, error };
}
