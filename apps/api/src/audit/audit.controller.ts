import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access, CurrentPrincipal } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiErrors } from '../common/dto';
import { ItemIdParam, UuidParam } from '../common/params';
import {
  DossierQueryDto,
  HistoryQueryDto,
  ReconcileRequestDto,
  ReconciliationDto,
  ReplayAcceptedDto,
  ReplayJobDto,
  ReplayRequestDto,
  ResetQueryDto,
  StuckRunPageDto,
  StuckRunQueryDto,
  TimelineEntryDto,
  TimelineQueryDto,
  WorkflowResetPageDto,
} from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('audit')
@Controller('api/units')
export class UnitAuditController {
  constructor(private readonly service: AuditService) {}

  @Get(':id/timeline')
  @Access('audit.timeline.read')
  @ApiOperation({
    summary: "A unit's timeline — who did what, when, why — rendered from its workflow history, refused decisions merged in",
  })
  @ApiOkResponse({ type: [TimelineEntryDto] })
  @ApiErrors(400, 401, 403, 404, 503)
  timeline(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('unit')) id: string, @Query() q: TimelineQueryDto) {
    return this.service.unitTimeline(p, id, q.includeItems ?? false);
  }

  @Get(':id/history')
  @Access('audit.history.export')
  @ApiOperation({
    summary: "The unit workflow's history in the engine's standard JSON (as `temporal workflow show --output json` prints it)",
  })
  @ApiProduces('application/json')
  @ApiOkResponse({
    description: '`{"events": [...]}`, byte for byte what the Temporal CLI prints; the SDK replayers and the Web UI import read it',
    schema: { type: 'object', properties: { events: { type: 'array', items: { type: 'object' } } } },
  })
  @ApiErrors(400, 401, 403, 404, 503)
  async history(
    @CurrentPrincipal() p: Principal,
    @Param('id', new UuidParam('unit')) id: string,
    @Query() q: HistoryQueryDto,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { workflowId, json } = await this.service.history(p, id, q.runId);
    res.type('application/json');
    res.setHeader('Content-Disposition', `inline; filename="${workflowId}.json"`);
    return json;
  }
}

@ApiTags('audit')
@Controller('api/items')
export class ItemAuditController {
  constructor(private readonly service: AuditService) {}

  @Get(':itemId/timeline')
  @Access('audit.timeline.read')
  @ApiOperation({ summary: "A rectification item's timeline, rendered from its workflow history, refused decisions merged in" })
  @ApiOkResponse({ type: [TimelineEntryDto] })
  @ApiErrors(401, 403, 404, 503)
  timeline(@CurrentPrincipal() p: Principal, @Param('itemId', new ItemIdParam()) itemId: string) {
    return this.service.itemTimeline(p, itemId);
  }
}

@ApiTags('audit')
@Controller('api/audit')
export class AuditController {
  constructor(private readonly service: AuditService) {}

  @Post('replays')
  @HttpCode(202)
  @Access('audit.replay.start')
  @ApiOperation({
    summary: 'Replay histories (a campaign, workflow ids, or closed in a range) against the current workflow code, as a background job',
  })
  @ApiAcceptedResponse({ type: ReplayAcceptedDto })
  @ApiErrors(400, 401, 403, 404)
  replay(@CurrentPrincipal() p: Principal, @Body() dto: ReplayRequestDto) {
    return this.service.startReplay(p, dto);
  }

  @Get('replays/:id')
  @Access('audit.replay.read')
  @ApiOperation({ summary: 'Progress and result of a replay job; each failure names its workflow and first diverging event' })
  @ApiOkResponse({ type: ReplayJobDto })
  @ApiErrors(401, 403, 404)
  replayJob(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('replay job')) id: string) {
    return this.service.replayJob(p, id);
  }

  @Get('stuck-runs')
  @Access('audit.stuck-runs.read')
  @ApiOperation({
    summary:
      'Runs whose workflow task keeps failing, as the detector last saw them: why (the failure its history records), since when, and the reset point an operator may choose; none is reset by the program',
  })
  @ApiOkResponse({ type: StuckRunPageDto })
  @ApiErrors(400, 401, 403)
  stuckRuns(@CurrentPrincipal() p: Principal, @Query() q: StuckRunQueryDto) {
    return this.service.stuckRuns(p, q);
  }

  @Get('resets')
  @Access('audit.resets.read')
  @ApiOperation({
    summary:
      'Resets of workflow runs recorded in the audit log, newest first: who (an operator with `massline audit reset`, or formerly the automatic recovery), which run into which, to which event, when and why',
  })
  @ApiOkResponse({ type: WorkflowResetPageDto })
  @ApiErrors(400, 401, 403)
  resets(@CurrentPrincipal() p: Principal, @Query() q: ResetQueryDto) {
    return this.service.resets(p, q);
  }

  @Post('reconciliations')
  @HttpCode(200)
  @Access('audit.reconcile')
  @ApiOperation({ summary: "Check a campaign's PostgreSQL read model against its workflows; lists every mismatch" })
  @ApiOkResponse({ type: ReconciliationDto })
  @ApiErrors(400, 401, 403, 404, 503)
  reconcile(@CurrentPrincipal() p: Principal, @Body() dto: ReconcileRequestDto) {
    return this.service.reconcile(p, dto.campaignId);
  }
}

@ApiTags('audit')
@Controller('api/escalations')
export class DossierController {
  constructor(private readonly service: AuditService) {}

  @Get(':id/dossier')
  @Access('escalation.dossier.read')
  @ApiOperation({
    summary: "Referral dossier: the item's and unit's whole escalation trail (rungs, notices, extensions, actors); ?format=html prints",
  })
  @ApiProduces('application/json', 'text/html')
  @ApiOkResponse({ description: 'The dossier as JSON, or a printable HTML page with format=html' })
  @ApiErrors(400, 401, 403, 404, 503)
  async dossier(
    @CurrentPrincipal() p: Principal,
    @Param('id', new UuidParam('escalation')) id: string,
    @Query() q: DossierQueryDto,
    @Res({ passthrough: true }) res: Response,
  ) {
    const dossier = await this.service.dossier(p, id);
    if (q.format === 'html') {
      res.type('text/html; charset=utf-8');
      return this.service.renderHtml(dossier);
    }
    return dossier;
  }
}
