import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccessPolicy } from '../auth/access-policy';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiErrors, pageOf } from '../common/dto';
import { ReadModelRepository } from '../repositories/read-model.repository';
import { EscalationListDto, EscalationQueryDto } from './escalations.dto';

export class EscalationsService {
  constructor(private readonly readModel: ReadModelRepository) {}

  /** Supervisors see the escalations of their own group's units only. */
  list(by: Principal, q: EscalationQueryDto) {
    AccessPolicy.requireRole(by, ['office', 'auditor', 'supervisor'], 'list escalations');
    return this.readModel.escalations({
      campaignId: q.campaignId?.toLowerCase(),
      rung: q.rung,
      since: q.since,
      groupId: by.role === 'supervisor' ? by.groupId : undefined,
      ...pageOf(q),
    });
  }
}

@ApiTags('rectification items')
@Controller('api/escalations')
export class EscalationsController {
  constructor(private readonly service: EscalationsService) {}

  @Get()
  @Roles('office', 'auditor', 'supervisor')
  @ApiOperation({ summary: 'Escalations fired (the ladder acting on its own); a supervisor sees its group only' })
  @ApiOkResponse({ type: EscalationListDto })
  @ApiErrors(400, 401, 403)
  list(@CurrentPrincipal() p: Principal, @Query() q: EscalationQueryDto) {
    return this.service.list(p, q);
  }
}
