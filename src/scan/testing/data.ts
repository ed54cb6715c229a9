// Test-only helpers to find the shared real-data folder (never copied into the repo) and read files.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** ../shared/data from the repository root. */
export const DATA_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared/data');
export const hasData = existsSync(resolve(DATA_ROOT, 'sample-files/MANIFEST.csv'));

export function readData(rel: string): { name: string; bytes: Uint8Array } {
  const buf = readFileSync(resolve(DATA_ROOT, rel));
  return { name: rel.split('/').pop() ?? rel, bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) };
}

/** Minimal CSV parser (quoted fields with commas and doubled quotes). */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  const [head, ...body] = rows;
  return body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? ''])));
}
