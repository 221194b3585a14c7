// Server API response body: one `name=value` per line; values are not URL-encoded, so each line is split on the
// FIRST `=` only; blank lines are skipped (PAYONE-SERVER-API.md §1.2).

export function parseResponse(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of body.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue; // not a name=value line
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}
