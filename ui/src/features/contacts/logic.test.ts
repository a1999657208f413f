import { describe, expect, it } from 'vitest';
import { csvCell, mappingFromColumns, rejectedRowsCsv, textOn, windowRange } from './logic';

describe('windowRange', () => {
  it('draws the rows in view plus the overscan, clamped to the list', () => {
    expect(windowRange(0, 480, 100_000, 48, 8)).toEqual({ start: 0, end: 19 });
    // Scrolled to row 1000: rows 992…1019 (10 in view + 1 partial + 8 either side).
    expect(windowRange(48_000, 480, 100_000, 48, 8)).toEqual({ start: 992, end: 1019 });
    expect(windowRange(48 * 99_995, 480, 100_000, 48, 8)).toEqual({ start: 99_987, end: 100_000 });
    expect(windowRange(500, 480, 0)).toEqual({ start: 0, end: 0 });
  });
});

describe('files', () => {
  it('quotes CSV cells that need it', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  it('writes rejected rows with a BOM and a header', () => {
    const text = rejectedRowsCsv([{ line: 4, code: 'no_phone', reason: 'no phone number, sorry' }]);
    expect(text).toBe('\uFEFFline,code,reason\r\n4,no_phone,"no phone number, sorry"\r\n');
  });

  it('builds an explicit mapping from column choices', () => {
    expect(
      mappingFromColumns([
        { column: 'Mobile', field: 'phone' },
        { column: 'Work', field: 'phone' },
        { column: 'Phone 1 - Type', field: 'phoneType' },
        { column: 'Nome', field: 'name' },
        { column: 'Stadt', field: 'field:city' },
        { column: 'Junk', field: null },
      ]),
    ).toEqual({ phone: 'Mobile', name: 'Nome', 'field:city': 'Stadt' });
  });
});

describe('tag colours', () => {
  it('picks readable text', () => {
    expect(textOn('#ffffff')).toBe('#111827');
    expect(textOn('#2563eb')).toBe('#ffffff');
    expect(textOn('#ca8a04')).toBe('#ffffff');
    expect(textOn('nonsense')).toBe('#ffffff');
  });
});
