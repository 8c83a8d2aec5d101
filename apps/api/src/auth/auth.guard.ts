// Every route declares its access (@Open, @PublicChannel, @Roles); a route that declares none is refused,
// so a new endpoint cannot be left unprotected by accident. Roles are checked here, scopes in the services.
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainError } from '../../../../libs/domain/src';
import { requestContext } from '../common/request-context';
import { ACCESS_KEY, type Access, type AuthedRequest } from './decorators';
import type { AuthService } from './auth.service';

/** What the guard needs besides the Reflector (one injectable holder, so the guard can be useClass'd). */
export class AccessGuardDeps {
  constructor(readonly auth: AuthService) {}
}

@Injectable()
export class AccessGuard implements CanActivate {
  private readonly auth: AuthService;

  constructor(
    private readonly reflector: Reflector,
    deps: AccessGuardDeps,
  ) {
    this.auth = deps.auth;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [context.getHandler(), context.getClass()]);
    const req = context.switchToHttp().getRequest<Request & AuthedRequest>();
    if (!access) throw new DomainError('FORBIDDEN', 'this route declares no access rule');
    if (access.kind === 'open') return true;
    if (access.kind === 'public') {
      // The rate limit of public channels is the next guard's (PublicRateGuard, rate-limiter.ts).
      const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
      req.caller = { role: 'public', address };
      return true;
    }
    const principal = await this.auth.authenticate(req.header('authorization'));
    req.caller = principal;
    const store = requestContext.getStore();
    if (store) store.principalId = principal.id;
    if (!access.roles.includes(principal.role)) {
      throw new DomainError('FORBIDDEN', `role ${principal.role} may not call this (allowed: ${access.roles.join(', ')}) (rule: actor.role)`, {
        rule: 'actor.role',
        role: principal.role,
        params: { role: principal.role },
      });
    }
    return true;
  }
}
