import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access, CurrentPrincipal } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiErrors } from '../common/dto';
import { UuidParam } from '../common/params';
import {
  CreateSimulationDto,
  SimulationAcceptedDto,
  SimulationJobDto,
  SimulationJobPageDto,
  SimulationListQueryDto,
  SimulationReportQueryDto,
} from './simulations.dto';
import { SimulationsService } from './simulations.service';

@ApiTags('simulations')
@Controller('api/simulations')
export class SimulationsController {
  constructor(private readonly service: SimulationsService) {}

  @Post()
  @HttpCode(202)
  @Access('simulation.start')
  @ApiOperation({
    summary:
      'Rehearse a whole campaign in minutes: the real workflows and activities on the time-skipping test server against a scratch database, the units following a seeded behaviour profile; a background job (one at a time); nothing live changes',
  })
  @ApiAcceptedResponse({ type: SimulationAcceptedDto })
  @ApiErrors(400, 401, 403, 404, 409)
  start(@CurrentPrincipal() p: Principal, @Body() dto: CreateSimulationDto) {
    return this.service.start(p, dto);
  }

  @Get()
  @Access('simulation.read')
  @ApiOperation({ summary: 'Simulations, newest first (the newest 50 finished are kept)' })
  @ApiOkResponse({ type: SimulationJobPageDto })
  @ApiErrors(400, 401, 403)
  list(@CurrentPrincipal() p: Principal, @Query() q: SimulationListQueryDto) {
    return this.service.list(p, q);
  }

  @Get(':id')
  @Access('simulation.read')
  @ApiOperation({
    summary: "A simulation's progress (the simulated day, actions done, an estimate of the time left), and once done its totals",
  })
  @ApiOkResponse({ type: SimulationJobDto })
  @ApiErrors(401, 403, 404)
  job(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('simulation')) id: string) {
    return this.service.job(p, id);
  }

  @Get(':id/report')
  @Access('simulation.read')
  @ApiOperation({
    summary:
      "A finished simulation's report: per week the rungs by kind and the cards by batch, the units still in a phase when its window ended, each supervisory group's meetings per day and the days it must be in two at once, referrals by batch, the office's busiest days, every unit's outcome; ?format=html renders it (zh or en)",
  })
  @ApiProduces('application/json', 'text/html')
  @ApiOkResponse({
    description: 'The report (JSON), or a self-contained HTML page with format=html',
    schema: { type: 'object', additionalProperties: true },
  })
  @ApiErrors(400, 401, 403, 404, 409)
  async report(
    @CurrentPrincipal() p: Principal,
    @Param('id', new UuidParam('simulation')) id: string,
    @Query() q: SimulationReportQueryDto,
    @Res({ passthrough: true }) res: Response,
  ) {
    const body = await this.service.report(p, id, q.format ?? 'json', q.lang ?? 'zh');
    if (q.format === 'html') {
      res.type('text/html; charset=utf-8');
      res.setHeader('Content-Disposition', `inline; filename="simulation-${id}.html"`);
    } else res.type('application/json');
    return body;
  }
}
