// OCPI PATCH (and EVSE/Connector PUT) applied to a stored Location, purely: the result is validated as a whole
// Location again, so a patch can never leave an invalid object behind.
//
// Semantics: fields in the body replace the stored ones; `evses` and `connectors` lists in a body hold partial
// children that are merged into the stored children with the same uid/id (new ones are appended and must then be
// complete). `last_updated` of the patched object is propagated to its parents (§4.1) when it is newer.
import {
  type Connector,
  type Evse,
  type Location,
  type ParseLocationResult,
  parseConnectorPatch,
  parseEvsePatch,
  parseLocation,
  parseLocationPatch,
  utc,
  type ValidationIssue,
} from './location.schema.ts';

export interface PatchTarget {
  /** Patch this EVSE of the location (`…/{location_id}/{evse_uid}`). */
  evse_uid?: string;
  /** With evse_uid: patch this connector (`…/{evse_uid}/{connector_id}`). */
  connector_id?: string;
}

type Obj = Record<string, unknown>;
const same = (a: unknown, b: unknown) => String(a).toUpperCase() === String(b).toUpperCase();

function mergeList(stored: Obj[] | undefined | null, patches: Obj[], key: string, merge: (a: Obj, b: Obj) => Obj) {
  const out = [...(stored ?? [])];
  for (const p of patches) {
    const i = out.findIndex((s) => same(s[key], p[key]));
    if (i >= 0) out[i] = merge(out[i] as Obj, p);
    else out.push(p);
  }
  return out;
}

const mergeConnector = (a: Obj, b: Obj): Obj => ({ ...a, ...b });
const mergeEvse = (a: Obj, b: Obj): Obj => {
  const merged: Obj = { ...a, ...b };
  if (Array.isArray(b.connectors))
    merged.connectors = mergeList(a.connectors as Obj[], b.connectors, 'id', mergeConnector);
  return merged;
};

const later = (a: string, b: string) => (Date.parse(utc(b)) > Date.parse(utc(a)) ? b : a);
const fail = (path: string, message: string): ParseLocationResult => ({ ok: false, errors: [{ path, message }] });
const failWith = (errors: ValidationIssue[]): ParseLocationResult => ({ ok: false, errors });

/** Applies a PATCH body at location, EVSE or connector level and validates the result. */
export function applyLocationPatch(location: Location, body: unknown, target: PatchTarget = {}): ParseLocationResult {
  const loc = structuredClone(location) as Obj & Location;
  if (target.connector_id !== undefined) {
    if (target.evse_uid === undefined) return fail('', 'a connector patch needs the EVSE uid');
    const p = parseConnectorPatch(body);
    if (!p.ok) return failWith(p.errors);
    if (p.value.id !== undefined && !same(p.value.id, target.connector_id))
      return fail('id', `does not match the connector id "${target.connector_id}" of the URL`);
    const evse = (loc.evses ?? []).find((e) => same(e.uid, target.evse_uid)) as (Obj & Evse) | undefined;
    if (!evse) return fail('', `unknown EVSE "${target.evse_uid}"`);
    evse.connectors = mergeList(
      evse.connectors as unknown as Obj[],
      [{ ...p.value, id: target.connector_id }],
      'id',
      mergeConnector,
    ) as unknown as Connector[];
    evse.last_updated = later(evse.last_updated, p.value.last_updated);
    loc.last_updated = later(loc.last_updated, p.value.last_updated);
  } else if (target.evse_uid !== undefined) {
    const p = parseEvsePatch(body);
    if (!p.ok) return failWith(p.errors);
    if (p.value.uid !== undefined && !same(p.value.uid, target.evse_uid))
      return fail('uid', `does not match the EVSE uid "${target.evse_uid}" of the URL`);
    loc.evses = mergeList(
      loc.evses as unknown as Obj[],
      [{ ...p.value, uid: target.evse_uid }],
      'uid',
      mergeEvse,
    ) as unknown as Evse[];
    loc.last_updated = later(loc.last_updated, p.value.last_updated);
  } else {
    const p = parseLocationPatch(body);
    if (!p.ok) return failWith(p.errors);
    for (const k of ['country_code', 'party_id', 'id'] as const) {
      if (p.value[k] !== undefined && !same(p.value[k], loc[k])) return fail(k, `cannot change the location's ${k}`);
    }
    const { evses, ...fields } = p.value;
    Object.assign(loc, fields);
    if (evses)
      loc.evses = mergeList(location.evses as unknown as Obj[], evses as Obj[], 'uid', mergeEvse) as unknown as Evse[];
    loc.last_updated = later(location.last_updated, p.value.last_updated);
  }
  return parseLocation(loc);
}
