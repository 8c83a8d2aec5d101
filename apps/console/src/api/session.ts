// The signed-in principal of this browser tab: its token is kept in sessionStorage (gone when the tab
// closes), never in the URL, never in localStorage.
import { useSyncExternalStore } from 'react';
import type { components } from './generated/schema';

export type SessionPrincipal = components['schemas']['SessionPrincipalDto'];

const ROLES: readonly string[] = ['office', 'unit', 'supervisor', 'auditor'] satisfies SessionPrincipal['role'][];

/** The principal in an answer read without the typed client (`/api/me` with a pasted token), or undefined. */
export function asSessionPrincipal(body: unknown): SessionPrincipal | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.id !== 'string' || typeof b.name !== 'string' || typeof b.role !== 'string' || !ROLES.includes(b.role)) return undefined;
  const optional = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const unitId = optional(b.unitId);
  const groupId = optional(b.groupId);
  return {
    id: b.id,
    name: b.name,
    role: b.role as SessionPrincipal['role'],
    ...(unitId ? { unitId } : {}),
    ...(groupId ? { groupId } : {}),
  };
}

export interface Session {
  token: string;
  principal: SessionPrincipal;
  /** A session opened by a sign-in link ends on the server at sign-out; a pasted principal token does not. */
  viaLink: boolean;
}

const KEY = 'massline.session';
const listeners = new Set<() => void>();
let current: Session | null = read();

function read(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export const getSession = (): Session | null => current;

export function setSession(s: Session | null): void {
  current = s;
  try {
    if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
    else sessionStorage.removeItem(KEY);
  } catch {
    /* storage refused: the session lasts as long as this page */
  }
  for (const l of listeners) l();
}

export function useSession(): Session | null {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}
