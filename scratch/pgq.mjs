import pg from 'pg';
const c = new pg.Client({ connectionString: process.env.U });
await c.connect();
for (let i = 0; i < 500; i++) await c.query('select $1::int as x', [i]);
const n = 5000; const cpu0 = process.cpuUsage(); const t0 = performance.now();
for (let i = 0; i < n; i++) await c.query('select $1::int as x', [i]);
const cpu = process.cpuUsage(cpu0); const wall = performance.now() - t0;
console.log(process.env.U.slice(0,30), 'wall/q', (wall / n).toFixed(3), 'ms; cpu/q user', (cpu.user / 1000 / n).toFixed(3), 'sys', (cpu.system / 1000 / n).toFixed(3));
await c.end();
