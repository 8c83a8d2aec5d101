// An escalation record (a fired rung) in words, from the fields the API keeps with it: the unit, the item's
// measure and responsible person, the phase window, or the programme and its goal; times in the campaign's zone.
import { useI18n } from '../i18n';

export interface EscalationFacts {
  subject: string;
  rung: string;
  phase?: string | null;
  deadline: string;
  unitCode?: string | null;
  unitName?: string | null;
  owner?: string | null;
  measure?: string | null;
  programmeName?: string | null;
  goalTitle?: string | null;
}

export function useEscalationWords() {
  const { t, label, time } = useI18n();
  return (e: EscalationFacts): string => {
    const rung = label.rung(e.rung);
    const unit = [e.unitCode, e.unitName].filter(Boolean).join(' ');
    if (e.subject === 'item') {
      const what = e.measure ? t(`“${e.measure}”`, `"${e.measure}"`) : t('一项整改事项', 'an item');
      const who = e.owner ? t(`（责任人：${e.owner}）`, ` (responsible: ${e.owner})`) : '';
      return t(
        `${unit} 整改事项${what}${who}，时限 ${time(e.deadline)}：${rung}`,
        `${unit}: rectification item ${what}${who}, deadline ${time(e.deadline)} — ${rung}`,
      );
    }
    if (e.subject === 'phase-window') {
      return t(
        `${unit} 在“${label.phase(e.phase)}”环节时间窗 ${time(e.deadline)} 截止后仍未转入下一环节：${rung}`,
        `${unit} is still in ${label.phase(e.phase)} after its window ended ${time(e.deadline)} — ${rung}`,
      );
    }
    return t(
      `专项“${e.programmeName ?? ''}”阶段目标“${e.goalTitle ?? ''}”，时限 ${time(e.deadline)}：${rung}`,
      `Programme "${e.programmeName ?? ''}", staged goal "${e.goalTitle ?? ''}", due ${time(e.deadline)} — ${rung}`,
    );
  };
}
