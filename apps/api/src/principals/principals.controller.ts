import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiErrors } from '../common/dto';
import { SecretInResponse } from '../common/idempotency.interceptor';
import { CREATE_PRINCIPAL_SCHEMA, CreatedPrincipalDto, CreatePrincipalDto, PrincipalDto } from './principals.dto';
import { PrincipalsService } from './principals.service';

@ApiTags('principals')
@Controller('api')
export class PrincipalsController {
  constructor(private readonly service: PrincipalsService) {}

  @Post('principals')
  @HttpCode(201)
  @Access('principal.create')
  @SecretInResponse('token')
  @ApiOperation({
    summary: 'Create a principal and its bearer token (shown once)',
    description: 'The token is in this answer only: a repeat with the same Idempotency-Key answers the same principal without its token.',
  })
  @ApiCreatedResponse({ type: CreatedPrincipalDto })
  @ApiBody({ schema: CREATE_PRINCIPAL_SCHEMA })
  @ApiErrors(400, 401, 403, 404)
  create(@CurrentPrincipal() by: Principal, @Body() dto: CreatePrincipalDto) {
    return this.service.create(by, dto);
  }

  @Get('me')
  @Access('principal.me')
  @ApiOperation({ summary: 'The principal behind the bearer token' })
  @ApiOkResponse({ type: PrincipalDto })
  @ApiErrors(401)
  me(@CurrentPrincipal() p: Principal): PrincipalDto {
    return p;
  }
}
