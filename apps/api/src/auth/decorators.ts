import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiErrors } from '../common/dto';
import type { Role } from '../../../../libs/domain/src';
import type { Caller, Principal } from './principal';

export const ACCESS_KEY = 'massline:access';
export type Access = { kind: 'open' } | { kind: 'public' } | { kind: 'roles'; roles: Role[] };

// Each declaration also writes the route's security into the OpenAPI document, so the two cannot differ.

/** No token, no rate limit (health, metrics, docs). */
export const Open = () => SetMetadata(ACCESS_KEY, { kind: 'open' } satisfies Access);
/** No token; rate-limited per client address (opinions, objections). */
export const PublicChannel = () => applyDecorators(SetMetadata(ACCESS_KEY, { kind: 'public' } satisfies Access), ApiErrors(429));
/** A bearer token whose principal has one of these roles. Scope is checked by the service. */
export const Roles = (...roles: Role[]) =>
  applyDecorators(SetMetadata(ACCESS_KEY, { kind: 'roles', roles } satisfies Access), ApiBearerAuth(), ApiErrors(401, 403));

/**
 * Workflow decisions admit every authenticated role at the guard: the service checks role and scope itself,
 * so that a refusal (a unit approving itself, a supervisor of another group) is audited like any other.
 */
export const DECIDED_BY_SERVICE: Role[] = ['office', 'unit', 'supervisor', 'auditor'];

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
