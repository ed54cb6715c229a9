// DICOM parsing (dicom-parser) with readable errors: Part 10 with or without preamble, deflated
// transfer syntax through a bounded inflate, and recognition of DICOM objects that are not images.
import dicomParser, { type DataSet } from 'dicom-parser';
import { inflateBounded, InflateLimitError } from '../../lib/inflate';
import type { Limits } from '../limits';
import { ScanReadError } from '../types';

function describe(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object' && 'exception' in e) return describe((e as { exception: unknown }).exception);
  return 'unknown parser error';
}

/** Raw datasets (no preamble and meta group): guess explicit or implicit VR from the first element. */
function rawSyntax(b: Uint8Array): string | undefined {
  if (b.length >= 132 && String.fromCharCode(b[128], b[129], b[130], b[131]) === 'DICM') return undefined;
  return /^[A-Z]{2}$/.test(String.fromCharCode(b[4], b[5])) ? '1.2.840.10008.1.2.1' : '1.2.840.10008.1.2';
}

export interface Parsed {
  ds: DataSet;
  /** Transfer syntax UID from the meta group, or the one guessed for a raw dataset. */
  syntax: string;
}

type DataSetCtor = new (parser: unknown, bytes: Uint8Array, elements: DataSet['elements']) => DataSet;

/**
 * A Part 10 file whose transfer syntax says explicit VR little endian (or a compressed one, which implies it)
 * but whose data set is written implicit
 * (some writers do this; pydicom and dcmtk detect and read it): the data set parsed as implicit VR.
 */
function parseImplicitAfterMeta(bytes: Uint8Array): DataSet | undefined {
  const meta = dicomParser.readPart10Header(bytes) as DataSet & { position?: number };
  const at = meta.position;
  const ts = meta.string('x00020010') ?? '';
  // every transfer syntax but implicit VR little endian and explicit VR big endian is explicit VR little endian
  if (at === undefined || ts === '1.2.840.10008.1.2' || ts === '1.2.840.10008.1.2.2' || /^[A-Z]{2}$/.test(String.fromCharCode(bytes[at + 4], bytes[at + 5]))) return undefined;
  const ds = new (dicomParser as unknown as { DataSet: DataSetCtor }).DataSet(dicomParser.littleEndianByteArrayParser, bytes, { ...meta.elements });
  dicomParser.parseDicomDataSetImplicit(ds, new dicomParser.ByteStream(dicomParser.littleEndianByteArrayParser, bytes, at), bytes.length);
  // the implicit reader takes encapsulated (compressed) pixel data for a sequence: read its fragments
  const pd = ds.elements.x7fe00010;
  if (pd?.hadUndefinedLength && !pd.encapsulatedPixelData) {
    pd.items = undefined;
    dicomParser.findEndOfEncapsulatedElement(new dicomParser.ByteStream(dicomParser.littleEndianByteArrayParser, bytes, pd.dataOffset), pd, []);
  }
  return ds;
}

const DEFLATED = '1.2.840.10008.1.2.1.99';

/**
 * A deflated Part 10 file: the data set after the meta group inflated and parsed as explicit VR little endian
 * from where the meta group ends by its group length. (dicomParser reads one element past the meta group before
 * it checks the tag; when the deflated bytes there spell a VR such as SQ, it parses compressed bytes as a sequence
 * and fails: 1 generated file in 2000, reported as 'truncated'.)
 */
function parseDeflated(bytes: Uint8Array, inflate: (arr: Uint8Array, position: number) => Uint8Array): DataSet | undefined {
  if (bytes.length < 132 || String.fromCharCode(bytes[128], bytes[129], bytes[130], bytes[131]) !== 'DICM') return undefined;
  // the meta group's group length (0002,0000, UL, first after DICM) says where the deflated data set starts
  const lengthFirst = bytes[132] === 2 && bytes[133] === 0 && bytes[134] === 0 && bytes[135] === 0 && bytes[136] === 0x55 && bytes[137] === 0x4c;
  const at = lengthFirst ? 144 + new DataView(bytes.buffer, bytes.byteOffset + 140, 4).getUint32(0, true) : undefined;
  if (at === undefined || at > bytes.length) return undefined;
  const meta = dicomParser.readPart10Header(bytes.subarray(0, at)) as DataSet;
  if ((meta.string('x00020010') ?? '').replace(/\0/g, '').trim() !== DEFLATED) return undefined;
  const elements = meta.elements;
  const full = inflate(bytes, at);
  const ds = new (dicomParser as unknown as { DataSet: DataSetCtor }).DataSet(dicomParser.littleEndianByteArrayParser, full, elements);
  dicomParser.parseDicomDataSetExplicit(ds, new dicomParser.ByteStream(dicomParser.littleEndianByteArrayParser, full, at), full.length);
  return ds;
}

export function parseDataSet(bytes: Uint8Array, limits: Limits): Parsed {
  const syntax = rawSyntax(bytes);
  const inflater = (arr: Uint8Array, position: number): Uint8Array => {
    try {
      const { data } = inflateBounded(arr.subarray(position), { container: 'raw', maxBytes: limits.maxBytes });
      const out = new Uint8Array(position + data.length);
      out.set(arr.subarray(0, position));
      out.set(data, position);
      return out;
    } catch (e) {
      if (e instanceof InflateLimitError) throw new ScanReadError('The deflated DICOM data expands past the memory limit.', 'too-large');
      throw new ScanReadError(`The deflated DICOM data is corrupt: ${describe(e)}.`, 'corrupt');
    }
  };
  const parse = (ts?: string): DataSet =>
    dicomParser.parseDicom(bytes, { ...(ts ? { TransferSyntaxUID: ts } : {}), inflater: inflater as (arr: Uint8Array, position: number) => void });
  let ds: DataSet;
  try {
    try {
      ds = parseDeflated(bytes, inflater) ?? parse(syntax);
    } catch (e) {
      // Files without a transfer syntax in their meta header: assume explicit little endian, as toolkits do.
      if (/0002,0010/.test(describe(e))) ds = parse('1.2.840.10008.1.2.1');
      else {
        let implicit: DataSet | undefined;
        try {
          implicit = syntax ? undefined : parseImplicitAfterMeta(bytes);
        } catch {
          implicit = undefined;
        }
        if (!implicit) throw e;
        ds = implicit;
      }
    }
  } catch (e) {
    if (e instanceof ScanReadError) throw e;
    const inner = e && typeof e === 'object' && 'exception' in e ? (e as { exception: unknown }).exception : e;
    if (inner instanceof ScanReadError) throw inner;
    const msg = describe(e);
    const truncated = /past end|end of buffer|overrun|overread|offset|beyond|outside/i.test(msg);
    // the parser's own words (dicomParser.parseDicom: …, offsets) are not for the user
    throw new ScanReadError(
      truncated
        ? 'The DICOM file is truncated or damaged: an element runs past the end of the file. Copy or export it again from the source.'
        : /meta header|0002,/.test(msg)
          ? 'The DICOM file is truncated or damaged: its file header (group 0002) is incomplete. Copy or export it again from the source.'
          : 'The DICOM file is damaged: its attributes could not be read. Copy or export it again from the source.',
      truncated ? 'truncated' : 'corrupt',
    );
  }
  return { ds, syntax: syntax ?? ds.string('x00020010') ?? '1.2.840.10008.1.2.1' };
}

const NON_IMAGE: [RegExp, string][] = [
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.66\.4$/, 'a DICOM Segmentation object (SEG), not an image; import it as a reference mask instead'],
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.66\.5$/, 'a DICOM Surface Segmentation, not an image'],
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.481\.3$/, 'a DICOM RT Structure Set (contours), not an image'],
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.481\.2$/, 'a DICOM RT Dose (a radiotherapy dose grid, not a scan to segment); open the CT or MR the plan was made on'],
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.481\./, 'a DICOM radiotherapy object (RT plan, dose or record), not an image'],
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.88\./, 'a DICOM Structured Report, not an image'],
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.11\./, 'a DICOM Presentation State (display settings for other images), not an image'],
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.104\./, 'an encapsulated document (PDF/CDA) in DICOM, not an image'],
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.9\./, 'a DICOM waveform (ECG or similar), not an image'],
  [/^1\.2\.840\.10008\.5\.1\.4\.1\.1\.66(\.[123])?$/, 'a DICOM raw data, registration or fiducials object, not an image'],
  [/^1\.2\.840\.10008\.1\.3\.10$/, 'a DICOMDIR (the index of a DICOM folder), not an image; open the image files it lists instead'],
];

/** Throws 'not-an-image' for SEG, RT, SR, DICOMDIR and anything else without pixel data. */
export function assertImage(ds: DataSet): void {
  const sop = ds.string('x00080016') ?? ds.string('x00020002') ?? '';
  const modality = ds.string('x00080060') ?? '';
  const known = NON_IMAGE.find(([re]) => re.test(sop));
  if (known) throw new ScanReadError(`This is ${known[1]}.`, 'not-an-image');
  if (modality === 'SEG') throw new ScanReadError(`This is ${NON_IMAGE[0][1]}.`, 'not-an-image');
  if (modality === 'RTSTRUCT') throw new ScanReadError(`This is ${NON_IMAGE[2][1]}.`, 'not-an-image');
  if (!ds.elements.x7fe00010 && !ds.elements.x7fe00008 && !ds.elements.x7fe00009) {
    throw new ScanReadError(
      `This DICOM file holds no pixel data${sop ? ` (SOP class ${sop}${modality ? `, modality ${modality}` : ''})` : ''}, so it is not an image.`,
      'not-an-image',
    );
  }
}
