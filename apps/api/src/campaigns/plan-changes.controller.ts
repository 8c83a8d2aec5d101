import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiErrors } from '../common/dto';
import { UuidParam } from '../common/params';
import {
  PlanChangeAppliedDto,
  PlanChangeApplyDto,
  PlanChangePreviewDto,
  PlanChangePreviewResultDto,
  PlanVersionListDto,
} from './plan-changes.dto';
import { PlanChangesService } from './plan-changes.service';

@ApiTags('campaigns')
@Controller('api/campaigns')
export class PlanChangesController {
  constructor(private readonly service: PlanChangesService) {}

  @Post(':id/plan-changes/preview')
  @HttpCode(200)
  @Access('campaign.plan-change.preview')
  @ApiOperation({
    summary:
      'What a plan change would move, without changing anything: every live deadline and rung whose moment moves (unit, item, rung, before, after), those that would fire at once, counts by batch, and the digest to confirm it with',
  })
  @ApiOkResponse({ type: PlanChangePreviewResultDto })
  @ApiErrors(400, 401, 403, 404, 409)
  preview(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('campaign')) id: string, @Body() dto: PlanChangePreviewDto) {
    return this.service.preview(p, id, dto);
  }

  @Post(':id/plan-changes')
  @HttpCode(201)
  @Access('campaign.plan-change.apply')
  @ApiOperation({
    summary:
      'Apply a previewed plan change as a new plan version that the chosen batches take (the others stay on theirs); who, when, why and the preview digest are kept. Refused (409) when the preview no longer holds. Running units and items take it by an Update, rolled out in the background',
  })
  @ApiCreatedResponse({ type: PlanChangeAppliedDto })
  @ApiErrors(400, 401, 403, 404, 409, 503)
  apply(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('campaign')) id: string, @Body() dto: PlanChangeApplyDto) {
    return this.service.apply(p, id, dto);
  }

  @Get(':id/plan-versions')
  @Access('campaign.plan-versions.list')
  @ApiOperation({
    summary: "A campaign's plan versions, oldest first: what each changed (diff), who, when, why, which batches run on it, its rollout",
  })
  @ApiOkResponse({ type: PlanVersionListDto })
  @ApiErrors(401, 403, 404)
  list(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('campaign')) id: string) {
    return this.service.list(p, id);
  }
}
