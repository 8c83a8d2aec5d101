// The routes of API.md (HTTP contract), outside the "Audit" table which the audit module serves.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const API_ROUTES: Array<[method: string, path: string]> = [
  ['POST', '/api/principals'],
  ['GET', '/api/me'],
  ['POST', '/api/campaigns'],
  ['GET', '/api/campaigns/:id'],
  ['POST', '/api/campaigns/:id/start'],
  ['POST', '/api/campaigns/:id/groups'],
  ['POST', '/api/campaigns/:id/units'],
  ['GET', '/api/campaigns/:id/units'],
  ['GET', '/api/campaigns/:id/dashboard'],
  ['GET', '/api/units/:id'],
  ['POST', '/api/units/:id/records'],
  ['POST', '/api/units/:id/opinions'],
  ['POST', '/api/units/:id/problems'],
  ['POST', '/api/units/:id/meeting'],
  ['POST', '/api/units/:id/meeting/attendance'],
  ['POST', '/api/units/:id/meeting/held'],
  ['POST', '/api/units/:id/transitions'],
  ['POST', '/api/units/:id/transitions/:tid/decision'],
  ['PUT', '/api/units/:id/task-book'],
  ['POST', '/api/units/:id/task-book/publish'],
  ['POST', '/api/units/:id/task-book/objections'],
  ['POST', '/api/units/:id/task-book/objections/:oid/answer'],
  ['GET', '/api/items/:itemId'],
  ['POST', '/api/items/:itemId/progress'],
  ['POST', '/api/items/:itemId/completion'],
  ['POST', '/api/items/:itemId/verification'],
  ['POST', '/api/items/:itemId/extensions'],
  ['POST', '/api/items/:itemId/extensions/:eid/decision'],
  ['POST', '/api/items/:itemId/carry-over'],
  ['GET', '/api/escalations'],
  ['POST', '/api/programmes'],
  ['POST', '/api/programmes/:id/goals/:gid/achievement'],
  ['POST', '/api/programmes/:id/goals/:gid/verification'],
  ['POST', '/api/units/:id/measures'],
  ['GET', '/health/live'],
  ['GET', '/health/ready'],
  ['GET', '/metrics'],
];

/** Routes listed in the shared spec, when it is beside the repository (it is in CI and development). */
export function specRoutes(): { routes: Array<[string, string]>; audit: Array<[string, string]> } | undefined {
  const file = join(__dirname, '../../../shared/spec/API.md');
  if (!existsSync(file)) return undefined;
  const routes: Array<[string, string]> = [];
  const audit: Array<[string, string]> = [];
  let section = '';
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const heading = /^##\s+(.*)$/.exec(line);
    if (heading) section = heading[1].trim();
    for (const m of line.matchAll(/`(GET|POST|PUT|DELETE|PATCH) (\/[^`?\s]+)`/g)) {
      (section === 'Audit' ? audit : routes).push([m[1], m[2]]);
    }
  }
  return { routes, audit };
}

/** `/api/units/:id` → `/api/units/{id}` (OpenAPI path form). */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');
