import type { DataSource } from 'typeorm';
import { PgActivityFailureRepository, type ActivityFailureRepository } from './activity-failure.repository';
import { PgDocumentRepository, type DocumentRepository } from './document.repository';
import { PgEnrolmentRepository, type EnrolmentRepository } from './enrolment.repository';
import { PgEscalationRepository, type EscalationRepository } from './escalation.repository';
import { PgMeasureRepository, type MeasureRepository } from './measure.repository';
import { PgProjectionRepository, type ProjectionRepository } from './projection.repository';
import { PgPlanRolloutRepository, type PlanRolloutRepository } from './plan-rollout.repository';

// Every table's one home: each repository is the only place its table is written (and, with the read models
// that join them, read). The API, the worker, the activities, the audit and the CLI all go through them.
export * from './activity-failure.repository';
export * from './audit-log.repository';
export * from './audit-store.repository';
export * from './campaigns.repository';
export * from './console.repository';
export * from './document.repository';
export * from './enrolment.repository';
export * from './entries.repository';
export * from './escalation.repository';
export * from './holidays.repository';
export * from './idempotency.repository';
export * from './measure.repository';
export * from './plan-rollout.repository';
export * from './plan-versions.repository';
export * from './presence.repository';
export * from './principals.repository';
export * from './programmes.repository';
export * from './projection.repository';
export * from './public.repository';
export * from './rate-limit.repository';
export * from './read-model.repository';
export * from './sign-in.repository';
export * from './simulation.repository';
export * from './simulations.repository';
export * from './stuck-run.repository';
export * from './units.repository';
export * from './views.repository';

/** The repositories the activities write through. */
export interface ActivityRepositories {
  projections: ProjectionRepository;
  escalations: EscalationRepository;
  enrolment: EnrolmentRepository;
  measures: MeasureRepository;
  activityFailures: ActivityFailureRepository;
  documents: DocumentRepository;
  planRollout: PlanRolloutRepository;
}

export const createActivityRepositories = (dataSource: DataSource): ActivityRepositories => ({
  projections: new PgProjectionRepository(dataSource),
  escalations: new PgEscalationRepository(dataSource),
  enrolment: new PgEnrolmentRepository(dataSource),
  measures: new PgMeasureRepository(dataSource),
  activityFailures: new PgActivityFailureRepository(dataSource),
  documents: new PgDocumentRepository(dataSource),
  planRollout: new PgPlanRolloutRepository(dataSource),
});
