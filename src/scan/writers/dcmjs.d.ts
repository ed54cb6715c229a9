// Minimal types for the parts of dcmjs the DICOM SEG writer/reader uses (dcmjs ships no types).
declare module 'dcmjs' {
  type Dataset = Record<string, unknown>;
  interface DicomDictInstance {
    dict: Dataset;
    meta: Dataset;
    write(options?: Record<string, unknown>): ArrayBuffer;
  }
  const dcmjs: {
    data: {
      DicomDict: new (meta: Dataset) => DicomDictInstance;
      DicomMessage: { readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): DicomDictInstance };
      /** sRGB (0-1 per channel) <-> DICOM CIELab (0-65535). */
      Colors: { rgb2DICOMLAB(rgb: number[]): number[]; dicomlab2RGB(lab: readonly number[]): number[] };
      DicomMetaDictionary: {
        naturalizeDataset(dataset: Dataset): Dataset;
        denaturalizeDataset(dataset: Dataset): Dataset;
        uid(): string;
        date(): string;
        time(): string;
      };
    };
  };
  export default dcmjs;
}
