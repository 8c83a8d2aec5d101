import type { DataSource } from 'typeorm';
import { PgActivityFailureRepository, type ActivityFailureRepository } from './activity-failure.repository';
import { PgDocumentRepository, type DocumentRepository } from './document.repository';
import { PgEnrolmentRepository, type EnrolmentRepository } from './enrolment.repository';
import { PgEscalationRepository, type EscalationRepository } from './escalation.repository';
import { PgMeasureRepository, type MeasureRepository } from './measure.repository';
import { PgProjectionRepository, type ProjectionRepository } from './projection.repository';
import { PgPlanRolloutRepository, type PlanRolloutRepository } from './plan-rollout.repository';

export * from './activity-failure.repository';
export * from './document.repository';
export * from './enrolment.repository';
export * from './escalation.repository';
export * from './measure.repository';
export * from './projection.repository';
export * from './simulation.repository';
export * from './plan-rollout.repository';
export * from './stuck-run.repository';
export * from './workflow-reset.repository';

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
