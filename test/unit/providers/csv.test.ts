import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectDelimiter, parseCsv } from '../../../src/modules/providers/core/csv.ts';

function records(text: string) {
  const r = parseCsv(text);
  if (!r.ok) throw new Error(`unexpected CSV error: ${JSON.stringify(r.error)}`);
  return r.records;
}

describe('parseCsv', () => {
  it('reads plain records with their line numbers', () => {
    expect(records('a,b,c\n1,2,3\n')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', '2', '3'] },
    ]);
  });

  it('reads quoted fields with delimiters, doubled quotes and line breaks inside', () => {
    const text = 'id,name,address\n1,"Gent, Zuid","Line ""A""\nsecond line"\n2,x,y\n';
    expect(records(text)).toEqual([
      { line: 1, fields: ['id', 'name', 'address'] },
      { line: 2, fields: ['1', 'Gent, Zuid', 'Line "A"\nsecond line'] },
      { line: 4, fields: ['2', 'x', 'y'] },
    ]);
  });

  it('accepts CRLF line ends, also inside quoted fields, and counts lines once', () => {
    expect(records('a,b\r\n"x\r\ny",z\r\n3,4')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x\r\ny', 'z'] },
      { line: 4, fields: ['3', '4'] },
    ]);
  });

  it('strips a UTF-8 byte order mark', () => {
    expect(records('\uFEFFid,name\n1,Zürich Süd\n')).toEqual([
      { line: 1, fields: ['id', 'name'] },
      { line: 2, fields: ['1', 'Zürich Süd'] },
    ]);
  });

  it('detects the semicolon delimiter of German Excel exports', () => {
    const r = parseCsv('id;name;latitude\n1;"a;b";52,5\n');
    expect(r).toEqual({
      ok: true,
      delimiter: ';',
      records: [
        { line: 1, fields: ['id', 'name', 'latitude'] },
        { line: 2, fields: ['1', 'a;b', '52,5'] },
      ],
    });
    expect(detectDelimiter('a,b,c')).toBe(',');
    expect(detectDelimiter('a;b,c;d')).toBe(';');
    expect(detectDelimiter('"x;y;z",b\n1;2;3;4')).toBe(','); // only the header, outside quotes, counts
  });

  it('skips empty lines but keeps the physical line numbers', () => {
    expect(records('\n\na,b\n\n1,2\r\n\r\n3,4\n\n')).toEqual([
      { line: 3, fields: ['a', 'b'] },
      { line: 5, fields: ['1', '2'] },
      { line: 7, fields: ['3', '4'] },
    ]);
  });

  it('returns ragged rows as they are (the caller decides) and keeps empty fields', () => {
    expect(records('a,b,c\n1,2\n1,2,3,4\n,,\n')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', '2'] },
      { line: 3, fields: ['1', '2', '3', '4'] },
      { line: 4, fields: ['', '', ''] },
    ]);
    expect(records('a,b,')).toEqual([{ line: 1, fields: ['a', 'b', ''] }]);
  });

  it('keeps a quote inside an unquoted field literally', () => {
    expect(records('a,b\n12" screen,x\n')[1]).toEqual({ line: 2, fields: ['12" screen', 'x'] });
  });

  it('reports an unterminated quoted field at the line it starts', () => {
    expect(parseCsv('a,b\n1,"open\n\nstill open')).toEqual({
      ok: false,
      delimiter: ',',
      error: { line: 2, reason: 'a quoted field is never closed' },
    });
  });

  it('reports text after a closing quote', () => {
    const r = parseCsv('a,b\n"x"y,z\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.line).toBe(2);
  });

  it('reads back what a conforming writer wrote (property)', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'Ä', ' ', ',', ';', '"', '\n', '\r\n', 'x') });
    const table = fc
      .integer({ min: 1, max: 5 })
      .chain((width) =>
        fc.array(fc.array(field, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 8 }),
      );
    fc.assert(
      fc.property(
        table,
        fc.constantFrom(',', ';') as fc.Arbitrary<',' | ';'>,
        fc.boolean(),
        (rows, delimiter, crlf) => {
          // A writer quotes every field; a record whose only field is empty would be a blank line, so skip those.
          fc.pre(rows.every((r) => r.length > 1 || r[0] !== ''));
          const quote = (f: string) => `"${f.replaceAll('"', '""')}"`;
          const text = rows.map((r) => r.map(quote).join(delimiter)).join(crlf ? '\r\n' : '\n');
          const r = parseCsv(text, { delimiter });
          expect(r.ok).toBe(true);
          if (r.ok) expect(r.records.map((x) => x.fields)).toEqual(rows);
        },
      ),
    );
  });
});
