// Every update and signal of libs/contracts/src/messages.ts has an English and a Chinese label, so no decision
// shows up in a timeline under a bare code name.
import * as definitions from '../../libs/contracts/src';
import { CALL_LABELS, labelOf, refusedLabelOf, RUNG_LABELS } from '../../libs/audit/src';
import { RUNGS } from '../../libs/domain/src';

const calls = (Object.values(definitions) as unknown[]).filter(
  (d): d is { type: 'update' | 'signal'; name: string } =>
    !!d && typeof d === 'object' && ['update', 'signal'].includes((d as { type?: string }).type ?? ''),
);

describe('timeline labels', () => {
  it('cover every update and signal of libs/contracts/src/messages.ts, in English and Chinese', () => {
    expect(calls.length).toBeGreaterThan(15);
    const missing = calls.map((d) => d.name).filter((name) => !Object.hasOwn(CALL_LABELS, name));
    expect(missing).toEqual([]);
    for (const { name } of calls) {
      const label = labelOf(name);
      expect(label.en).toMatch(/^[A-Z]/);
      expect(label.zh).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('say what a decision decided', () => {
    expect(labelOf('approveTransition', { approve: true })).toEqual({ en: 'Transition approved', zh: '批准环节转换' });
    expect(labelOf('approveTransition', { approve: false })).toEqual({ en: 'Transition rejected', zh: '驳回环节转换' });
    expect(labelOf('verifyItem', { accept: false }).en).toBe('Verification refused, item reopened');
    expect(labelOf('decideExtension', { approve: true }).zh).toBe('批准延期');
    expect(labelOf('addRecord', { kind: 'comparison-check' }).zh).toBe('对照检查材料');
    expect(labelOf('phaseEntered', { phase: 'P3' }).zh).toBe('进入第三环节 整改落实、建章立制');
    expect(labelOf('phaseEntered', { phase: 'P1' }).en).toBe('Entered P1: Study and listening');
    expect(labelOf('phaseEntered', { phase: 'DONE' })).toEqual({ en: 'Lifecycle completed', zh: '全部环节完成' });
    expect(labelOf('phaseEntered', { phase: 'P9' })).toEqual({ en: 'Entered a phase', zh: '进入环节' });
    expect(refusedLabelOf('approveTransition', { approve: true })).toEqual({
      en: 'Refused: Transition decided',
      zh: '被拒绝：环节转换审批',
    });
  });

  it('name every rung, and fall back to the name of an unknown action', () => {
    for (const rung of RUNGS) expect(RUNG_LABELS[rung].zh).toMatch(/[\u4e00-\u9fff]/);
    expect(labelOf('escalation', { rung: 'referral' })).toEqual({ en: 'Referral to discipline inspection', zh: '移交纪检监察机关' });
    expect(labelOf('someNewUpdate')).toEqual({ en: 'Some New Update', zh: 'someNewUpdate' });
  });
});
