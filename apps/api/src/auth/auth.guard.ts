// Every route declares its access (@Open, or @Access naming its action in libs/domain's access table); a route that
// declares none is refused, so a new endpoint cannot be left unprotected by accident. The door checks the role
// (decisions excepted: their service checks role and scope together, so that the refusal is audited); scopes are
// checked by the services, against the same table.
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { accessRule, DomainError, isPublicAction, requireAccess } from '../../../../libs/domain/src';
import { requestContext } from '../common/request-context';
import { ACCESS_KEY, type AuthedRequest, type RouteAccess } from './decorators';
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
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ACCESS_KEY, [context.getHandler(), context.getClass()]);
    const req = context.switchToHttp().getRequest<Request & AuthedRequest>();
    if (!access) throw new DomainError('FORBIDDEN', 'this route declares no access rule');
    if (access.kind === 'open') return true;
    if (isPublicAction(access.action)) {
      // The rate limit of public channels is the next guard's (PublicRateGuard, rate-limiter.ts).
      const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
      req.caller = { role: 'public', address };
      return true;
    }
    const principal = await this.auth.authenticate(req.header('authorization'));
    req.caller = principal;
    const store = requestContext.getStore();
    if (store) store.principalId = principal.id;
    if (!accessRule(access.action).decision) requireAccess(principal, access.action);
    return true;
  }
}
