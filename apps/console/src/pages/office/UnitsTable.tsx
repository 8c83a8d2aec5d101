// Every unit of a campaign as a table the server pages: found by code or name, filtered by batch, phase, card
// and group, sorted by any column, and the filtered list exported to Excel (.xlsx). Holds 10,000 units: the
// browser only ever has one page, the export reads the filtered list page by page.
import { useQuery } from '@tanstack/react-query';
import { Button, Input, Space, Table, Typography } from 'antd';
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
import { FilterSelect } from '../../ui/forms';
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
type UnitList = components['schemas']['UnitListDto'];
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
  const units = useUnitsPage(campaignId, filters, page, pageSize);
  const set = (patch: Partial<Filters>) => {
    setFilters((f) => ({ ...f, ...patch }));
    setPage(1);
  };
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="units-table">
      <Space wrap>
        <UnitFilters campaignId={campaignId} filters={filters} onChange={set} />
        <ExportButton exporter={exporter} />
      </Space>
      <ErrorNote error={units.error ?? exporter.error} />
      <Typography.Text data-testid="units-total">
        {t(`共 ${units.data?.total ?? 0} 个单位`, `${units.data?.total ?? 0} units`)}
      </Typography.Text>
      <UnitsPage
        units={units.data}
        loading={units.isFetching}
        filters={filters}
        onFilter={set}
        page={page}
        pageSize={pageSize}
        onPage={(p, s) => {
          setPage(s !== pageSize ? 1 : p);
          setPageSize(s);
        }}
        linkTo={linkTo}
      />
    </Space>
  );
}

/** The page of units shown; the previous page stays while the next loads. */
const useUnitsPage = (campaignId: string, filters: Filters, page: number, pageSize: number) =>
  useQuery({
    queryKey: ['units', campaignId, filters, page, pageSize],
    queryFn: () =>
      call(api.GET('/api/campaigns/{id}/units', { params: { path: { id: campaignId }, query: listQuery(filters, page, pageSize) } })),
    placeholderData: (prev) => prev,
  });

/** Starts the export, and counts the units read while it runs. */
function ExportButton({ exporter }: { exporter: ReturnType<typeof useUnitsExport> }) {
  const { t } = useI18n();
  return (
    <Button onClick={exporter.start} loading={!!exporter.progress} data-testid="units-export">
      {exporter.progress
        ? t(`导出中 ${exporter.progress.done}/${exporter.progress.total}`, `Exporting ${exporter.progress.done}/${exporter.progress.total}`)
        : t('导出 Excel', 'Export to Excel')}
    </Button>
  );
}

/** A column's sort as the list's; a sort cleared goes back to code order. */
const listSort = (s: SorterResult<UnitEntry>): Pick<Filters, 'sort' | 'order'> =>
  s.order ? { sort: s.columnKey as Sort, order: s.order === 'descend' ? 'desc' : 'asc' } : { sort: 'code', order: 'asc' };

/** One page of units: sorting a column sorts the whole list on the server; turning the page reads another. */
function UnitsPage({
  units,
  loading,
  filters,
  onFilter,
  page,
  pageSize,
  onPage,
  linkTo,
}: {
  units: UnitList | undefined;
  loading: boolean;
  filters: Filters;
  onFilter: (patch: Partial<Filters>) => void;
  page: number;
  pageSize: number;
  onPage: (page: number, pageSize: number) => void;
  linkTo: (unitId: string) => string;
}) {
  const { t } = useI18n();
  const columns = useUnitColumns(filters, linkTo);
  return (
    <Table<UnitEntry>
      rowKey="id"
      size="small"
      loading={loading}
      dataSource={units?.items ?? []}
      scroll={{ x: 900 }}
      onChange={(_p, _f, sorter) => onFilter(listSort(sorter as SorterResult<UnitEntry>))}
      pagination={{
        current: page,
        pageSize,
        total: units?.total ?? 0,
        pageSizeOptions: PAGE_SIZES,
        showSizeChanger: true,
        showTotal: (n) => t(`共 ${n} 个`, `${n} in all`),
        onChange: onPage,
      }}
      locale={{
        emptyText:
          filters.q || filters.batch || filters.phase || filters.card || filters.groupId
            ? t('没有符合条件的单位', 'No unit matches')
            : t('尚无参加单位', 'No unit enrolled yet'),
      }}
      columns={columns}
    />
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
      <UnitSearch onSearch={(q) => onChange({ q })} />
      <FilterSelect
        label={t('批次', 'Batch')}
        placeholder={t('全部批次', 'All batches')}
        width={120}
        value={filters.batch}
        onChange={(v) => onChange({ batch: v })}
        options={BATCHES.map((b) => ({ value: b, label: t(`第${b}批`, `Batch ${b}`) }))}
      />
      <FilterSelect
        label={t('环节', 'Phase')}
        placeholder={t('全部环节', 'All phases')}
        width={200}
        value={filters.phase}
        onChange={(v) => onChange({ phase: v })}
        options={PHASES.map((p) => ({ value: p, label: label.phase(p) }))}
      />
      <FilterSelect
        label={t('亮牌', 'Card')}
        placeholder={t('全部亮牌', 'All cards')}
        width={120}
        value={filters.card}
        onChange={(v) => onChange({ card: v })}
        options={CARDS.map((c) => ({ value: c, label: label.card(c) }))}
      />
      <FilterSelect
        label={t('督导组', 'Group')}
        placeholder={t('全部督导组', 'All groups')}
        width={180}
        value={filters.groupId}
        onChange={(v) => onChange({ groupId: v })}
        options={(groups.data?.items ?? []).map((g) => ({ value: g.id, label: g.name }))}
      />
    </>
  );
}

/** Finding a unit by code or name; an empty term finds every unit. */
function UnitSearch({ onSearch }: { onSearch: (q: string | undefined) => void }) {
  const { t } = useI18n();
  return (
    <Input.Search
      aria-label={t('按代码或名称查找单位', 'Find a unit by code or name')}
      placeholder={t('代码或名称', 'Code or name')}
      allowClear
      data-testid="units-search"
      style={{ width: 260 }}
      onSearch={(v) => onSearch(v.trim() || undefined)}
    />
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
  const { t } = useI18n();
  const sheet = useUnitsSheet();
  const [progress, setProgress] = useState<ExportProgress>();
  const [error, setError] = useState<unknown>();

  const run = async () => {
    setError(undefined);
    try {
      const rows = await readAllUnits(campaignId, filters, setProgress);
      const { default: writeXlsxFile } = await import('write-excel-file/browser');
      await writeXlsxFile(sheet(rows), {
        sheet: t('参加单位', 'Units'),
        stickyRowsCount: 1,
        columns: SHEET_WIDTHS.map((width) => ({ width })),
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

interface ExportProgress {
  done: number;
  total: number;
}

/** Every unit of the filtered list, read a page after the other; the units read so far reported after each page. */
async function readAllUnits(campaignId: string, filters: Filters, onProgress: (p: ExportProgress) => void): Promise<UnitEntry[]> {
  const page = (p: number) =>
    call(api.GET('/api/campaigns/{id}/units', { params: { path: { id: campaignId }, query: listQuery(filters, p, EXPORT_PAGE) } }));
  const first = await page(1);
  const rows = [...first.items];
  onProgress({ done: rows.length, total: first.total });
  for (let p = 2; rows.length < first.total; p++) {
    const next = await page(p);
    if (!next.items.length) break;
    rows.push(...next.items);
    onProgress({ done: rows.length, total: first.total });
  }
  return rows;
}

/** The sheet's column widths, in the order of its columns (code, name, … gates unmet). */
const SHEET_WIDTHS = [14, 36, 10, 8, 6, 18, 20, 8, 18, 40];

/** The units as the sheet's rows: a bold heading, then one row a unit. */
function useUnitsSheet() {
  const { t, label, time } = useI18n();
  const statusText = useStatusText();
  return (rows: UnitEntry[]): SheetData => [
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
}
