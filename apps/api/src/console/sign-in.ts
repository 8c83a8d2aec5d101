// One-time sign-in links: the office makes a link for a principal and hands it over (mail, chat, paper);
// opening it in the console trades its code, once, for a browser session token that lives until sign-out or
// expiry. The code travels in the URL's fragment, which browsers never send to a server, and the console
// removes it from the address bar at once.
import { Body, CanActivate, Controller, ExecutionContext, Headers, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { randomBytes } from 'node:crypto';
import { DomainError, ROLES, notFound, requireAccess } from '../../../../libs/domain/src';
import type { AuthService } from '../auth/auth.service';
import { Access, CurrentPrincipal } from '../auth/decorators';
import { hashToken, type Principal } from '../auth/principal';
import { ApiErrors } from '../common/dto';
import { UuidParam } from '../common/params';
import type { ConsoleRepository, SignInRepository } from '../../../../libs/persistence/src';

/** How long a link may wait to be opened, and how long the session it opens lasts. */
export const SIGN_IN_LINK_TTL_MS = 7 * 24 * 3600_000;
export const SESSION_TTL_MS = 12 * 3600_000;
const SIGN_IN_CODE = /^sl_[A-Za-z0-9_-]{20,100}$/;
/** What the idempotency interceptor accepts as a key (visible ASCII, 1 to 255). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export class SignInLinkDto {
  @ApiProperty({ description: 'the path to open in the console, code in the fragment: /sign-in#code=…' }) path!: string;
  @ApiProperty({ description: 'the one-time code (shown this once, stored only as its sha256)' }) code!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

export class RedeemDto {
  @ApiProperty({ description: 'the code of a sign-in link', pattern: SIGN_IN_CODE.source })
  @IsString()
  @Matches(SIGN_IN_CODE, { message: 'not a sign-in code' })
  code!: string;
}

class SessionPrincipalDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: string;
  @ApiProperty({ format: 'uuid', required: false }) unitId?: string;
  @ApiProperty({ format: 'uuid', required: false }) groupId?: string;
}

export class SessionDto {
  @ApiProperty({ description: 'bearer token of this browser session' }) token!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ type: SessionPrincipalDto }) principal!: SessionPrincipalDto;
}

export class SignedOutDto {
  @ApiProperty({ description: 'whether a session token was ended (a principal token stays valid)' }) ended!: boolean;
}

export class SignInService {
  constructor(
    private readonly tokens: SignInRepository,
    private readonly directory: ConsoleRepository,
    private readonly auth: AuthService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async createLink(by: Principal, principalId: string): Promise<SignInLinkDto> {
    requireAccess(by, 'sign-in-link.create');
    if (!(await this.directory.principalExists(principalId))) throw notFound('principal', principalId);
    const code = `sl_${randomBytes(24).toString('base64url')}`;
    const expiresAt = new Date(this.now().getTime() + SIGN_IN_LINK_TTL_MS);
    await this.tokens.createLink(principalId, hashToken(code), by.id, expiresAt);
    return { path: `/sign-in#code=${code}`, code, expiresAt: expiresAt.toISOString() };
  }

  async redeem(code: string): Promise<SessionDto> {
    const token = `ml_${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(this.now().getTime() + SESSION_TTL_MS);
    const principalId = await this.tokens.redeemLink(hashToken(code), hashToken(token), expiresAt);
    if (!principalId) {
      throw new DomainError(
        'UNAUTHENTICATED',
        'this sign-in link is unknown, already used or expired; ask the campaign office for a new one',
      );
    }
    const principal = await this.auth.authenticate(`Bearer ${token}`);
    return { token, expiresAt: expiresAt.toISOString(), principal };
  }

  async signOut(authorization: string | undefined): Promise<SignedOutDto> {
    const token = /^Bearer\s+(\S{1,512})\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) return { ended: false };
    const ended = await this.tokens.endSession(hashToken(token));
    this.auth.forget(token);
    return { ended };
  }
}

/**
 * A session token must never be stored to replay an answer: on sign-in and sign-out an Idempotency-Key is
 * set aside (a code is used once anyway: a repeat is refused, not replayed). A route guard runs before the
 * idempotency interceptor, so nothing is kept.
 */
class NoIdempotencyKey implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const key = req.header('idempotency-key');
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      throw new DomainError('INVALID_INPUT', 'Idempotency-Key: must be 1 to 255 visible ASCII characters', { field: 'Idempotency-Key' });
    }
    delete req.headers['idempotency-key'];
    return true;
  }
}

@ApiTags('sign-in')
@Controller('api')
export class SignInController {
  constructor(private readonly service: SignInService) {}

  @Post('principals/:id/sign-in-links')
  @HttpCode(201)
  @Access('sign-in-link.create')
  @ApiOperation({ summary: 'Make a one-time sign-in link for a principal (valid 7 days, opens a 12-hour browser session)' })
  @ApiCreatedResponse({ type: SignInLinkDto })
  @ApiErrors(401, 403, 404)
  createLink(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('principal')) id: string) {
    return this.service.createLink(p, id);
  }

  @Post('sign-in')
  @HttpCode(200)
  @UseGuards(NoIdempotencyKey)
  @Access('session.start')
  @ApiOperation({ summary: 'Trade a sign-in link’s code, once, for a browser session token (no token needed; rate-limited)' })
  @ApiOkResponse({ type: SessionDto })
  @ApiErrors(400, 401, 429)
  redeem(@Body() dto: RedeemDto) {
    return this.service.redeem(dto.code);
  }

  @Post('sign-out')
  @HttpCode(200)
  @UseGuards(NoIdempotencyKey)
  @Access('session.end')
  @ApiOperation({ summary: 'End the browser session of this token (a principal’s own token is not revoked by this)' })
  @ApiOkResponse({ type: SignedOutDto })
  @ApiErrors(401)
  signOut(@Headers('authorization') authorization: string | undefined) {
    return this.service.signOut(authorization);
  }
}
