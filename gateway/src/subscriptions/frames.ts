/**
 * Bytes once: a result that many subscribers share (one object per event, see joined.ts) is
 * serialized once, and each socket gets the same payload text inside its own graphql-ws `next`
 * frame; only the operation id differs.
 */
const payloads = new WeakMap<object, string | null>();

/** Marks a result as shared by every subscriber of its event. */
export function markShared<T extends object>(result: T): T {
  if (!payloads.has(result)) payloads.set(result, null);
  return result;
}

/** The JSON of a shared result, serialized on first use; undefined for a result of one subscriber. */
export function sharedPayload(result: object): string | undefined {
  const cached = payloads.get(result);
  if (cached === undefined) return undefined;
  if (cached !== null) return cached;
  const json = JSON.stringify(result);
  payloads.set(result, json);
  return json;
}

/** A graphql-ws `next` message (the same bytes `JSON.stringify({ id, type, payload })` gives). */
export function nextFrame(id: string, payload: string): string {
  return `{"id":${JSON.stringify(id)},"type":"next","payload":${payload}}`;
}
