// Bulk enrolment from a CSV or Excel file: read in the browser, groups matched by name (those missing can
// be formed first), sent 500 rows a call with a progress bar, and one result per row (created, exists, error).
import { Alert, Button, Progress, Space, Table, Tag, Typography, Upload } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { asRefusal } from '../../../../../libs/domain/src';
import { ApiError, api, call, idempotencyKey } from '../../api/client';
import type { components } from '../../api/generated/schema';
import { useI18n } from '../../i18n';
import { ErrorNote, useWords } from '../../ui/errors';
import { wordRefusal, type Words } from '../../refusals';
import { readEnrolmentFile, type EnrolRow } from './enrolment-file';
import { groupsKey, useGroups } from './Groups';

const CHUNK = 500;

type EnrolUnit = components['schemas']['EnrolUnitDto'];
type EnrolResult = components['schemas']['EnrolResultDto'];

interface Result {
  line: number;
  code: string;
  status: 'created' | 'exists' | 'error';
  /** Why it was refused, worded (refusals.ts). */
  error?: string;
}

export function Enrolment({ campaignId }: { campaignId: string }) {
  const { t } = useI18n();
  const [onlyErrors, setOnlyErrors] = useState(false);
  const groupId = useGroupIds(campaignId);
  const enrolment = useEnrolment(campaignId, groupId);
  const file = useEnrolmentFile(enrolment.clear);
  const rows = file.rows;
  const missingGroups = useMemo(() => [...new Set((rows ?? []).map((r) => r.group).filter((g) => g && !groupId.has(g)))], [rows, groupId]);
  const formGroups = useFormGroups(campaignId, enrolment.setError);
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph>
        {t(
          '上传 CSV 或 Excel（.xlsx）文件，每行一个单位。列：代码 code、名称 name、类型 kind（机关/企业/高校/直属单位/基层组织）、层级 level（市级/区县）、督导组 group（名称），可选：批次 batch、上级代码 parentCode。按代码去重，可重复上传。',
          'Upload a CSV or Excel (.xlsx) file, one unit a row. Columns: code, name, kind (organ, enterprise, university, affiliated, grassroots), level (municipal, district), group (its name); optional: batch, parentCode. Idempotent by code: a file can be sent again.',
        )}
      </Typography.Paragraph>
      <Upload accept=".csv,.xlsx,text/csv" beforeUpload={file.choose} showUploadList={false} maxCount={1}>
        <Button data-testid="enrol-file-button">{t('选择文件', 'Choose a file')}</Button>
      </Upload>
      {file.readError ? <Alert type="error" role="alert" showIcon title={`${file.name}: ${file.readError}`} /> : null}
      {rows ? <FileSummary name={file.name} rows={rows.length} missingGroups={missingGroups} onFormGroups={formGroups} /> : null}
      <Button
        type="primary"
        disabled={!rows || enrolment.busy}
        loading={enrolment.busy}
        onClick={() => {
          if (rows) enrolment.start(rows);
        }}
        data-testid="enrol-submit"
      >
        {t('报名', 'Enrol')}
      </Button>
      <ErrorNote error={enrolment.error} />
      {rows && (enrolment.busy || enrolment.results.length) ? (
        <EnrolProgress
          busy={enrolment.busy}
          percent={Math.round((100 * enrolment.sent) / rows.length)}
          results={enrolment.results}
          onlyErrors={onlyErrors}
          onOnlyErrors={setOnlyErrors}
        />
      ) : null}
      {enrolment.results.length ? <EnrolResults results={enrolment.results} onlyErrors={onlyErrors} /> : null}
    </Space>
  );
}

/** The campaign's groups by name and by id: a row names its group either way. */
function useGroupIds(campaignId: string) {
  const groups = useGroups(campaignId);
  const groupList = groups.data?.items ?? [];
  return useMemo(() => {
    const m = new Map<string, string>();
    for (const g of groupList) {
      m.set(g.name, g.id);
      m.set(g.id, g.id);
    }
    return m;
  }, [groupList]);
}

/** The file chosen, read in the browser: its rows, or why it cannot be read (a missing column is named). */
function useEnrolmentFile(onChoose: () => void) {
  const { t } = useI18n();
  const [rows, setRows] = useState<EnrolRow[]>();
  const [name, setName] = useState<string>();
  const [readError, setReadError] = useState<string>();
  const choose = async (file: File) => {
    setReadError(undefined);
    onChoose();
    setName(file.name);
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
  return { rows, name, readError, choose };
}

/** The file's name and rows, and the groups it names that do not exist yet (with a button to form them). */
function FileSummary({
  name,
  rows,
  missingGroups,
  onFormGroups,
}: {
  name: string | undefined;
  rows: number;
  missingGroups: string[];
  onFormGroups: (names: string[]) => void;
}) {
  const { t } = useI18n();
  return (
    <Alert
      type="info"
      showIcon
      title={t(`${name}：${rows} 行`, `${name}: ${rows} rows`)}
      description={
        missingGroups.length ? (
          <Space orientation="vertical">
            <span>
              {t('以下督导组尚不存在：', 'These groups do not exist yet: ')}
              {missingGroups.join('、')}
            </span>
            <Button size="small" onClick={() => onFormGroups(missingGroups)}>
              {t('先组建这些督导组', 'Form them first')}
            </Button>
          </Space>
        ) : undefined
      }
    />
  );
}

/** Forms the groups the file names that do not exist yet, one by one; an error goes beside the enrol button. */
function useFormGroups(campaignId: string, setError: (e: unknown) => void) {
  const queries = useQueryClient();
  const formGroups = async (names: string[]) => {
    setError(undefined);
    try {
      for (const name of names)
        await call(api.POST('/api/campaigns/{id}/groups', { params: { path: { id: campaignId } }, body: { name } }));
    } catch (e) {
      setError(e);
    }
    await queries.invalidateQueries({ queryKey: groupsKey(campaignId) });
  };
  return (names: string[]) => void formGroups(names);
}

/** A row of the file as the API enrols it, its group named by id (a group not formed yet keeps its name). */
function toUnit(u: EnrolRow, groupId: Map<string, string>): EnrolUnit {
  return {
    code: u.code,
    name: u.name,
    // The file's words as read (enrolment-file.ts maps the labels it knows); the API names a row it refuses.
    kind: u.kind as EnrolUnit['kind'],
    level: u.level as EnrolUnit['level'],
    ...(u.batch ? { batch: u.batch as NonNullable<EnrolUnit['batch']> } : {}),
    ...(u.parentCode ? { parentCode: u.parentCode } : {}),
    groupId: groupId.get(u.group) ?? u.group,
  };
}

/** The rows sent CHUNK a call, with the rows sent so far and one result per row. */
function useEnrolment(campaignId: string, groupId: Map<string, string>) {
  const words = useWords();
  const queries = useQueryClient();
  const [error, setError] = useState<unknown>();
  const [sent, setSent] = useState(0);
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<Result[]>([]);

  const post = async (chunk: EnrolRow[]) =>
    (
      await call(
        api.POST('/api/campaigns/{id}/units', {
          params: { path: { id: campaignId }, header: { 'Idempotency-Key': idempotencyKey() } },
          body: { units: chunk.map((u) => toUnit(u, groupId)) },
        }),
      )
    ).results;

  const enrol = async (rows: EnrolRow[]) => {
    setBusy(true);
    setError(undefined);
    setResults([]);
    setSent(0);
    const out: Result[] = [];
    try {
      for (let i = 0; i < rows.length; i += CHUNK) {
        out.push(...(await enrolChunk(rows.slice(i, i + CHUNK), post, words)));
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
  const clear = () => {
    setResults([]);
    setSent(0);
  };
  // Every error is kept in `error`, shown beside the button.
  const start = (rows: EnrolRow[]) => void enrol(rows);
  return { start, clear, error, setError, sent, busy, results };
}

/**
 * One call's rows, and their results. A row the API refuses as malformed (a 400 naming units[n]) gets its error on
 * its line and the rest go again; any other error stops the enrolment.
 */
async function enrolChunk(rows: EnrolRow[], post: (chunk: EnrolRow[]) => Promise<EnrolResult[]>, words: Words): Promise<Result[]> {
  const out: Result[] = [];
  let chunk = rows;
  for (let attempt = 0; chunk.length && attempt <= CHUNK; attempt++) {
    try {
      const results = await post(chunk);
      results.forEach((res, j) => out.push({ line: chunk[j].line, ...resultOf(res, words) }));
      break;
    } catch (e) {
      const bad = malformedRows(e, words);
      if (!bad.size) throw e;
      for (const [n, problems] of bad)
        if (n < chunk.length) out.push({ line: chunk[n].line, code: chunk[n].code, status: 'error', error: problems.join('; ') });
      chunk = chunk.filter((_, n) => !bad.has(n));
    }
  }
  return out;
}

/** A row's result as the API answered it, its refusal worded. */
function resultOf(res: EnrolResult, words: Words): Omit<Result, 'line'> {
  if (res.status !== 'error') return { code: res.code, status: res.status };
  const refusal = asRefusal({ category: 'INVALID_INPUT', rule: res.rule ?? 'input.invalid', params: res.params });
  return {
    code: res.code,
    status: 'error',
    error: wordRefusal(refusal ?? { category: 'INVALID_INPUT', rule: 'input.invalid', params: {} }, words),
  };
}

/** The rows (their place in the call) a 400 names as malformed, each with its problems worded. */
function malformedRows(e: unknown, words: Words): Map<number, string[]> {
  const bad = new Map<number, string[]>();
  if (!(e instanceof ApiError) || e.status !== 400) return bad;
  for (const f of e.fields) {
    const m = /^units\[(\d+)\]\.?(.*)$/.exec(f.field);
    if (m)
      bad.set(Number(m[1]), [
        ...(bad.get(Number(m[1])) ?? []),
        wordRefusal(f.refusal ?? { category: 'INVALID_INPUT', rule: 'input.invalid', params: { field: f.field } }, words),
      ]);
  }
  return bad;
}

/** How far the enrolment is, and its counts. */
function EnrolProgress({
  busy,
  percent,
  results,
  onlyErrors,
  onOnlyErrors,
}: {
  busy: boolean;
  percent: number;
  results: Result[];
  onlyErrors: boolean;
  onOnlyErrors: (only: boolean) => void;
}) {
  const { t } = useI18n();
  const counts = { created: 0, exists: 0, error: 0 };
  for (const r of results) counts[r.status]++;
  return (
    <div data-testid="enrol-progress">
      <Progress aria-label={t('进度', 'Progress')} percent={percent} status={busy ? 'active' : counts.error ? 'normal' : 'success'} />
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
          <input type="checkbox" checked={onlyErrors} onChange={(e) => onOnlyErrors(e.target.checked)} /> {t('只看出错的行', 'Errors only')}
        </label>
      </Space>
    </div>
  );
}

/** One line per row (or the rows in error only): its result and why. */
function EnrolResults({ results, onlyErrors }: { results: Result[]; onlyErrors: boolean }) {
  const { t } = useI18n();
  return (
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
  );
}
