// Entry point for reading any supported scan: sniffs the format from magic bytes, dispatches to the
// reader, and turns every failure into a ScanReadError with a message a user can act on.
import { inflateBounded } from '../lib/inflate';
import { checkAbort, limitsOf, type Limits, type ReadOptions } from './limits';
import { sniff, sniffNifti } from './sniff';
import { ScanReadError, type Scan } from './types';

export interface ScanFile {
  name: string;
  bytes: Uint8Array;
}

const UNSUPPORTED: Record<string, string> = {
  'nifti-pair': 'This is a NIfTI header/image pair (.hdr + .img); open a single-file .nii or .nii.gz instead.',
  analyze:
    'This is an ANALYZE 7.5 header (.hdr, its voxels in the .img beside it). ANALYZE does not record which side is the patient\'s left, so it could show mirrored: convert it to NIfTI (.nii or .nii.gz, e.g. with nibabel or FSL\'s fslchfiletype) and open that.',
  zip: 'This is a ZIP archive, not a scan; unpack it and open the images inside.',
  gif: 'GIF images are not supported; save the image as PNG.',
  pdf: 'This is a PDF document, not a scan.',
  html: 'This is an HTML or XML document, not a scan (perhaps a download page was saved instead of the file).',
  text: 'This is a text file, not a scan.',
};

async function dispatch(file: ScanFile, limits: Limits): Promise<Scan> {
  const b = file.bytes;
  const kind = sniff(b);
  // headerless voxels (any bytes at all) named .img: the image half of a .hdr/.img pair
  if ((kind === 'unknown' || kind === 'text') && /\.img$/i.test(file.name)) {
    throw new ScanReadError(
      `"${file.name}" looks like the voxel half of an ANALYZE or NIfTI header/image pair (.hdr + .img), which cannot be opened; convert the pair to a single NIfTI file (.nii or .nii.gz) and open that.`,
      'unsupported',
    );
  }
  switch (kind) {
    case 'png':
      return (await import('./raster/png')).readPng(file.name, b, limits);
    case 'jpeg':
      return (await import('./raster/jpeg')).readJpeg(file.name, b, limits);
    case 'bmp':
      return (await import('./raster/bmp')).readBmp(file.name, b, limits);
    case 'tiff':
      return (await import('./raster/tiff')).readTiff(file.name, b, limits);
    case 'webp':
      return (await import('./raster/webp')).readWebp(file.name, b, limits);
    case 'dicom':
      return (await import('./dicom/read')).readDicom(file.name, b, limits);
    case 'nifti':
      return (await import('./nifti/read')).readNifti(file.name, b, false, limits);
    case 'nrrd':
      return (await import('./volume/nrrd')).readNrrd(file.name, b, limits);
    case 'metaimage':
      return (await import('./volume/mha')).readMha(file.name, b, limits);
    case 'gzip': {
      let head: Uint8Array;
      try {
        head = inflateBounded(b, { container: 'gzip', want: 540, maxBytes: 540 }).data;
      } catch (e) {
        throw new ScanReadError(`The gzip file is corrupt or truncated: ${(e as Error).message}.`, 'corrupt');
      }
      const inner = sniffNifti(head);
      if (inner === 'nifti') return (await import('./nifti/read')).readNifti(file.name, b, true, limits);
      if (inner === 'nifti-pair') throw new ScanReadError(UNSUPPORTED['nifti-pair'], 'unsupported');
      if (head.length < 348 && /\.nii\.gz$/i.test(file.name)) throw new ScanReadError('The .nii.gz file is truncated: it decompresses to less than a NIfTI header.', 'truncated');
      throw new ScanReadError('This gzip file does not contain a NIfTI image; only .nii.gz is supported among compressed files.', 'unsupported');
    }
    case 'unknown':
      throw new ScanReadError(
        `"${file.name}" is not a recognised image format (PNG, JPEG, WebP, BMP, TIFF, DICOM, NIfTI, NRRD or MetaImage); its first bytes match none of them.`,
        'unknown-format',
      );
    default:
      throw new ScanReadError(UNSUPPORTED[kind], 'unsupported');
  }
}

/** Reads a scan from its bytes. Throws ScanReadError for bad input, or the signal's reason when aborted. */
export async function readScan(file: ScanFile, opts?: ReadOptions): Promise<Scan> {
  const limits = limitsOf(opts);
  checkAbort(limits.signal);
  if (file.bytes.length === 0) throw new ScanReadError(`"${file.name}" is empty (0 bytes).`, 'empty');
  try {
    const scan = await dispatch(file, limits);
    checkAbort(limits.signal);
    return scan;
  } catch (e) {
    if (e instanceof ScanReadError || (e instanceof DOMException && e.name === 'AbortError') || e === limits.signal?.reason) throw e;
    if (e instanceof RangeError) throw new ScanReadError(`The file is corrupt: a size or offset in it is out of range (${e.message}).`, 'corrupt');
    throw new ScanReadError(`The file could not be read: ${e instanceof Error ? e.message : String(e)}.`, 'corrupt');
  }
}
