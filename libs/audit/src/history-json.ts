// History <-> the JSON that `temporal workflow show --output json` prints (Go protojson through the
// Temporal CLI's printer: declaration-order fields, map keys sorted, int64 as strings, full enum names,
// two-space indent, trailing newline). Byte-compatible so the Web UI's import and every SDK replayer read it.
//
// We use the protobufjs instance that @temporalio/proto was built with: the SDK's own historyToJSON /
// historyFromJSON (common/lib/proto-utils) fail with "type must be a Type" when npm installs separate
// protobufjs copies under @temporalio/common and @temporalio/proto, as it does here.
import * as path from 'path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

export type History = proto.temporal.api.history.v1.IHistory;
export type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

interface ReflectedField {
  name: string;
  jsonName: string;
  map: boolean;
  repeated: boolean;
  keyType?: string;
  resolvedType: ReflectedType | { valuesById: unknown } | null;
  resolve(): ReflectedField;
}
interface ReflectedType {
  fullName: string;
  fieldsArray: ReflectedField[];
}
interface ProtoJson {
  toJson(type: ReflectedType, message: unknown, options?: object): unknown;
  fromJson(type: ReflectedType, json: unknown, options?: object): unknown;
}

const protoDir = path.dirname(require.resolve('@temporalio/proto/package.json'));
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK's own copy of protobufjs (resolved from @temporalio/proto), whose protojson extension has no types
const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] })) as ProtoJson;
const root = patchProtobufRoot(proto) as unknown as { lookupType(name: string): ReflectedType };
const historyType = root.lookupType('temporal.api.history.v1.History');
const HistoryClass = proto.temporal.api.history.v1.History;

const isMessageType = (t: unknown): t is ReflectedType => !!t && Array.isArray((t as ReflectedType).fieldsArray);

// ---------- an ordered JSON tree, so that map keys keep Go's order (JS objects hoist integer-like keys) ----------
type Ordered = null | boolean | number | string | Ordered[] | { entries: Array<[string, Ordered]> };

const utf8Compare = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** Go protojson's GenericKeyOrder: false < true, integers ascending, strings by UTF-8 bytes. */
function sortMapKeys(keys: string[], keyType: string | undefined): string[] {
  switch (keyType) {
    case 'bool':
      return keys.sort((a, b) => (a === b ? 0 : a === 'false' ? -1 : 1));
    case 'int32':
    case 'sint32':
    case 'sfixed32':
    case 'uint32':
    case 'fixed32':
    case 'int64':
    case 'sint64':
    case 'sfixed64':
    case 'uint64':
    case 'fixed64':
      return keys.sort((a, b) => {
        const d = BigInt(a) - BigInt(b);
        return d < 0n ? -1 : d > 0n ? 1 : 0;
      });
    default:
      return keys.sort(utf8Compare);
  }
}

/** google.protobuf.Struct / Value are maps too: Go sorts their keys. */
function orderStructValue(json: unknown): Ordered {
  if (Array.isArray(json)) return json.map(orderStructValue);
  if (json && typeof json === 'object') {
    const keys = Object.keys(json).sort(utf8Compare);
    return { entries: keys.map((k) => [k, orderStructValue((json as Record<string, unknown>)[k])]) };
  }
  return json as Ordered;
}

function orderMessage(type: ReflectedType, json: unknown): Ordered {
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    return json as Ordered; // well-known types rendered as scalars (Timestamp, Duration, wrappers)
  }
  if (
    type.fullName === '.google.protobuf.Struct' ||
    type.fullName === '.google.protobuf.Value' ||
    type.fullName === '.google.protobuf.ListValue'
  ) {
    return orderStructValue(json);
  }
  const obj = json as Record<string, unknown>;
  const entries: Array<[string, Ordered]> = [];
  const byJsonName = new Map(type.fieldsArray.map((f) => [f.resolve().jsonName, f]));
  for (const key of Object.keys(obj)) {
    const field = byJsonName.get(key);
    const value = obj[key];
    if (!field) {
      entries.push([key, orderStructValue(value)]);
      continue;
    }
    const sub = field.resolvedType;
    const one = (v: unknown): Ordered => (isMessageType(sub) ? orderMessage(sub, v) : (v as Ordered));
    if (field.map) {
      const m = value as Record<string, unknown>;
      entries.push([key, { entries: sortMapKeys(Object.keys(m), field.keyType).map((k) => [k, one(m[k])]) }]);
    } else if (field.repeated) {
      entries.push([key, (value as unknown[]).map(one)]);
    } else {
      entries.push([key, one(value)]);
    }
  }
  return { entries };
}

/** Go's encoding of a float64 (JSON number formatting of encoding/json). */
function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return JSON.stringify(String(n)); // protojson already turned these into strings
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    // Go: strconv 'e' with shortest precision, exponent at least two digits then trimmed of a leading 0 (e-07 → e-7)
    return n
      .toExponential()
      .replace(/e([+-])(\d)$/, 'e$10$2')
      .replace(/e-0(\d)$/, 'e-$1');
  }
  return String(n);
}

function write(value: Ordered, indent: string, out: string[]): void {
  if (value === null) {
    out.push('null');
    return;
  }
  if (typeof value === 'number') {
    out.push(formatNumber(value));
    return;
  }
  if (typeof value === 'boolean') {
    out.push(value ? 'true' : 'false');
    return;
  }
  if (typeof value === 'string') {
    out.push(JSON.stringify(value));
    return;
  }
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (!value.length) {
      out.push('[]');
      return;
    }
    out.push('[');
    value.forEach((v, i) => {
      out.push(i ? ',\n' : '\n', inner);
      write(v, inner, out);
    });
    out.push('\n', indent, ']');
    return;
  }
  if (!value.entries.length) {
    out.push('{}');
    return;
  }
  out.push('{');
  value.entries.forEach(([k, v], i) => {
    out.push(i ? ',\n' : '\n', inner, JSON.stringify(k), ': ');
    write(v, inner, out);
  });
  out.push('\n', indent, '}');
}

/** The history as `temporal workflow show --output json` prints it (byte for byte, trailing newline included). */
export function historyToCliJson(history: History): string {
  // fromObject returns a message unchanged and converts plain objects (e.g. from the gRPC client).
  const message = HistoryClass.fromObject(history);
  const json = protojson.toJson(historyType, message);
  const out: string[] = [];
  write(orderMessage(historyType, json), '', out);
  out.push('\n');
  return out.join('');
}

// Older tools (tctl, early CLIs) wrote enums in PascalCase without their prefix; accept those too.
const constantCase = (s: string) => s.replace(/[^\b][A-Z]/g, (m) => `${m[0]}_${m[1]}`).toUpperCase();
function fixEnum(obj: Record<string, unknown>, attr: string, prefix: string) {
  const v = obj[attr];
  if (typeof v === 'string' && !v.startsWith(prefix)) obj[attr] = `${prefix}_${constantCase(v)}`;
}
function normaliseEvent(e: Record<string, unknown>): Record<string, unknown> {
  const attrKey = Object.keys(e).find((k) => k.endsWith('EventAttributes'));
  if (!attrKey) throw new TypeError(`history event ${String(e.eventId)} has no attributes`);
  const out = { ...e };
  fixEnum(out, 'eventType', 'EVENT_TYPE');
  const attrs = { ...(e[attrKey] as Record<string, unknown>) };
  if (attrs.taskQueue && typeof attrs.taskQueue === 'object') {
    attrs.taskQueue = { ...(attrs.taskQueue as Record<string, unknown>) };
    fixEnum(attrs.taskQueue as Record<string, unknown>, 'kind', 'TASK_QUEUE_KIND');
  }
  fixEnum(attrs, 'parentClosePolicy', 'PARENT_CLOSE_POLICY');
  fixEnum(attrs, 'workflowIdReusePolicy', 'WORKFLOW_ID_REUSE_POLICY');
  fixEnum(attrs, 'initiator', 'CONTINUE_AS_NEW_INITIATOR');
  fixEnum(attrs, 'retryState', 'RETRY_STATE');
  out[attrKey] = attrs;
  return out;
}

/** Parses the CLI's JSON (a string or an already parsed object) into a History the SDK replayer accepts. */
export function historyFromCliJson(json: string | object): History {
  const parsed: unknown = typeof json === 'string' ? JSON.parse(json) : json;
  if (!parsed || typeof parsed !== 'object' || !Array.isArray((parsed as { events?: unknown }).events)) {
    throw new TypeError('not a workflow history: expected an object with an "events" array');
  }
  const fixed = { events: (parsed as { events: Array<Record<string, unknown>> }).events.map(normaliseEvent) };
  const message = protojson.fromJson(historyType, fixed, { ignoreUnknownFields: true });
  if (!message) throw new TypeError('not a workflow history');
  // A message of the reflected type: the History's fields, which is what the replayer reads.
  return message;
}
