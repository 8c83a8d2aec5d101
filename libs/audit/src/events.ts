// Reading a history in its JSON form (as exported, as the CLI prints it): event types, times and payloads.
// Working on the JSON form lets every audit tool read a live history and an exported file the same way.

export interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}
export interface JsonPayloads {
  payloads?: JsonPayload[];
}
export interface JsonHistoryEvent {
  eventId: string;
  eventTime: string;
  eventType: string;
  [attributes: string]: unknown;
}
export interface JsonHistory {
  events: JsonHistoryEvent[];
}

const fromBase64 = (s: string | undefined): Buffer => Buffer.from(s ?? '', 'base64');

/** Decodes one payload written by the default payload converter (json/plain, binary/null, binary/plain). */
export function decodePayload(payload: JsonPayload | undefined): unknown {
  if (!payload) return undefined;
  const encoding = fromBase64(payload.metadata?.encoding).toString('utf8');
  switch (encoding) {
    case 'binary/null':
      return undefined;
    case 'json/plain':
      return JSON.parse(fromBase64(payload.data).toString('utf8'));
    case 'binary/plain':
      return new Uint8Array(fromBase64(payload.data));
    default:
      // Encrypted or custom-encoded payloads stay opaque: say so rather than guess.
      return { encoding, opaque: true };
  }
}

export const decodePayloads = (p: JsonPayloads | undefined): unknown[] => (p?.payloads ?? []).map(decodePayload);

/**
 * The attributes object of an event (its one `…EventAttributes` field), as JSON: a caller that knows the event's
 * type says which fields it reads with a type of its own (`as`).
 */
export function attributesOf(event: JsonHistoryEvent): Record<string, unknown> {
  const key = Object.keys(event).find((k) => k.endsWith('EventAttributes'));
  const attributes = key ? event[key] : undefined;
  return typeof attributes === 'object' && attributes !== null ? (attributes as Record<string, unknown>) : {};
}

/** Event time as a millisecond ISO string (the engine keeps nanoseconds; people read milliseconds). */
export const eventTimeIso = (event: JsonHistoryEvent): string => new Date(event.eventTime).toISOString();

export const eventIdOf = (event: JsonHistoryEvent): number => Number(event.eventId);

/** Decoded search attributes of an event (`{MasslinePhase: 'P2'}`). */
export function decodeSearchAttributes(indexedFields: Record<string, JsonPayload> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, payload] of Object.entries(indexedFields ?? {})) {
    const value = decodePayload(payload);
    // Keyword/Int attributes are stored as a value or a one-element list, depending on who wrote them.
    out[name] = Array.isArray(value) && value.length === 1 ? value[0] : value;
  }
  return out;
}
