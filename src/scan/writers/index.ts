// Mask writers and reference-mask readers (exports live under scan/ because they follow the source's
// geometry: size, NIfTI affine, DICOM references).
export * from './png';
export * from './nifti';
export * from './dicomSeg';
export * from './maskImport';
export * from './coco';
export * from './scores';
export * from './zip';
