// TransactionStatus reception (pure parts): decode the body, check the sender, extract the fields we store.
import { charsetOf, decodeForm } from './form.ts';
import { isNotificationKeyValid } from './key.ts';
import type { Secret } from './secret.ts';

export interface NotificationAuth {
  portalKey: Secret;
  portalId: string;
  aid: string;
  /** IPv4 CIDRs; empty = any sender. */
  allowedCidrs: readonly Cidr[];
}

export interface Cidr {
  base: number;
  bits: number;
}

function ipv4ToInt(ip: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip.replace(/^::ffff:/i, ''));
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((n) => n > 255)) return null;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** "185.60.20.0/24, 54.246.203.105" → CIDRs; throws on a malformed entry. */
export function parseCidrs(list: string | undefined): Cidr[] {
  if (!list?.trim()) return [];
  return list.split(',').map((entry) => {
    const [ip, bitsText] = entry.trim().split('/');
    const base = ipv4ToInt(ip ?? '');
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    if (base === null || !Number.isInteger(bits) || bits < 0 || bits > 32) throw new Error(`invalid CIDR "${entry}"`);
    return { base, bits };
  });
}

export function ipAllowed(ip: string, cidrs: readonly Cidr[]): boolean {
  if (cidrs.length === 0) return true;
  const n = ipv4ToInt(ip);
  if (n === null) return false;
  return cidrs.some(({ base, bits }) => {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return (n & mask) >>> 0 === (base & mask) >>> 0;
  });
}

export type NotificationCheck =
  | { ok: true; fields: Record<string, string> }
  | { ok: false; reason: 'forbidden_ip' | 'bad_key' | 'wrong_portal' | 'wrong_aid' | 'malformed'; detail: string };

/** §6.1/§6.4: ISO-8859-1 unless the Content-Type names another charset; key, portalid and aid must match. */
export function checkNotification(
  raw: Buffer,
  contentType: string | undefined,
  remoteIp: string,
  auth: NotificationAuth,
): NotificationCheck {
  if (!ipAllowed(remoteIp, auth.allowedCidrs))
    return { ok: false, reason: 'forbidden_ip', detail: `sender ${remoteIp} is not allowed` };
  const fields = decodeForm(raw, charsetOf(contentType) ?? 'ISO-8859-1');
  if (!fields.key || !isNotificationKeyValid(fields.key, auth.portalKey))
    return { ok: false, reason: 'bad_key', detail: 'key missing or incorrect' };
  if (fields.portalid !== auth.portalId)
    return { ok: false, reason: 'wrong_portal', detail: `portalid ${fields.portalid} is not ours` };
  if (fields.aid !== auth.aid) return { ok: false, reason: 'wrong_aid', detail: `aid ${fields.aid} is not ours` };
  if (!fields.txaction) return { ok: false, reason: 'malformed', detail: 'txaction missing' };
  return { ok: true, fields };
}
