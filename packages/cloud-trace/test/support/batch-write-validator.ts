// A strict check of a traces:batchWrite body against the Cloud Trace API v2 reference (the
// Span resource and its documented limits): every field known, typed, and within its limit.
const SPAN_FIELDS = new Set(['name', 'spanId', 'parentSpanId', 'displayName', 'startTime', 'endTime', 'attributes', 'stackTrace', 'timeEvents', 'links', 'status', 'sameProcessAsParentSpan', 'childSpanCount', 'spanKind']);
const KINDS = new Set(['SPAN_KIND_UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER']);
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

function truncatable(value: unknown, max: number, where: string, problems: string[]): void {
  const t = value as { value?: unknown; truncatedByteCount?: unknown };
  if (t === null || typeof t !== 'object' || typeof t.value !== 'string') return void problems.push(`${where}: not a TruncatableString`);
  if (bytes(t.value) > max) problems.push(`${where}: ${bytes(t.value)} bytes > ${max}`);
  if (t.truncatedByteCount !== undefined && (!Number.isInteger(t.truncatedByteCount) || (t.truncatedByteCount as number) < 0)) problems.push(`${where}: bad truncatedByteCount`);
  for (const key of Object.keys(t)) if (key !== 'value' && key !== 'truncatedByteCount') problems.push(`${where}: unknown field ${key}`);
}

function attributes(value: unknown, max: number, where: string, problems: string[]): void {
  const a = value as { attributeMap?: Record<string, unknown>; droppedAttributesCount?: unknown };
  if (a === null || typeof a !== 'object' || a.attributeMap === null || typeof a.attributeMap !== 'object') return void problems.push(`${where}: no attributeMap`);
  const keys = Object.keys(a.attributeMap);
  if (keys.length > max) problems.push(`${where}: ${keys.length} attributes > ${max}`);
  for (const key of keys) {
    if (bytes(key) > 128) problems.push(`${where}: key of ${bytes(key)} bytes`);
    const v = a.attributeMap[key] as Record<string, unknown>;
    const kinds = Object.keys(v);
    if (kinds.length !== 1) problems.push(`${where}.${key}: ${kinds.length} value kinds`);
    else if (kinds[0] === 'stringValue') truncatable(v.stringValue, 256, `${where}.${key}`, problems);
    else if (kinds[0] === 'intValue') {
      if (typeof v.intValue !== 'string' || !/^-?\d+$/.test(v.intValue)) problems.push(`${where}.${key}: intValue must be a decimal string`);
    } else if (kinds[0] === 'boolValue') {
      if (typeof v.boolValue !== 'boolean') problems.push(`${where}.${key}: boolValue not boolean`);
    } else problems.push(`${where}.${key}: unknown value kind ${kinds[0]}`);
  }
}

/** Every problem found in the body (empty when it would be accepted). */
export function problemsOfBatchWrite(body: { spans?: unknown }, project: string): string[] {
  const problems: string[] = [];
  if (!Array.isArray(body.spans)) return ['spans is not an array'];
  body.spans.forEach((raw, i) => {
    const s = raw as Record<string, unknown>;
    const where = `spans[${i}]`;
    for (const key of Object.keys(s)) if (!SPAN_FIELDS.has(key)) problems.push(`${where}: unknown field ${key}`);
    const name = new RegExp(`^projects/${project}/traces/[0-9a-f]{32}/spans/([0-9a-f]{16})$`).exec(String(s.name));
    if (name === null) problems.push(`${where}: bad name ${String(s.name)}`);
    else if (name[1] !== s.spanId) problems.push(`${where}: spanId differs from name`);
    if (s.parentSpanId !== undefined && !/^[0-9a-f]{16}$/.test(String(s.parentSpanId))) problems.push(`${where}: bad parentSpanId`);
    truncatable(s.displayName, 128, `${where}.displayName`, problems);
    for (const t of ['startTime', 'endTime']) if (!RFC3339.test(String(s[t]))) problems.push(`${where}.${t}: not RFC 3339`);
    attributes(s.attributes, 32, `${where}.attributes`, problems);
    if (!KINDS.has(String(s.spanKind))) problems.push(`${where}: bad spanKind`);
    if (s.sameProcessAsParentSpan !== undefined && typeof s.sameProcessAsParentSpan !== 'boolean') problems.push(`${where}: sameProcessAsParentSpan not boolean`);
    const events = (s.timeEvents as { timeEvent?: Array<Record<string, unknown>> } | undefined)?.timeEvent ?? [];
    if (events.length > 32) problems.push(`${where}: ${events.length} annotations > 32`);
    events.forEach((e, j) => {
      if (!RFC3339.test(String(e.time))) problems.push(`${where}.timeEvent[${j}]: bad time`);
      const annotation = e.annotation as Record<string, unknown>;
      truncatable(annotation.description, 256, `${where}.timeEvent[${j}].description`, problems);
      attributes(annotation.attributes, 4, `${where}.timeEvent[${j}].attributes`, problems);
    });
    const links = (s.links as { link?: unknown[] } | undefined)?.link ?? [];
    if (links.length > 128) problems.push(`${where}: ${links.length} links > 128`);
    const frames = ((s.stackTrace as { stackFrames?: { frame?: unknown[] } } | undefined)?.stackFrames?.frame ?? []).length;
    if (frames > 128) problems.push(`${where}: ${frames} stack frames > 128`);
    const status = s.status as { code?: unknown } | undefined;
    if (status !== undefined && !Number.isInteger(status.code)) problems.push(`${where}: status code not an integer`);
  });
  return problems;
}
