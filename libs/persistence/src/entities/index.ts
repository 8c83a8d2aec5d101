import { AuditLogEntity } from './audit-log.entity';
import { CampaignEntity } from './campaign.entity';
import { EscalationEntity } from './escalation.entity';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { ItemStateEntity } from './item-state.entity';
import { MeasureEntity } from './measure.entity';
import { NotificationEntity } from './notification.entity';
import { PrincipalEntity } from './principal.entity';
import { ProgrammeEntity } from './programme.entity';
import { ReplayJobEntity } from './replay-job.entity';
import { SupervisoryGroupEntity } from './supervisory-group.entity';
import { UnitStateEntity } from './unit-state.entity';
import { UnitEntity } from './unit.entity';

export * from './audit-log.entity';
export * from './campaign.entity';
export * from './escalation.entity';
export * from './idempotency-key.entity';
export * from './item-state.entity';
export * from './measure.entity';
export * from './notification.entity';
export * from './principal.entity';
export * from './programme.entity';
export * from './replay-job.entity';
export * from './supervisory-group.entity';
export * from './unit-state.entity';
export * from './unit.entity';

/** Every entity, listed by class so the data source works from ts and from compiled js alike. */
export const MASSLINE_ENTITIES = [
  PrincipalEntity,
  CampaignEntity,
  SupervisoryGroupEntity,
  UnitEntity,
  UnitStateEntity,
  ItemStateEntity,
  EscalationEntity,
  NotificationEntity,
  MeasureEntity,
  ProgrammeEntity,
  IdempotencyKeyEntity,
  AuditLogEntity,
  ReplayJobEntity,
];
