// The unit's own console: where it stands (phase, window, the gates still unmet as a checklist) and a form
// for each thing it does — records, problems, the meeting, the transition request, the task book and its
// publication, answers to objections, and its items' progress, completion and extensions.
import { Alert, Card, Space, Tabs, Typography } from 'antd';
import { useSession } from '../../api/session';
import { useI18n } from '../../i18n';
import { ErrorNote } from '../../ui/errors';
import { GateChecklist, UnitFacts } from '../../ui/domain';
import { ItemsPanel } from './ItemsPanel';
import { MeetingPanel } from './MeetingPanel';
import { OpinionsPanel, ProblemsPanel, RecordsPanel } from './DocPanels';
import { TaskBookPanel } from './TaskBookPanel';
import { TransitionPanel } from './TransitionPanel';
import { useUnit } from './useUnit';
import { CampaignZone, ZoneNote } from '../../ui/zone';

export default function UnitHome() {
  const session = useSession();
  const id = session?.principal.unitId;
  const unit = useUnit(id);
  const { t } = useI18n();
  if (!id) return <Alert type="warning" title={t('此令牌不属于任何单位。', 'This token belongs to no unit.')} />;
  if (unit.error) return <ErrorNote error={unit.error} />;
  const v = unit.data;
  if (!v) return null;
  const phase = v.phase;
  return (
    <CampaignZone campaignId={v.campaignId}>
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        <Typography.Title level={1} style={{ fontSize: 24 }} data-testid="unit-title">
          {v.code} {v.name}
        </Typography.Title>
        <ZoneNote />
        <UnitFacts unit={v} />
        <Card>
          <div style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) minmax(0, 1fr)', gap: 16 }}>
            <GateChecklist phase={phase} unmetGates={v.unmetGates} />
            <TransitionPanel unit={v} />
          </div>
        </Card>
        <Tabs
          defaultActiveKey={!phase || phase === 'P1' ? 'records' : phase === 'P2' ? 'problems' : 'task-book'}
          items={[
            { key: 'records', label: t('学习与报告', 'Records'), children: <RecordsPanel unitId={id} /> },
            { key: 'opinions', label: t('收到的意见', 'Opinions received'), children: <OpinionsPanel unitId={id} /> },
            { key: 'problems', label: t('查摆问题', 'Problems'), children: <ProblemsPanel unitId={id} /> },
            { key: 'meeting', label: t('专题民主生活会', 'Democratic life meeting'), children: <MeetingPanel unit={v} /> },
            { key: 'task-book', label: t('整改任务书', 'Task book'), children: <TaskBookPanel unit={v} /> },
            { key: 'items', label: t('整改事项', 'Items'), children: <ItemsPanel unitId={id} /> },
          ]}
        />
      </Space>
    </CampaignZone>
  );
}
