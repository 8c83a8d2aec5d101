import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiErrors } from '../common/dto';
import { isPublicAction, type Action } from '../../../../libs/domain/src';
import type { Caller, Principal } from './principal';

export const ACCESS_KEY = 'massline:access';
/** What a route declares: infrastructure open to all, or the action of the access table it takes. */
export type RouteAccess = { kind: 'open' } | { kind: 'action'; action: Action };

// Each declaration also writes the route's security into the OpenAPI document, so the two cannot differ.

/** No token, no rate limit, no action (health, metrics, docs). */
export const Open = () => SetMetadata(ACCESS_KEY, { kind: 'open' } satisfies RouteAccess);

/**
 * The route takes this action (libs/domain access.ts). An action of the public channel needs no token and is
 * rate-limited per address; any other needs a bearer token, and the table's roles are checked at the door unless
 * the action is a decision (then the service checks role and scope together, and the refusal is audited).
 */
export const Access = (action: Action) =>
  isPublicAction(action)
    ? applyDecorators(SetMetadata(ACCESS_KEY, { kind: 'action', action } satisfies RouteAccess), ApiErrors(429))
    : applyDecorators(SetMetadata(ACCESS_KEY, { kind: 'action', action } satisfies RouteAccess), ApiBearerAuth(), ApiErrors(401, 403));

export interface AuthedRequest {
  caller?: Caller;
}

/** The authenticated principal of the request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest<AuthedRequest>().caller as Principal;
});
/** The caller of the request: a principal, or a public caller on a public channel. */
export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  return ctx.switchToHttp().getRequest<AuthedRequest>().caller as Caller;
});
