import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeFile } from '../../test/helpers.js';
import { countFileLines, pieceCutter, recordLines, scanCsvPieces, type CsvDialect } from './csv-lines.js';

const RFC: CsvDialect = { quote: '"', escape: '"', newline: '\n' };

/** Cuts `text` fed in chunks of `size` bytes, so a quote or newline may fall on a chunk's edge. */
function cut(text: string, dialect: CsvDialect = RFC, size = Infinity) {
  const bytes = Buffer.from(text);
  const cutter = pieceCutter(dialect);
  const step = Math.min(size, bytes.length || 1);
  for (let i = 0; i < bytes.length; i += step) cutter.push(bytes.subarray(i, i + step));
  const { starts, count, blank } = cutter.result();
  return { starts: [...starts], count, blank };
}

describe('cutting a CSV file into DuckDB’s pieces', () => {
  const texts = [
    'a,b\n1,"x\ny"\n\n2,3\n',
    'a,b\r\n1,"x\r\ny"\r\n\r\n2,"say ""hi""\r\n"\r\n3,4',
    'a,b\n"",""\n"\n\n",1\n',
  ];

  it('gives each piece the line it starts on and lists blank pieces, whatever the chunk size', () => {
    expect(cut(texts[0]!)).toEqual({ starts: [1, 2, 4, 5], count: 4, blank: [3] });
    expect(cut(texts[1]!)).toEqual({ starts: [1, 2, 4, 5, 7], count: 5, blank: [3] });
    expect(cut(texts[2]!)).toEqual({ starts: [1, 2, 3], count: 3, blank: [] });
    for (const text of texts) {
      for (const size of [1, 2, 3, 5]) expect(cut(text, RFC, size), `${JSON.stringify(text)} in ${size}-byte chunks`).toEqual(cut(text));
    }
  });

  it('follows a backslash escape inside quotes and a file with \\r line ends', () => {
    const backslash: CsvDialect = { quote: '"', escape: '\\', newline: '\n' };
    const text = 'a,b\n1,"x\\"\ny"\n2,3\n';
    expect(cut(text, backslash)).toEqual({ starts: [1, 2, 4], count: 3, blank: [] });
    for (const size of [1, 2, 3]) expect(cut(text, backslash, size)).toEqual(cut(text, backslash));
    expect(cut('a,b\r1,"x\ry"\r\r2,3\r', { quote: '"', escape: '"', newline: '\r' })).toEqual({ starts: [1, 2, 4, 5], count: 4, blank: [3] });
  });

  it('treats quotes as plain bytes when the dialect has none', () => {
    expect(cut('a\n"x\ny\n', { quote: '', escape: '', newline: '\n' })).toEqual({ starts: [1, 2, 3], count: 3, blank: [] });
  });
});

describe('placing DuckDB’s rows on lines', () => {
  const pieces = (text: string) => {
    const cutter = pieceCutter(RFC);
    cutter.push(Buffer.from(text));
    return cutter.result();
  };
  // header 1; row on 2–3; malformed on 4; blank 5; row on 6
  const text = 'a,b\n1,"x\ny"\n1,2,3\n\n4,5\n';

  it('skips malformed and blank pieces, and names malformed records by their first line', () => {
    const placed = recordLines(pieces(text), 2, [3], false)!;
    expect([...placed.rows]).toEqual([2, 6]);
    expect([...placed.malformed]).toEqual([[3, 4]]);
  });

  it('counts a blank line as a row of a one-column file, as DuckDB reads it', () => {
    const placed = recordLines(pieces('a\nx\n\ny\n'), 3, [], true)!;
    expect([...placed.rows]).toEqual([2, 3, 4]);
  });

  it('gives up (undefined) when the pieces do not add up to what DuckDB read', () => {
    expect(recordLines(pieces(text), 3, [3], false)).toBeUndefined();
    expect(recordLines(pieces(text), 1, [3], false)).toBeUndefined();
    expect(recordLines(pieces(text), 2, [9], false)).toBeUndefined();
  });
});

describe('reading the file', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('counts physical lines of plain and gzip files, with or without a last newline', async () => {
    expect(await countFileLines(writeFile(dir, 'a.csv', 'a\n1\n\n2\n'))).toBe(4);
    expect(await countFileLines(writeFile(dir, 'b.csv', 'a\n1'))).toBe(2);
    expect(await countFileLines(writeFile(dir, 'c.csv', ''))).toBe(0);
    const gz = path.join(dir, 'd.csv.gz');
    fs.writeFileSync(gz, zlib.gzipSync('a,b\n1,"x\ny"\n'));
    expect(await countFileLines(gz)).toBe(3);
    expect(await scanCsvPieces(gz, RFC)).toMatchObject({ count: 2, blank: [] });
    expect(await countFileLines(path.join(dir, 'missing.csv'))).toBeUndefined();
    expect(await countFileLines(path.join(dir, 'missing.csv.gz'))).toBeUndefined(); // ends, not hangs
  });
});
