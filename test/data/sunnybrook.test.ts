import { strict as assert } from 'node:assert';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { decodeDicom } from '../../src/data/dicom.js';
import { leaveOnePatientOut, loadSunnybrook, parseLinkCsv } from '../../src/data/sunnybrook.js';
import { DetsegInputError } from '../../src/util/errors.js';
import { assetsDir } from '../../src/util/paths.js';
import { sharedData } from '../helpers/shared.js';

const embedded = loadSunnybrook();
const tmpRoot = mkdtempSync(join(tmpdir(), 'detseg-sunnybrook-'));
after(() => rmSync(tmpRoot, { recursive: true, force: true }));

describe('parseLinkCsv', () => {
  test('reads the id pairs', () => {
    assert.deepEqual(parseLinkCsv('patient_id,original_id\nSCD0000101,SC-HF-I-1\r\nSCD0000201,SC-HF-I-2\n', 'link.csv'), [
      { patientId: 'SCD0000101', originalId: 'SC-HF-I-1' },
      { patientId: 'SCD0000201', originalId: 'SC-HF-I-2' },
    ]);
  });

  test('bad input names the file and line', () => {
    const check = (text: string, pattern: RegExp) =>
      assert.throws(() => parseLinkCsv(text, 'l.csv'), (e: unknown) => e instanceof DetsegInputError && pattern.test(e.message), String(pattern));
    check('id,orig\nA,B\n', /^l\.csv: line 1: expected the header/);
    check('patient_id,original_id\nA,B\nC\n', /^l\.csv: line 3: expected "patient_id,original_id"/);
    check('patient_id,original_id\nA,B\nA,C\n', /^l\.csv: line 3: id A appears twice/);
    check('patient_id,original_id\n../x,B\n', /^l\.csv: line 2: bad id/);
    check('patient_id,original_id\n', /^l\.csv: no patients/);
  });
});

describe('loadSunnybrook (embedded subset)', () => {
  test('5 patients, 96 slices of 256×256, counts per patient as in the source folders', () => {
    assert.deepEqual(embedded.patients, ['SCD0000101', 'SCD0000201', 'SCD0000301', 'SCD0000401', 'SCD0000501']);
    assert.equal(embedded.slices.length, 96);
    const counts = embedded.patients.map((p) => embedded.slices.filter((s) => s.patientId === p).length);
    assert.deepEqual(counts, [18, 18, 20, 18, 22]);
    for (const s of embedded.slices) {
      assert.equal(s.height, 256);
      assert.equal(s.width, 256);
      assert.equal(s.image.length, 256 * 256);
      let lo = Infinity, hi = -Infinity;
      for (const v of s.image) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      assert.equal(lo, 0);
      assert.equal(hi, 1);
    }
  });

  test('pairs each contour with its DICOM: the file InstanceNumber equals the contour image number', () => {
    for (const s of embedded.slices) {
      const dicom = decodeDicom(new Uint8Array(readFileSync(s.dicomFile)), s.dicomFile);
      assert.equal(dicom.instanceNumber, s.imageNumber, s.dicomFile);
      assert.match(s.contourFile, new RegExp(`${s.originalId}/i-contours/IM-0001-${String(s.imageNumber).padStart(4, '0')}-icontour`));
    }
  });

  test('the LV is bright blood inside the contour: mean intensity inside > 1.4 × outside on every slice', () => {
    // a physical sanity check that mask and image are aligned (no transposition, no off-by-one slice):
    // in cine bSSFP MRI the blood pool is among the brightest tissue (the smallest ratio here is 1.57,
    // SCD0000401 image 27; a transposed mask gives about 1)
    for (const s of embedded.slices) {
      let sumIn = 0, nIn = 0, sumOut = 0;
      for (let i = 0; i < s.mask.length; i++) if (s.mask[i]) { sumIn += s.image[i]; nIn++; } else sumOut += s.image[i];
      const meanIn = sumIn / nIn;
      const meanOut = sumOut / (s.mask.length - nIn);
      assert.ok(meanIn > 1.4 * meanOut, `${s.dicomFile}: inside ${meanIn.toFixed(3)} vs outside ${meanOut.toFixed(3)}`);
    }
  });

  test('the embedded copy equals the shared subset, slice for slice', (t) => {
    const dir = sharedData(t, 'sunnybrook_lv_subset');
    if (!dir) return;
    const shared = loadSunnybrook(dir);
    assert.deepEqual(shared.patients, embedded.patients);
    assert.equal(shared.slices.length, embedded.slices.length);
    shared.slices.forEach((s, i) => {
      const e = embedded.slices[i];
      assert.equal(e.imageNumber, s.imageNumber);
      assert.deepEqual(e.image, s.image);
      assert.deepEqual(e.mask, s.mask);
      assert.deepEqual(e.contour, s.contour);
    });
  });

  test('patients option loads a subset; an unknown id is an error', () => {
    const one = loadSunnybrook(undefined, { patients: ['SCD0000301'] });
    assert.deepEqual(one.patients, ['SCD0000301']);
    assert.equal(one.slices.length, 20);
    assert.throws(() => loadSunnybrook(undefined, { patients: ['SCD9'] }), /unknown patient id SCD9/);
  });

  test('bad folders: missing link.csv, missing DICOM, malformed contour, corrupt DICOM name the file', () => {
    const make = (name: string) => {
      const dir = join(tmpRoot, name);
      mkdirSync(join(dir, 'dicoms', 'P1'), { recursive: true });
      mkdirSync(join(dir, 'contourfiles', 'O-1', 'i-contours'), { recursive: true });
      writeFileSync(join(dir, 'link.csv'), 'patient_id,original_id\nP1,O-1\n');
      return dir;
    };
    assert.throws(() => loadSunnybrook(join(tmpRoot, 'nothing')), (e: unknown) => e instanceof DetsegInputError && /link\.csv: missing link\.csv/.test(e.message));

    const noDicom = make('no-dicom');
    writeFileSync(join(noDicom, 'contourfiles', 'O-1', 'i-contours', 'IM-0001-0048-icontour-manual.txt'), '1 1\n5 1\n5 5\n');
    assert.throws(() => loadSunnybrook(noDicom), /IM-0001-0048-icontour-manual\.txt: no DICOM 48\.dcm\(\.gz\)/);

    const badContour = make('bad-contour');
    cpSync(assetsDir('sunnybrook', 'dicoms', 'SCD0000101', '48.dcm.gz'), join(badContour, 'dicoms', 'P1', '48.dcm.gz'));
    writeFileSync(join(badContour, 'contourfiles', 'O-1', 'i-contours', 'IM-0001-0048-icontour-manual.txt'), '1 1\n5 1\n5,5\n');
    assert.throws(() => loadSunnybrook(badContour), /IM-0001-0048-icontour-manual\.txt: line 3: expected two numbers/);

    const badDicom = make('bad-dicom');
    writeFileSync(join(badDicom, 'dicoms', 'P1', '48.dcm'), 'not a dicom');
    writeFileSync(join(badDicom, 'contourfiles', 'O-1', 'i-contours', 'IM-0001-0048-icontour-manual.txt'), '1 1\n5 1\n5 5\n');
    assert.throws(() => loadSunnybrook(badDicom), /P1\/48\.dcm: not a DICOM/);
  });
});

describe('leaveOnePatientOut', () => {
  test('each fold holds out exactly one patient; folds partition the slices', () => {
    const seenTest = new Set<number>();
    for (let k = 0; k < embedded.patients.length; k++) {
      const fold = leaveOnePatientOut(embedded, k);
      assert.equal(fold.testPatient, embedded.patients[k]);
      assert.equal(fold.trainPatients.length, 4);
      assert.ok(!fold.trainPatients.includes(fold.testPatient));
      assert.equal(fold.trainIndices.length + fold.testIndices.length, 96);
      for (const i of fold.testIndices) { assert.equal(embedded.slices[i].patientId, fold.testPatient); seenTest.add(i); }
      for (const i of fold.trainIndices) assert.notEqual(embedded.slices[i].patientId, fold.testPatient);
    }
    assert.equal(seenTest.size, 96);
    assert.throws(() => leaveOnePatientOut(embedded, 5), /fold: fold must be an integer in \[0, 5\), got 5/);
    assert.throws(() => leaveOnePatientOut(embedded, 1.5), DetsegInputError);
  });
});
