// The signed-in principal of this browser tab: its token is kept in sessionStorage (gone when the tab
// closes), never in the URL, never in localStorage.
import { useSyncExternalStore } from 'react';

export interface SessionPrincipal {
  id: string;
  name: string;
  role: 'office' | 'unit' | 'supervisor' | 'auditor';
  unitId?: string;
  groupId?: string;
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
