// Tables that become cards on a phone: below 576 px (Ant Design's `sm`) each row is a card of label: value
// lines, so that nothing wraps one character a line or scrolls sideways.
import { Card, Grid, List, Table, type TableProps } from 'antd';
import type { ColumnType } from 'antd/es/table';
import type { ReactNode } from 'react';

export const useIsPhone = (): boolean => {
  const screens = Grid.useBreakpoint();
  // Before the first measure, screens is empty: judge by the window.
  if (screens.sm === undefined) return typeof window !== 'undefined' && window.innerWidth < 576;
  return !screens.sm;
};

/** A column's React key: its key, else its dataIndex (a path joined), else its place. */
function columnKey<T>(c: ColumnType<T>, j: number): string {
  if (c.key !== undefined) return String(c.key);
  const d: unknown = c.dataIndex;
  if (Array.isArray(d)) return d.join(',');
  return typeof d === 'string' || typeof d === 'number' ? String(d) : String(j);
}

export function ResponsiveTable<T extends object>(
  props: Omit<TableProps<T>, 'columns'> & { columns: Array<ColumnType<T>>; cardTitle?: (row: T) => ReactNode },
) {
  const phone = useIsPhone();
  if (!phone) return <Table<T> {...props} />;
  const { columns, dataSource, rowKey, pagination, loading, locale, cardTitle } = props;
  const keyOf = (row: T, i: number) =>
    String(typeof rowKey === 'function' ? rowKey(row, i) : rowKey ? (row as Record<string, unknown>)[rowKey as string] : i);
  const cell = (c: ColumnType<T>, row: T, i: number): ReactNode => {
    const value = c.dataIndex ? (row as Record<string, unknown>)[c.dataIndex as string] : undefined;
    return c.render ? (c.render(value, row, i) as ReactNode) : (value as ReactNode);
  };
  return (
    <List
      data-testid={(props as { 'data-testid'?: string })['data-testid']}
      loading={!!loading}
      dataSource={[...(dataSource ?? [])]}
      locale={locale?.emptyText ? { emptyText: locale.emptyText as ReactNode } : undefined}
      pagination={
        pagination
          ? {
              current: pagination.current,
              pageSize: pagination.pageSize,
              total: pagination.total,
              onChange: pagination.onChange,
              hideOnSinglePage: pagination.hideOnSinglePage,
              size: 'small',
              simple: true,
            }
          : false
      }
      renderItem={(row, i) => (
        <List.Item key={keyOf(row, i)} style={{ display: 'block', paddingInline: 0 }}>
          <Card size="small" title={cardTitle ? cardTitle(row) : undefined} className="row-card">
            {columns.map((c, j) => (
              <div key={columnKey(c, j)} style={{ display: 'flex', gap: 8, padding: '2px 0', overflowWrap: 'anywhere' }}>
                {c.title ? (
                  <span style={{ color: 'rgba(0,0,0,0.68)', flex: '0 0 auto', maxWidth: '40%' }}>{c.title as ReactNode}：</span>
                ) : null}
                <span style={{ flex: '1 1 auto', minWidth: 0 }}>{cell(c, row, i)}</span>
              </div>
            ))}
          </Card>
        </List.Item>
      )}
    />
  );
}
