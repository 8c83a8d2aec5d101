// Bulk enrolment from a CSV or Excel file: read in the browser, groups matched by name (those missing can
// be formed first), sent 500 rows a call with a progress bar, and one result per row (created, exists, error).
import { Alert, Button, Progress, Space, Table, Tag, Typography, Upload } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { ApiError, api, call, idempotencyKey } from '../../api/client';
import { useI18n } from '../../i18n';
import { ErrorNote, useWords } from '../../ui/errors';
import { wordRefusal } from '../../refusals';
import { readEnrolmentFile, type EnrolRow } from './enrolment-file';
import { groupsKey, useGroups } from './Groups';

const CHUNK = 500;

interface Result {
  line: number;
  code: string;
  status: 'created' | 'exists' | 'error';
  /** Why it was refused, worded (refusals.ts). */
  error?: string;
}

export function Enrolment({ campaignId }: { campaignId: string }) {
  const { t } = useI18n();
  const words = useWords();
  const queries = useQueryClient();
  const groups = useGroups(campaignId);
  const [rows, setRows] = useState<EnrolRow[]>();
  const [fileName, setFileName] = useState<string>();
  const [readError, setReadError] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [sent, setSent] = useState(0);
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<Result[]>([]);
  const [onlyErrors, setOnlyErrors] = useState(false);

  const groupList = ((groups.data as { items?: Array<{ id: string; name: string }> })?.items ?? []) as Array<{ id: string; name: string }>;
  const groupId = useMemo(() => {
    const m = new Map<string, string>();
    for (const g of groupList) {
      m.set(g.name, g.id);
      m.set(g.id, g.id);
    }
    return m;
  }, [groupList]);
  const missingGroups = useMemo(() => [...new Set((rows ?? []).map((r) => r.group).filter((g) => g && !groupId.has(g)))], [rows, groupId]);

  const choose = async (file: File) => {
    setReadError(undefined);
    setResults([]);
    setSent(0);
    setFileName(file.name);
    try {
      setRows(await readEnrolmentFile(file));
    } catch (e) {
      setRows(undefined);
      const column = (e as { column?: string }).column;
      setReadError(
        column ? t(`缺少“${column}”列`, `the column ${column} is missing`) : t('文件为空或无法读取', 'the file is empty or cannot be read'),
      );
    }
    return false;
  };

  const formMissingGroups = async () => {
    setError(undefined);
    try {
      for (const name of missingGroups)
        await call(api.POST('/api/campaigns/{id}/groups', { params: { path: { id: campaignId } }, body: { name } }));
    } catch (e) {
      setError(e);
    }
    await queries.invalidateQueries({ queryKey: groupsKey(campaignId) });
  };

  const toUnit = (u: EnrolRow) => ({
    code: u.code,
    name: u.name,
    kind: u.kind as 'organ',
    level: u.level as 'municipal',
    ...(u.batch ? { batch: u.batch as 1 } : {}),
    ...(u.parentCode ? { parentCode: u.parentCode } : {}),
    groupId: groupId.get(u.group) ?? u.group,
  });

  const enrol = async () => {
    if (!rows) return;
    setBusy(true);
    setError(undefined);
    setResults([]);
    setSent(0);
    const out: Result[] = [];
    try {
      for (let i = 0; i < rows.length; i += CHUNK) {
        let chunk = rows.slice(i, i + CHUNK);
        // A row the API refuses as malformed (a 400 naming units[n]) gets its error on its line; the rest go again.
        for (let attempt = 0; chunk.length && attempt <= CHUNK; attempt++) {
          try {
            const r = await call(
              api.POST('/api/campaigns/{id}/units', {
                params: { path: { id: campaignId }, header: { 'Idempotency-Key': idempotencyKey() } },
                body: { units: chunk.map(toUnit) },
              }),
            );
            r.results.forEach((res, j) =>
              out.push({
                line: chunk[j].line,
                code: res.code,
                status: res.status as Result['status'],
                ...(res.status === 'error'
                  ? {
                      error: wordRefusal(
                        { category: 'INVALID_INPUT', rule: res.rule ?? 'input.invalid', params: (res.params ?? {}) as never },
                        words,
                      ),
                    }
                  : {}),
              }),
            );
            break;
          } catch (e) {
            const bad = new Map<number, string[]>();
            if (e instanceof ApiError && e.status === 400) {
              for (const f of e.fields) {
                const m = /^units\[(\d+)\]\.?(.*)$/.exec(f.field);
                if (m)
                  bad.set(Number(m[1]), [
                    ...(bad.get(Number(m[1])) ?? []),
                    wordRefusal(f.refusal ?? { category: 'INVALID_INPUT', rule: 'input.invalid', params: { field: f.field } }, words),
                  ]);
              }
            }
            if (!bad.size) throw e;
            for (const [n, problems] of bad)
              if (chunk[n]) out.push({ line: chunk[n].line, code: chunk[n].code, status: 'error', error: problems.join('; ') });
            chunk = chunk.filter((_, n) => !bad.has(n));
          }
        }
        setSent(Math.min(rows.length, i + CHUNK));
        setResults([...out].sort((a, b) => a.line - b.line));
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      void queries.invalidateQueries({ queryKey: ['all-units', campaignId] });
      void queries.invalidateQueries({ queryKey: ['campaign', campaignId] });
    }
  };

  const counts = { created: 0, exists: 0, error: 0 };
  for (const r of results) counts[r.status]++;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph>
        {t(
          '上传 CSV 或 Excel（.xlsx）文件，每行一个单位。列：代码 code、名称 name、类型 kind（机关/企业/高校/直属单位/基层组织）、层级 level（市级/区县）、督导组 group（名称），可选：批次 batch、上级代码 parentCode。按代码去重，可重复上传。',
          'Upload a CSV or Excel (.xlsx) file, one unit a row. Columns: code, name, kind (organ, enterprise, university, affiliated, grassroots), level (municipal, district), group (its name); optional: batch, parentCode. Idempotent by code: a file can be sent again.',
        )}
      </Typography.Paragraph>
      <Upload accept=".csv,.xlsx,text/csv" beforeUpload={choose} showUploadList={false} maxCount={1}>
        <Button data-testid="enrol-file-button">{t('选择文件', 'Choose a file')}</Button>
      </Upload>
      {readError ? <Alert type="error" role="alert" showIcon title={`${fileName}: ${readError}`} /> : null}
      {rows ? (
        <Alert
          type="info"
          showIcon
          title={t(`${fileName}：${rows.length} 行`, `${fileName}: ${rows.length} rows`)}
          description={
            missingGroups.length ? (
              <Space direction="vertical">
                <span>
                  {t('以下督导组尚不存在：', 'These groups do not exist yet: ')}
                  {missingGroups.join('、')}
                </span>
                <Button size="small" onClick={formMissingGroups}>
                  {t('先组建这些督导组', 'Form them first')}
                </Button>
              </Space>
            ) : undefined
          }
        />
      ) : null}
      <Button type="primary" disabled={!rows || busy} loading={busy} onClick={enrol} data-testid="enrol-submit">
        {t('报名', 'Enrol')}
      </Button>
      <ErrorNote error={error} />
      {rows && (busy || results.length) ? (
        <div data-testid="enrol-progress">
          <Progress
            aria-label={t('进度', 'Progress')}
            percent={Math.round((100 * sent) / rows.length)}
            status={busy ? 'active' : counts.error ? 'normal' : 'success'}
          />
          <Space role="status">
            <Tag color="success">
              {t('新报名', 'Created')} {counts.created}
            </Tag>
            <Tag>
              {t('已存在', 'Already enrolled')} {counts.exists}
            </Tag>
            <Tag color="error">
              {t('出错', 'Errors')} {counts.error}
            </Tag>
            <label>
              <input type="checkbox" checked={onlyErrors} onChange={(e) => setOnlyErrors(e.target.checked)} />{' '}
              {t('只看出错的行', 'Errors only')}
            </label>
          </Space>
        </div>
      ) : null}
      {results.length ? (
        <Table
          rowKey="line"
          size="small"
          data-testid="enrol-results"
          dataSource={onlyErrors ? results.filter((r) => r.status === 'error') : results}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          columns={[
            { title: t('行', 'Line'), dataIndex: 'line', sorter: (a, b) => a.line - b.line },
            { title: t('代码', 'Code'), dataIndex: 'code', sorter: (a, b) => a.code.localeCompare(b.code) },
            {
              title: t('结果', 'Result'),
              render: (_, r) =>
                r.status === 'created' ? (
                  <Tag color="success">{t('已报名', 'created')}</Tag>
                ) : r.status === 'exists' ? (
                  <Tag>{t('已存在', 'exists')}</Tag>
                ) : (
                  <Tag color="error">{t('出错', 'error')}</Tag>
                ),
            },
            { title: t('原因', 'Why'), render: (_, r) => r.error ?? '' },
          ]}
        />
      ) : null}
    </Space>
  );
}
