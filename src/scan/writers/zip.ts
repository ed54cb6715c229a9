// All exports of a study as one zip (fflate), file names made safe and unique.
import { zipSync, strToU8 } from 'fflate';

export type ZipEntries = Record<string, Uint8Array | string>;

export function safeName(name: string): string {
  return name.replace(/[^\w.\- ]+/g, '_').replace(/\s+/g, '_').slice(0, 120) || 'file';
}

export function zipStudy(files: ZipEntries): Uint8Array {
  const out: Record<string, Uint8Array> = {};
  for (const [path, content] of Object.entries(files)) {
    const parts = path.split('/').map(safeName);
    let p = parts.join('/');
    for (let k = 2; p in out; k++) p = parts.join('/').replace(/(\.[^./]+)?$/, `-${k}$1`);
    out[p] = typeof content === 'string' ? strToU8(content) : content;
  }
  return zipSync(out, { level: 6 });
}
