// A stand-in for the Lataus API that follows the published web contract, for working on the web app (and running
// the browser scenarios) while the real server is not available: `E2E_MOCK=1 npm run e2e`, or run this file
// directly: `node --import tsx test/e2e/mock-api.ts <staticRoot> [port]`.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

type Status = 'AVAILABLE' | 'CHARGING' | 'OUTOFORDER' | 'UNKNOWN';

const cities: Array<[string, number, number, string]> = [
  ['Berlin', 52.52, 13.405, '10115'],
  ['Hamburg', 53.551, 9.993, '20095'],
  ['München', 48.137, 11.575, '80331'],
  ['Köln', 50.937, 6.96, '50667'],
  ['Frankfurt am Main', 50.11, 8.682, '60311'],
  ['Stuttgart', 48.775, 9.182, '70173'],
  ['Leipzig', 51.339, 12.373, '04109'],
  ['Dresden', 51.05, 13.737, '01067'],
  ['Hannover', 52.375, 9.732, '30159'],
  ['Nürnberg', 49.452, 11.077, '90402'],
];
const streets = ['Hauptstraße', 'Bahnhofstraße', 'Marktplatz', 'Industriestraße', 'Am Park', 'Ringstraße'];
const names = ['Rathaus', 'Supermarkt', 'Parkhaus Mitte', 'Autohof', 'Bahnhof', 'Stadtwerke', 'Einkaufszentrum'];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function price(energy: string, vatIncl: string, time: string | null, flat: string | null, varies: string[]) {
  const p = (incl: string) => ({ excl_vat: incl, incl_vat: incl, vat: '19' });
  return {
    currency: 'EUR',
    tariff_id: `T-${energy}`,
    energy_per_kwh: { excl_vat: energy, incl_vat: vatIncl, vat: '19' },
    time_per_hour: time ? p(time) : null,
    flat: flat ? p(flat) : null,
    parking_per_hour: null,
    min_price: null,
    max_price: null,
    varies,
    alt_text: null,
  };
}

function buildNetwork(n: number) {
  const r = rng(7);
  const out = [];
  for (let i = 0; i < n; i++) {
    const [city, lat, lon, zip] = cities[i % cities.length]!;
    const dc = r() < 0.35;
    const kw = dc ? [50, 150, 300][Math.floor(r() * 3)]! : [11, 22][Math.floor(r() * 2)]!;
    const evseCount = 1 + Math.floor(r() * 4);
    const evses = Array.from({ length: evseCount }, (_, e) => {
      const x = r();
      const status: Status = x < 0.55 ? 'AVAILABLE' : x < 0.85 ? 'CHARGING' : x < 0.95 ? 'OUTOFORDER' : 'UNKNOWN';
      const standard = dc ? (e % 3 === 2 ? 'CHADEMO' : 'IEC_62196_T2_COMBO') : 'IEC_62196_T2';
      const pr = dc
        ? price('0.4790', '0.5700', '6.0000', null, ['time_of_day', 'duration'])
        : price('0.3361', '0.4000', null, '1.0000', []);
      return {
        uid: `E${i}-${e}`,
        evse_id: `DE*LTS*E${String(i).padStart(5, '0')}*${e + 1}`,
        status,
        floor_level: null,
        physical_reference: String(e + 1),
        capabilities: ['REMOTE_START_STOP_CAPABLE'],
        connectors: [
          {
            id: '1',
            standard,
            format: dc ? 'CABLE' : 'SOCKET',
            power_type: dc ? 'DC' : 'AC_3_PHASE',
            max_voltage: dc ? 920 : 400,
            max_amperage: dc ? 500 : 32,
            max_power_kw: kw,
            tariff_ids: [pr.tariff_id],
            price: pr,
          },
        ],
      };
    });
    const count = (s: Status) => evses.filter((e) => e.status === s).length;
    const tf = r() < 0.6;
    const opening_hours = tf
      ? { twentyfourseven: true }
      : {
          twentyfourseven: false,
          regular_hours: [1, 2, 3, 4, 5, 6].map((weekday) => ({
            weekday,
            period_begin: '07:00',
            period_end: weekday === 6 ? '14:00' : '22:00',
          })),
          exceptional_closings: [{ period_begin: '2026-12-24T13:00:00Z', period_end: '2026-12-26T23:00:00Z' }],
        };
    const groups = new Map<string, { standard: string; power_type: string; max_power_kw: number; count: number }>();
    for (const c of evses.flatMap((e) => e.connectors)) {
      const g = groups.get(c.standard) ?? { standard: c.standard, power_type: c.power_type, max_power_kw: 0, count: 0 };
      g.count++;
      g.max_power_kw = Math.max(g.max_power_kw, c.max_power_kw);
      groups.set(c.standard, g);
    }
    out.push({
      id: `LOC${String(i).padStart(5, '0')}`,
      country_code: 'DE',
      party_id: 'LTS',
      operator_name: 'Lataus Demo Energie',
      name: `${names[i % names.length]} ${city}`,
      address: `${streets[Math.floor(r() * streets.length)]} ${1 + Math.floor(r() * 120)}`,
      city,
      postal_code: zip,
      country: 'DEU',
      coordinates: { latitude: lat + (r() - 0.5) * 0.3, longitude: lon + (r() - 0.5) * 0.45 },
      time_zone: 'Europe/Berlin',
      distance_m: null as number | null,
      availability: {
        total: evses.length,
        available: count('AVAILABLE'),
        charging: count('CHARGING'),
        blocked: 0,
        out_of_order: count('OUTOFORDER'),
        unknown: count('UNKNOWN'),
      },
      connectors: [...groups.values()],
      max_power_kw: kw,
      open_now: tf || r() < 0.7,
      opening_hours,
      price: evses[0]!.connectors[0]!.price,
      evses,
      facilities: ['SUPERMARKET', 'WIFI'],
      parking_type: 'PARKING_LOT',
      directions: [{ language: 'en', text: 'Entrance from the back of the car park.' }],
      operator: { name: 'Lataus Demo Energie', website: 'https://example.com' },
    });
  }
  return out;
}

type Loc = ReturnType<typeof buildNetwork>[number];

function haversine(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(a));
}

function search(all: Loc[], q: URLSearchParams): Loc[] {
  const text = (q.get('q') ?? '').toLowerCase();
  const standards = (q.get('standard') ?? '').split(',').filter(Boolean);
  const minKw = Number(q.get('min_power_kw') ?? 0);
  const lat = q.get('lat');
  const lon = q.get('lon');
  const radius = Number(q.get('radius') ?? 10_000);
  let out = all
    .filter((l) => !text || `${l.name} ${l.address} ${l.city}`.toLowerCase().includes(text))
    .filter((l) => !standards.length || l.connectors.some((c) => standards.includes(c.standard)))
    .filter((l) => l.max_power_kw >= minKw)
    .filter((l) => q.get('available') !== 'true' || l.availability.available > 0)
    .filter((l) => q.get('open_now') !== 'true' || l.open_now)
    .map((l) => ({
      ...l,
      distance_m:
        lat && lon ? haversine(Number(lat), Number(lon), l.coordinates.latitude, l.coordinates.longitude) : null,
    }));
  if (lat && lon) out = out.filter((l) => (l.distance_m ?? 0) <= radius).sort((a, b) => a.distance_m! - b.distance_m!);
  return out;
}

function summary(l: Loc) {
  const { evses: _e, facilities: _f, parking_type: _p, directions: _d, operator: _o, ...rest } = l;
  return rest;
}

export function startMockApi(staticRoot: string, port = 0): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const network = buildNetwork(400);
  const providers: Array<Record<string, unknown>> = [
    {
      country_code: 'DE',
      party_id: 'LTS',
      name: 'Lataus Demo Energie',
      website: null,
      integrated: true,
      location_count: 400,
    },
  ];
  const problem = (res: http.ServerResponse, status: number, code: string, detail: string, extra = {}) => {
    res.writeHead(status, { 'content-type': 'application/problem+json' });
    res.end(JSON.stringify({ type: 'about:blank', title: code, status, detail, code, ...extra }));
  };
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const readBody = (req: http.IncomingMessage) =>
    new Promise<string>((resolve) => {
      let s = '';
      req.on('data', (c) => {
        s += c;
      });
      req.on('end', () => resolve(s));
    });

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    const admin = () => req.headers.authorization === 'Bearer lataus-dev-admin';
    if (p === '/ready') return json(res, 200, { status: 'ready' });
    if (p === '/api/v1/config')
      return json(res, 200, { map_style_url: null, admin_token_hint: 'lataus-dev-admin', currency_locale: 'de-DE' });
    if (p === '/api/v1/locations/markers') {
      return json(res, 200, {
        type: 'FeatureCollection',
        features: search(network, url.searchParams).map((l) => ({
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [l.coordinates.longitude, l.coordinates.latitude] },
          properties: {
            id: l.id,
            country_code: l.country_code,
            party_id: l.party_id,
            name: l.name,
            available: l.availability.available,
            total: l.availability.total,
            max_power_kw: l.max_power_kw,
            status:
              l.availability.available > 0 ? 'AVAILABLE' : l.availability.charging > 0 ? 'OCCUPIED' : 'UNAVAILABLE',
          },
        })),
      });
    }
    if (p === '/api/v1/locations') {
      const found = search(network, url.searchParams);
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 50), 200);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      return json(res, 200, {
        items: found.slice(offset, offset + limit).map(summary),
        total: found.length,
        limit,
        offset,
      });
    }
    const m = /^\/api\/v1\/locations\/([^/]+)$/.exec(p);
    if (m) {
      const l = network.find((x) => x.id === decodeURIComponent(m[1]!));
      return l ? json(res, 200, l) : problem(res, 404, 'LOCATION_NOT_FOUND', 'No such location');
    }
    if (p === '/api/v1/admin/providers') {
      if (!admin()) return problem(res, 401, 'UNAUTHORIZED', 'Bearer token required');
      if (req.method === 'GET') return json(res, 200, { items: providers });
      const b = JSON.parse(await readBody(req));
      if (providers.some((x) => x.country_code === b.country_code && x.party_id === b.party_id))
        return problem(res, 409, 'PROVIDER_EXISTS', 'exists');
      const created = { ...b, website: b.website ?? null, integrated: false, location_count: 0 };
      providers.push(created);
      return json(res, 201, created);
    }
    const im = /^\/api\/v1\/admin\/providers\/([A-Z]{2})\/([A-Z0-9]{3})\/import$/.exec(p);
    if (im && req.method === 'POST') {
      if (!admin()) return problem(res, 401, 'UNAUTHORIZED', 'Bearer token required');
      const text = await readBody(req);
      const lines = text.trim().split(/\r?\n/);
      const header = lines[0]?.split(',') ?? [];
      const rows: Array<{ row: number; field: string | null; reason: string }> = [];
      lines.slice(1).forEach((line, i) => {
        const cells = line.split(',');
        const lat = cells[header.indexOf('latitude')];
        if (!lat || Number.isNaN(Number(lat))) rows.push({ row: i + 2, field: 'latitude', reason: 'not a number' });
      });
      if (rows.length) return problem(res, 422, 'IMPORT_REJECTED', `${rows.length} rows rejected`, { rows });
      const ids = new Set(lines.slice(1).map((l) => l.split(',')[0]));
      const prov = providers.find((x) => x.country_code === im[1] && x.party_id === im[2]);
      if (prov) prov.location_count = Number(prov.location_count) + ids.size;
      return json(res, 200, { imported: ids.size });
    }
    if (p.startsWith('/api/')) return problem(res, 404, 'ROUTE_NOT_FOUND', 'no route');
    // Static files with the SPA fallback, as the real server does.
    const file = path.join(staticRoot, path.normalize(p).replace(/^(\.\.[/\\])+/, ''));
    const target = fs.existsSync(file) && fs.statSync(file).isFile() ? file : path.join(staticRoot, 'index.html');
    const ext = path.extname(target);
    const types: Record<string, string> = {
      '.html': 'text/html',
      '.js': 'application/javascript',
      '.mjs': 'application/javascript',
      '.css': 'text/css',
      '.json': 'application/json',
    };
    res.writeHead(200, { 'content-type': types[ext] ?? 'application/octet-stream' });
    fs.createReadStream(target).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const addr = server.address();
      const actual = typeof addr === 'object' && addr ? addr.port : port;
      resolve({
        baseUrl: `http://127.0.0.1:${actual}`,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = path.resolve(process.argv[2] ?? 'dist-web');
  startMockApi(root, Number(process.argv[3] ?? 5180)).then(({ baseUrl }) => console.log(`mock API on ${baseUrl}`));
}
