import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DetsegInputError } from '../util/errors.js';
import { assetsDir } from '../util/paths.js';
import { parseContour, rasterizePolygon } from './contour.js';
import { decodeDicom, percentileWindow } from './dicom.js';

/**
 * The Sunnybrook Cardiac Data (Radau et al. 2009, CC0), left-ventricle subset: short-axis cine MRI
 * slices of 5 heart-failure patients, each with the expert's inner (endocardial, "i-") contour.
 *
 * Layout of a Sunnybrook folder (as in `assets/sunnybrook/` and the shared `sunnybrook_lv_subset/`):
 * - `link.csv`: header `patient_id,original_id`, then e.g. `SCD0000101,SC-HF-I-1`;
 * - `dicoms/<patient_id>/<n>.dcm` (or `<n>.dcm.gz`): the slice with image number n;
 * - `contourfiles/<original_id>/i-contours/IM-0001-<nnnn>-icontour-manual.txt`: the contour of image n.
 */
export interface SunnybrookSlice {
  /** Patient id of the DICOM folder, e.g. `SCD0000101`. */
  patientId: string;
  /** Original Sunnybrook id of the contour folder, e.g. `SC-HF-I-1`. */
  originalId: string;
  /** Image number shared by the DICOM and the contour file names. */
  imageNumber: number;
  height: number;
  width: number;
  /** Intensities windowed to [0, 1] (1%–99% percentile window of this slice): `Float32Array [H, W]`. */
  image: Float32Array;
  /** Left-ventricle blood pool mask from the i-contour: `Uint8Array [H, W]`, 1 inside. */
  mask: Uint8Array;
  /** The i-contour, `Float32Array [K,2]` (x, y) in pixels (integer coordinates are pixel centres). */
  contour: Float32Array;
  /** Source files (for messages). */
  dicomFile: string;
  contourFile: string;
}

/** A loaded Sunnybrook folder: patients in `link.csv` order, slices sorted by patient then image number. */
export interface SunnybrookData {
  dir: string;
  patients: string[];
  slices: SunnybrookSlice[];
}

/** One row of `link.csv`. */
export interface SunnybrookLink {
  patientId: string;
  originalId: string;
}

/**
 * Parses `link.csv` (header `patient_id,original_id`). Throws a {@link DetsegInputError} naming the
 * file and line for a wrong header, a line without exactly two non-empty fields, or a repeated id.
 */
export function parseLinkCsv(text: string, file: string): SunnybrookLink[] {
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.trim().split(',').map((s) => s.trim());
  if (!header || header[0] !== 'patient_id' || header[1] !== 'original_id' || header.length !== 2) {
    throw new DetsegInputError(`expected the header "patient_id,original_id", got ${JSON.stringify(lines[0] ?? '')}`, { file, field: 'line 1' });
  }
  const links: SunnybrookLink[] = [];
  const seen = new Set<string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const parts = line.split(',').map((s) => s.trim());
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new DetsegInputError(`expected "patient_id,original_id", got ${JSON.stringify(line)}`, { file, field: `line ${i + 1}` });
    }
    for (const id of parts) {
      if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new DetsegInputError(`bad id ${JSON.stringify(id)}`, { file, field: `line ${i + 1}` });
      if (seen.has(id)) throw new DetsegInputError(`id ${id} appears twice`, { file, field: `line ${i + 1}` });
      seen.add(id);
    }
    links.push({ patientId: parts[0], originalId: parts[1] });
  }
  if (links.length === 0) throw new DetsegInputError('no patients listed', { file });
  return links;
}

const CONTOUR_NAME = /^IM-\d+-(\d+)-icontour-manual\.txt$/;

/**
 * Loads every slice that has an inner contour: decodes its DICOM, windows it to [0, 1], parses the
 * i-contour and rasterizes it into the LV mask (see {@link rasterizePolygon} for the pixel convention).
 * Pairs DICOM and contour by patient (through `link.csv`) and image number.
 *
 * @param dir a Sunnybrook folder (default: the embedded subset `assets/sunnybrook/`)
 * @param options.patients load only these patient ids (default: all of `link.csv`)
 * @throws DetsegInputError for a missing folder or DICOM, a malformed DICOM, contour or `link.csv`
 */
export function loadSunnybrook(dir: string = assetsDir('sunnybrook'), options: { patients?: string[] } = {}): SunnybrookData {
  const linkFile = join(dir, 'link.csv');
  if (!existsSync(linkFile)) throw new DetsegInputError('missing link.csv: not a Sunnybrook folder', { file: linkFile });
  let links = parseLinkCsv(readFileSync(linkFile, 'utf8'), linkFile);
  if (options.patients) {
    for (const p of options.patients) {
      if (!links.some((l) => l.patientId === p)) throw new DetsegInputError(`unknown patient id ${p}`, { file: linkFile, field: 'patients' });
    }
    links = links.filter((l) => options.patients!.includes(l.patientId));
  }
  const slices: SunnybrookSlice[] = [];
  for (const { patientId, originalId } of links) {
    const contourDir = join(dir, 'contourfiles', originalId, 'i-contours');
    const dicomDir = join(dir, 'dicoms', patientId);
    if (!existsSync(contourDir)) throw new DetsegInputError(`no contour folder for ${originalId} (patient ${patientId})`, { file: contourDir });
    if (!existsSync(dicomDir)) throw new DetsegInputError(`no DICOM folder for patient ${patientId}`, { file: dicomDir });
    const entries: Array<{ imageNumber: number; name: string }> = [];
    for (const name of readdirSync(contourDir)) {
      const m = CONTOUR_NAME.exec(name);
      if (m) entries.push({ imageNumber: Number(m[1]), name });
    }
    entries.sort((a, b) => a.imageNumber - b.imageNumber);
    for (const { imageNumber, name } of entries) {
      const contourFile = join(contourDir, name);
      const candidates = [join(dicomDir, `${imageNumber}.dcm`), join(dicomDir, `${imageNumber}.dcm.gz`)];
      const dicomFile = candidates.find((f) => existsSync(f));
      if (!dicomFile) throw new DetsegInputError(`no DICOM ${imageNumber}.dcm(.gz) in ${dicomDir} for this contour`, { file: contourFile });
      const dicom = decodeDicom(new Uint8Array(readFileSync(dicomFile)), dicomFile);
      const contour = parseContour(readFileSync(contourFile, 'utf8'), contourFile);
      slices.push({
        patientId,
        originalId,
        imageNumber,
        height: dicom.height,
        width: dicom.width,
        image: percentileWindow(dicom.pixels),
        mask: rasterizePolygon(contour, dicom.height, dicom.width),
        contour,
        dicomFile,
        contourFile,
      });
    }
  }
  return { dir, patients: links.map((l) => l.patientId), slices };
}

/** One fold of a split by patient. */
export interface PatientFold {
  /** The held-out patient. */
  testPatient: string;
  trainPatients: string[];
  /** Indices into `data.slices`. */
  trainIndices: number[];
  testIndices: number[];
}

/**
 * Fold `k` of leave-one-patient-out cross-validation: patient `data.patients[k]` is held out, the
 * others train. Slices of one patient never fall on both sides (neighbouring slices of one heart are
 * nearly identical, so a split by slice would leak).
 *
 * @param k fold index in [0, data.patients.length)
 */
export function leaveOnePatientOut(data: SunnybrookData, k: number): PatientFold {
  if (!Number.isInteger(k) || k < 0 || k >= data.patients.length) {
    throw new DetsegInputError(`fold must be an integer in [0, ${data.patients.length}), got ${k}`, { field: 'fold' });
  }
  const testPatient = data.patients[k];
  const trainIndices: number[] = [];
  const testIndices: number[] = [];
  data.slices.forEach((s, i) => (s.patientId === testPatient ? testIndices : trainIndices).push(i));
  return { testPatient, trainPatients: data.patients.filter((p) => p !== testPatient), trainIndices, testIndices };
}
