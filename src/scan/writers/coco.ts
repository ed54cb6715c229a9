// COCO-style RLE JSON for masks of one scan: {type, version} wrapper around COCO images/annotations/
// categories, with compressed-string RLE as pycocotools writes it. Validated on import.
import type { Mask } from '../../mask/types';
import { countForeground } from '../../mask/types';
import { fromCocoRle, toCocoRle, type CocoRle } from '../../mask/rle';

export const COCO_TYPE = 'vlsm-workbench/coco-rle';
export const COCO_VERSION = 1;

export interface CocoMaskEntry {
  label: string;
  mask: Mask;
  score?: number;
}

export interface CocoExport {
  type: typeof COCO_TYPE;
  version: number;
  images: { id: number; file_name: string; width: number; height: number }[];
  categories: { id: number; name: string }[];
  annotations: { id: number; image_id: number; category_id: number; segmentation: CocoRle; area: number; bbox: [number, number, number, number]; iscrowd: 0; score?: number }[];
}

function bbox(m: Mask): [number, number, number, number] {
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  for (let y = 0; y < m.height; y++) for (let x = 0; x < m.width; x++) if (m.data[y * m.width + x]) {
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return x1 < 0 ? [0, 0, 0, 0] : [x0, y0, x1 - x0 + 1, y1 - y0 + 1];
}

export function toCocoJson(fileName: string, entries: readonly CocoMaskEntry[]): CocoExport {
  const w = entries[0]?.mask.width ?? 0;
  const h = entries[0]?.mask.height ?? 0;
  const names = [...new Set(entries.map((e) => e.label))];
  return {
    type: COCO_TYPE,
    version: COCO_VERSION,
    images: [{ id: 1, file_name: fileName, width: w, height: h }],
    categories: names.map((name, i) => ({ id: i + 1, name })),
    annotations: entries.map((e, i) => ({
      id: i + 1,
      image_id: 1,
      category_id: names.indexOf(e.label) + 1,
      segmentation: toCocoRle(e.mask),
      area: countForeground(e.mask.data),
      bbox: bbox(e.mask),
      iscrowd: 0,
      ...(e.score !== undefined ? { score: e.score } : {}),
    })),
  };
}

const isSize = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 65536;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validate and decode; throws a readable error for anything that is not our COCO RLE export. */
export function parseCocoJson(text: string, expect?: { width: number; height: number; first?: boolean }): { fileName: string; entries: CocoMaskEntry[] } {
  if (text.length > 512 * 1024 * 1024) throw new Error('The COCO file is too large to be a mask export.');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error('The COCO file is not valid JSON.');
  }
  if (!isObj(doc) || doc.type !== COCO_TYPE) throw new Error(`Not a ${COCO_TYPE} file.`);
  if (typeof doc.version !== 'number' || doc.version > COCO_VERSION) throw new Error(`Unsupported COCO export version ${String(doc.version)}.`);
  if (!Array.isArray(doc.images) || !Array.isArray(doc.annotations) || !Array.isArray(doc.categories)) throw new Error('The COCO file lacks images, annotations or categories.');
  const img = doc.images[0] as unknown;
  if (!isObj(img) || !isSize(img.width) || !isSize(img.height)) throw new Error('The COCO image entry is malformed: it needs a whole-number width and height.');
  if (expect && (img.width !== expect.width || img.height !== expect.height)) {
    throw new Error(`The COCO masks are ${img.width} × ${img.height} pixels, but the scan is ${expect.width} × ${expect.height}. A reference mask must have the scan's exact size; it is not stretched.`);
  }
  if (img.width * img.height > 2 ** 28) throw new Error(`The COCO image is ${img.width} × ${img.height} pixels, more than a mask this app can hold.`);
  const cats = new Map<number, string>();
  for (const c of doc.categories as unknown[]) if (isObj(c) && typeof c.id === 'number' && typeof c.name === 'string') cats.set(c.id, c.name);
  const anns = doc.annotations as unknown[];
  const entries = (expect?.first ? anns.slice(0, 1) : anns).map((a, i) => {
    if (!isObj(a) || !isObj(a.segmentation)) throw new Error(`Annotation ${i + 1} is malformed.`);
    const seg = a.segmentation;
    if (!Array.isArray(seg.size) || seg.size.length !== 2 || typeof seg.counts !== 'string') throw new Error(`Annotation ${i + 1} has no compressed RLE.`);
    if (seg.counts.length > 8 * (img.width as number) * (img.height as number) + 64) throw new Error(`Annotation ${i + 1} has more RLE data than its image can hold.`);
    const [h, w] = seg.size as number[];
    if (h !== img.height || w !== img.width) throw new Error(`Annotation ${i + 1} does not match the image size.`);
    return {
      label: cats.get(a.category_id as number) ?? 'mask',
      mask: fromCocoRle({ size: [h, w], counts: seg.counts }),
      ...(typeof a.score === 'number' ? { score: a.score } : {}),
    };
  });
  return { fileName: String(img.file_name ?? ''), entries };
}
