#!/usr/bin/env node
// Synthetic DICOM for the development PACS (never real patients; nothing here is committed as files):
//   node scripts/pacs-synth.mjs series [--slices 100] [--size 512]   a CT-like phantom series (int16, 2.5 mm
//        slices, uploaded in shuffled order so the app must sort by ImagePositionPatient) for bench:pacs
//   node scripts/pacs-synth.mjs unsupported                           one image in MPEG-2 video transfer
//        syntax, which the workbench cannot decode (the PACS panel must say so)
// UIDs are derived from the arguments, so running it again stores the same instances (Orthanc keeps one).
// Uploads through Orthanc's REST API (POST /instances) on ORTHANC_HTTP_PORT with ORTHANC_USER/PASSWORD.
import { createHash } from 'node:crypto';
import dcmjs from 'dcmjs';

const { DicomDict, DicomMetaDictionary } = dcmjs.data;
const args = process.argv.slice(2);
const what = args[0];
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const port = process.env.ORTHANC_HTTP_PORT ?? '4371';
const base = process.env.ORTHANC_URL ?? `http://127.0.0.1:${port}`;
const auth = `Basic ${Buffer.from(`${process.env.ORTHANC_USER ?? 'vlsm'}:${process.env.ORTHANC_PASSWORD ?? 'vlsm-dev-only'}`).toString('base64')}`;
/** A UID of the 2.25 (UUID-derived) form from a name: the same name always gives the same UID. */
const uid = (name) =>
  `2.25.${BigInt(`0x${createHash('sha256').update(`vlsm-synth/${name}`).digest('hex').slice(0, 30)}`)}`;
const CT = '1.2.840.10008.5.1.4.1.1.2';
const SC = '1.2.840.10008.5.1.4.1.1.7';

function part10(dataset, syntax, encapsulated) {
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: syntax,
    ImplementationClassUID: '2.25.80302813137786398554742050926734630921',
    ImplementationVersionName: 'VLSM-WB-SYNTH',
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  const head = Buffer.from(dict.write());
  if (!encapsulated) return head;
  // Encapsulated Pixel Data (PS3.5 A.4): OB, undefined length, an empty offset table item, one fragment, delimiter.
  const tag = (g, e) => {
    const b = Buffer.alloc(4);
    b.writeUInt16LE(g, 0);
    b.writeUInt16LE(e, 2);
    return b;
  };
  const u32 = (v) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0, 0);
    return b;
  };
  const frag = Buffer.concat([encapsulated, Buffer.alloc(encapsulated.length % 2)]);
  return Buffer.concat([
    head,
    tag(0x7fe0, 0x0010),
    Buffer.from('OB'),
    Buffer.alloc(2),
    u32(0xffffffff),
    tag(0xfffe, 0xe000),
    u32(0),
    tag(0xfffe, 0xe000),
    u32(frag.length),
    frag,
    tag(0xfffe, 0xe0dd),
    u32(0),
  ]);
}

async function upload(bytes) {
  const r = await fetch(`${base}/instances`, {
    method: 'POST',
    headers: { Authorization: auth, 'Content-Type': 'application/dicom' },
    body: bytes,
  });
  if (!r.ok) throw new Error(`Orthanc refused an instance: HTTP ${r.status} ${await r.text()}`);
}

/** A CT-like phantom: body ellipse (~40 HU), a sphere (~300 HU) whose radius changes along z, noise. */
function phantomSlice(size, z, slices) {
  const px = new Int16Array(size * size);
  let seed = 12345 + z * 7919;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5;
  const c = size / 2;
  const t = (z - slices / 2) / (slices / 2);
  const r = size * 0.18 * Math.sqrt(Math.max(0, 1 - t * t));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const body = ((x - c) / (size * 0.42)) ** 2 + ((y - c) / (size * 0.32)) ** 2 <= 1;
      const ball = (x - c * 1.1) ** 2 + (y - c) ** 2 <= r * r;
      const hu = ball ? 300 : body ? 40 : -1000;
      px[y * size + x] = Math.round(hu + 1024 + rnd() * 20); // stored = HU + 1024 (intercept -1024)
    }
  }
  return px;
}

async function series() {
  const slices = opt('slices', 100);
  const size = opt('size', 512);
  const tagId = `${slices}.${size}`;
  const study = uid(`study/${tagId}`);
  const ser = uid(`series/${tagId}`);
  const order = Array.from({ length: slices }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = (i * 7 + 3) % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const t0 = Date.now();
  for (const z of order) {
    const px = phantomSlice(size, z, slices);
    const ds = {
      _vrMap: { PixelData: 'OW' },
      SOPClassUID: CT,
      SOPInstanceUID: uid(`instance/${tagId}/${z + 1}`),
      StudyInstanceUID: study,
      SeriesInstanceUID: ser,
      FrameOfReferenceUID: uid(`frame/${tagId}`),
      Modality: 'CT',
      PatientName: 'Synthetic^Phantom',
      PatientID: `VLSM-SYNTH-${slices}`,
      PatientBirthDate: '',
      PatientSex: 'O',
      StudyDate: '20260101',
      StudyTime: '120000',
      AccessionNumber: `SYNTH${slices}`,
      StudyID: '1',
      StudyDescription: `Synthetic phantom, ${slices} slices`,
      SeriesDescription: `Phantom ${slices} x ${size}x${size}`,
      SeriesNumber: 1,
      InstanceNumber: z + 1,
      ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
      ImagePositionPatient: [-(size * 0.35), -(size * 0.35), z * 2.5],
      ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
      PixelSpacing: [0.7, 0.7],
      SliceThickness: 2.5,
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      Rows: size,
      Columns: size,
      BitsAllocated: 16,
      BitsStored: 16,
      HighBit: 15,
      PixelRepresentation: 1,
      RescaleIntercept: -1024,
      RescaleSlope: 1,
      WindowCenter: 40,
      WindowWidth: 400,
      PixelData: px.buffer,
    };
    await upload(part10(ds, '1.2.840.10008.1.2.1'));
  }
  console.log(
    JSON.stringify({
      stored: slices,
      size,
      studyInstanceUID: study,
      seriesInstanceUID: ser,
      seconds: (Date.now() - t0) / 1000,
    }),
  );
}

async function unsupported() {
  const study = uid('study/video');
  const ds = {
    SOPClassUID: SC,
    SOPInstanceUID: uid('instance/video'),
    StudyInstanceUID: study,
    SeriesInstanceUID: uid('series/video'),
    Modality: 'OT',
    PatientName: 'Synthetic^Video',
    PatientID: 'VLSM-SYNTH-VIDEO',
    StudyDate: '20260102',
    StudyTime: '120000',
    AccessionNumber: 'SYNTHVIDEO',
    StudyDescription: 'MPEG-2 video (not readable by the workbench)',
    SeriesDescription: 'MPEG-2 clip',
    SeriesNumber: 1,
    InstanceNumber: 1,
    SamplesPerPixel: 3,
    PhotometricInterpretation: 'YBR_PARTIAL_420',
    PlanarConfiguration: 0,
    Rows: 16,
    Columns: 16,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    NumberOfFrames: 1,
  };
  // Not a playable MPEG-2 stream: a sequence header start code and padding; the transfer syntax is what matters.
  await upload(
    part10(
      ds,
      '1.2.840.10008.1.2.4.100',
      Buffer.from([0, 0, 1, 0xb3, 1, 0, 16, 0x13, 0xff, 0xff, 0xe0, 0x18]),
    ),
  );
  console.log(
    JSON.stringify({ stored: 1, studyInstanceUID: study, transferSyntax: '1.2.840.10008.1.2.4.100' }),
  );
}

const run = { series, unsupported }[what];
if (!run) {
  console.error('usage: node scripts/pacs-synth.mjs series [--slices N] [--size S] | unsupported');
  process.exit(2);
}
run().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
