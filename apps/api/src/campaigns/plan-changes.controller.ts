import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiErrors } from '../common/dto';
import { UuidParam } from '../common/params';
import { PlanChangePreviewDto, PlanChangePreviewResultDto } from './plan-changes.dto';
import { PlanChangesService } from './plan-changes.service';

@ApiTags('campaigns')
@Controller('api/campaigns')
export class PlanChangesController {
  constructor(private readonly service: PlanChangesService) {}

  @Post(':id/plan-changes/preview')
  @HttpCode(200)
  @Roles('office')
  @ApiOperation({
    summary:
      'What a plan change would move, without changing anything: every live deadline and rung whose moment moves (unit, item, rung, before, after), those that would fire at once, counts by batch, and the digest to confirm it with',
  })
  @ApiOkResponse({ type: PlanChangePreviewResultDto })
  @ApiErrors(400, 401, 403, 404, 409)
  preview(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('campaign')) id: string, @Body() dto: PlanChangePreviewDto) {
    return this.service.preview(p, id, dto);
  }
}
