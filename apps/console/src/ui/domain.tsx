// Pieces of the domain shown on several pages: a unit's phase and card, its gates as a checklist, its window.
import { CheckCircleFilled, CloseCircleOutlined } from '@ant-design/icons';
import { Descriptions, List, Tag } from 'antd';
import { GATES, NEXT_PHASE, type Card, type Phase } from '../../../../libs/domain/src';
import { useI18n } from '../i18n';

export const CARD_COLOR: Record<Card, string> = { none: '#389e0d', yellow: '#d4b106', red: '#cf1322' };

/** Whether a card as the API sends it (a string) is one the console draws. */
export const isCard = (card: string): card is Card => Object.hasOwn(CARD_COLOR, card);

export function CardTag({ card }: { card: string }) {
  const { label } = useI18n();
  const color = card === 'red' ? 'error' : card === 'yellow' ? 'warning' : 'success';
  return <Tag color={color}>{label.card(card)}</Tag>;
}

export function PhaseTag({ phase }: { phase: string }) {
  const { label } = useI18n();
  return (
    <Tag color={phase === 'DONE' ? 'success' : 'blue'}>{phase === 'DONE' ? label.phase(phase) : `${phase} ${label.phase(phase)}`}</Tag>
  );
}

/** The gates of the unit's next transition, met or not, as a checklist. */
export function GateChecklist({ phase, unmetGates }: { phase: Phase | null; unmetGates: string[] }) {
  const { t, label } = useI18n();
  if (!phase) return <p>{t('批次尚未开始：开始后从第一环节做起。', 'Its batch has not opened yet: it starts in P1 when it does.')}</p>;
  const next = NEXT_PHASE[phase];
  if (!next) return <p>{t('已完成全部环节。', 'Every phase is done.')}</p>;
  const gates = GATES[next as keyof typeof GATES] as readonly string[];
  return (
    <List
      size="small"
      header={<strong>{t(`进入“${label.phase(next)}”的条件`, `Gates to ${label.phase(next)}`)}</strong>}
      dataSource={[...gates]}
      renderItem={(g) => {
        const met = !unmetGates.includes(g);
        return (
          <List.Item data-testid={`gate-${g}`} data-met={met}>
            <span>
              {met ? (
                <CheckCircleFilled style={{ color: '#389e0d' }} aria-label={t('已满足', 'met')} />
              ) : (
                <CloseCircleOutlined style={{ color: '#a8071a' }} aria-label={t('未满足', 'not met')} />
              )}{' '}
              {label.gate(g)}
            </span>
          </List.Item>
        );
      }}
    />
  );
}

export interface UnitHeadline {
  code: string;
  name: string;
  batch: number;
  phase: Phase | null;
  status: string;
  card: Card;
  window?: { startsAt: string; endsAt: string } | null;
}

export function UnitFacts({ unit }: { unit: UnitHeadline }) {
  const { t, time } = useI18n();
  return (
    <Descriptions size="small" bordered column={{ xs: 1, md: 3 }}>
      <Descriptions.Item label={t('环节', 'Phase')}>{unit.phase ? <PhaseTag phase={unit.phase} /> : '—'}</Descriptions.Item>
      <Descriptions.Item label={t('亮牌', 'Card')}>
        <CardTag card={unit.card} />
      </Descriptions.Item>
      <Descriptions.Item label={t('批次', 'Batch')}>{unit.batch}</Descriptions.Item>
      <Descriptions.Item label={t('环节时间窗', 'Phase window')}>
        {unit.window ? `${time(unit.window.startsAt)} — ${time(unit.window.endsAt)}` : '—'}
      </Descriptions.Item>
      <Descriptions.Item label={t('状态', 'Status')}>
        {unit.status === 'waiting'
          ? t('批次未开始', 'Batch not open yet')
          : unit.status === 'done'
            ? t('已完成', 'Done')
            : t('进行中', 'Active')}
      </Descriptions.Item>
    </Descriptions>
  );
}
