// A small RFC 4180 CSV reader: quoted fields (with delimiters, quotes and newlines inside), CRLF or LF,
// UTF-8 BOM, `,` or `;` delimiter detected from the header line (German Excel writes `;`).
// Each record carries the physical line it starts on, so errors can point the user at a line in their file.

export type CsvDelimiter = ',' | ';';

export interface CsvRecord {
  /** 1-based physical line number where the record starts (the header is line 1 in a file without blank lines). */
  line: number;
  fields: string[];
}

export interface CsvSyntaxError {
  line: number;
  reason: string;
}

export type CsvParseResult =
  | { ok: true; delimiter: CsvDelimiter; records: CsvRecord[] }
  | { ok: false; delimiter: CsvDelimiter; error: CsvSyntaxError };

/** Picks the delimiter that occurs more often (outside quotes) in the first line; `,` on a tie. */
export function detectDelimiter(text: string): CsvDelimiter {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && c === ',') commas++;
    else if (!quoted && c === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

/**
 * Parses CSV text into records. Blank lines (no characters at all) are skipped; fields are not trimmed.
 * A quote inside an unquoted field is kept literally (lenient, like spreadsheet exports with `12"`);
 * text after a closing quote and an unterminated quoted field are syntax errors.
 */
export function parseCsv(input: string, opts: { delimiter?: CsvDelimiter } = {}): CsvParseResult {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const delimiter = opts.delimiter ?? detectDelimiter(text);
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;

  while (i < n) {
    // Skip blank lines between records.
    if (text[i] === '\n') {
      line++;
      i++;
      continue;
    }
    if (text[i] === '\r') {
      line++;
      i += text[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    const start = line;
    const fields: string[] = [];
    // Read one record.
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        const quoteLine = line;
        i++;
        for (;;) {
          if (i >= n) {
            return { ok: false, delimiter, error: { line: quoteLine, reason: 'a quoted field is never closed' } };
          }
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\r') {
            // Keep the line break inside the field as written, but count it once.
            if (text[i + 1] === '\n') {
              field += '\r\n';
              i += 2;
            } else {
              field += '\r';
              i++;
            }
            line++;
            continue;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (i < n && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r') {
          return {
            ok: false,
            delimiter,
            error: { line, reason: `unexpected text after a closing quote (expected "${delimiter}" or a line end)` },
          };
        }
      } else {
        const from = i;
        while (i < n && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r') i++;
        field = text.slice(from, i);
      }
      fields.push(field);
      if (i < n && text[i] === delimiter) {
        i++;
        continue; // another field follows (possibly empty, also at the end of the line)
      }
      break;
    }
    // Consume the line end.
    if (text[i] === '\r') {
      i += text[i + 1] === '\n' ? 2 : 1;
      line++;
    } else if (text[i] === '\n') {
      i++;
      line++;
    }
    records.push({ line: start, fields });
  }
  return { ok: true, delimiter, records };
}
