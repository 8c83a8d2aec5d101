import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiErrors, pageOf } from '../common/dto';
import { notFound, reachFilter, requireAccess } from '../../../../libs/domain/src';
import { onCampaign } from '../auth/targets';
import { type CampaignsRepository, ReadModelRepository } from '../../../../libs/persistence/src';
import { EscalationListDto, EscalationQueryDto } from './escalations.dto';

export class EscalationsService {
  constructor(
    private readonly readModel: ReadModelRepository,
    private readonly campaigns: CampaignsRepository,
  ) {}

  /** Supervisors see the escalations of their own group's units only; a campaign filter names a campaign in scope. */
  async list(by: Principal, q: EscalationQueryDto) {
    requireAccess(by, 'escalation.list');
    const campaignId = q.campaignId?.toLowerCase();
    if (campaignId) {
      requireAccess(by, 'escalation.list', onCampaign(campaignId));
      if (!(await this.campaigns.findById(campaignId))) throw notFound('campaign', campaignId);
    }
    return this.readModel.escalations({
      campaignId,
      rung: q.rung,
      since: q.since,
      groupId: reachFilter(by).groupId,
      ...pageOf(q),
    });
  }
}

@ApiTags('rectification items')
@Controller('api/escalations')
export class EscalationsController {
  constructor(private readonly service: EscalationsService) {}

  @Get()
  @Access('escalation.list')
  @ApiOperation({ summary: 'Escalations fired (the ladder acting on its own); a supervisor sees its group only' })
  @ApiOkResponse({ type: EscalationListDto })
  @ApiErrors(400, 401, 403, 404)
  list(@CurrentPrincipal() p: Principal, @Query() q: EscalationQueryDto) {
    return this.service.list(p, q);
  }
}
