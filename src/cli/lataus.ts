// `npm run -s lataus -- <command> [options]`: the project's command line. A small dispatcher: each command is
// one entry in COMMANDS (name → usage + handler); add new commands there.
//
// Exit codes: 0 success (audit: the CDR agrees), 1 audit found differences, 2 usage or input error.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  auditCdr,
  type MoneyPair,
  type PriceResult,
  parseCdrInput,
  parseTariff,
  priceCdr,
  type Tariff,
  type ValidationIssue,
} from '../modules/tariffs/index.ts';

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

interface Command {
  usage: string;
  run(argv: string[]): number;
}

function readJsonFile(path: string | undefined, option: string): unknown {
  if (!path) throw new CliError(`missing --${option} <file>`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read --${option} file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`--${option} file ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

function issuesText(where: string, errors: ValidationIssue[]): string {
  return [`${where} is invalid:`, ...errors.map((e) => `  ${e.path || '(root)'}: ${e.message}`)].join('\n');
}

function loadTariffs(path: string | undefined, strict: boolean): Tariff[] {
  const json = readJsonFile(path, 'tariffs');
  const list = Array.isArray(json) ? json : [json];
  const tariffs: Tariff[] = [];
  const errors: ValidationIssue[] = [];
  list.forEach((t, i) => {
    const r = parseTariff(t, { mode: strict ? 'strict' : 'pricing' });
    if (r.ok) tariffs.push(r.tariff);
    else
      for (const e of r.errors)
        errors.push({ path: Array.isArray(json) ? `[${i}]${e.path ? `.${e.path}` : ''}` : e.path, message: e.message });
  });
  if (errors.length > 0) throw new CliError(issuesText(`tariff file ${path}`, errors));
  return tariffs;
}

function loadCdr(path: string | undefined) {
  const r = parseCdrInput(readJsonFile(path, 'cdr'));
  if (!r.ok) throw new CliError(issuesText(`CDR file ${path}`, r.errors));
  return r;
}

/** OCPI Price as JSON numbers rounded to 4 decimals (the decimal string is exact; Number() only formats). */
function ocpiPrice(m: MoneyPair | null): { excl_vat: number; incl_vat: number } | null {
  return m === null ? null : { excl_vat: Number(m.excl_vat), incl_vat: Number(m.incl_vat) };
}

function ocpiTotals(r: PriceResult) {
  return {
    currency: r.currency,
    total_cost: ocpiPrice(r.total_cost),
    total_fixed_cost: ocpiPrice(r.total_fixed_cost),
    total_energy: Number(r.total_energy),
    total_energy_cost: ocpiPrice(r.total_energy_cost),
    total_time: Number(r.total_time),
    total_time_cost: ocpiPrice(r.total_time_cost),
    total_parking_time: Number(r.total_parking_time),
    total_parking_cost: ocpiPrice(r.total_parking_cost),
    total_reservation_time: Number(r.total_reservation_time),
    total_reservation_cost: ocpiPrice(r.total_reservation_cost),
  };
}

const COMMON_OPTIONS = {
  tariffs: { type: 'string' },
  cdr: { type: 'string' },
  'time-zone': { type: 'string', default: 'UTC' },
  strict: { type: 'boolean', default: false },
} as const;

const COMMANDS: Record<string, Command> = {
  price: {
    usage:
      'price --tariffs <file> --cdr <file> [--time-zone <IANA>] [--strict]\n' +
      '    Prices the CDR with the tariffs (one Tariff or an array; --strict requires complete OCPI Tariff objects)\n' +
      '    and prints the OCPI totals and the price proof as JSON. Time zone default UTC.',
    run(argv) {
      const { values } = parseArgs({ args: argv, options: COMMON_OPTIONS, strict: true });
      const tariffs = loadTariffs(values.tariffs, values.strict);
      const { cdr } = loadCdr(values.cdr);
      const r = priceCdr({ cdr, tariffs, timeZone: values['time-zone'] });
      if (!r.ok) throw new CliError(`cannot price the CDR: ${r.error.code}: ${r.error.message}`);
      const out = {
        ...ocpiTotals(r.result),
        semantics: r.result.semantics,
        warnings: r.result.warnings,
        breakdown: r.result.breakdown,
      };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    },
  },
  audit: {
    usage:
      'audit --cdr <file> [--tariffs <file>] [--time-zone <IANA>] [--tolerance 0.01] [--strict]\n' +
      "    Recomputes the CDR from the given tariffs (default: the CDR's embedded tariffs) and compares every\n" +
      '    OCPI total. Prints a JSON report; exit 0 when all fields agree within the tolerance, 1 otherwise.',
    run(argv) {
      const { values } = parseArgs({
        args: argv,
        options: { ...COMMON_OPTIONS, tolerance: { type: 'string', default: '0.01' } },
        strict: true,
      });
      if (!/^\d+(\.\d+)?$/.test(values.tolerance)) throw new CliError('--tolerance must be a non-negative decimal');
      const parsed = loadCdr(values.cdr);
      const tariffs = values.tariffs ? loadTariffs(values.tariffs, values.strict) : parsed.tariffs;
      const r = auditCdr({ cdr: parsed.cdr, tariffs, timeZone: values['time-zone'], tolerance: values.tolerance });
      if (!r.ok) throw new CliError(`cannot audit the CDR: ${r.error.code}: ${r.error.message}`);
      const { report } = r;
      const out = {
        agrees: report.agrees,
        tolerance: report.tolerance,
        differences: report.differences,
        not_reported: report.not_reported,
        computed: ocpiTotals(report.computed),
        compared: report.compared,
        breakdown: report.computed.breakdown,
      };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return report.agrees ? 0 : 1;
    },
  },
};

function usage(): string {
  return [
    'usage: npm run -s lataus -- <command> [options]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([, c]) => `  ${c.usage}`),
    '',
    'exit codes: 0 ok, 1 audit differences, 2 usage or input error',
  ].join('\n');
}

export function main(argv: string[]): number {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  try {
    return cmd.run(rest);
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`lataus ${name}: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`lataus ${name}: ${e.message}\nusage: ${cmd.usage}\n`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2));
