import { describe, expect, it } from 'vitest';
import { casesOf, matchFiles, maskCandidates, parseCsv, parseStudyCsv, sortCases, StudyFileError } from './studyRows';

const HEADER = 'model_id,model_hash,variant,key,source,dataset,split,name,patient,subtype,structure,prompt_type,prompt,threshold,width,height,dice,iou';
const row = (name: string, ptype: string, prompt: string, dice: string, structure = 'target') =>
  `compact-vlsm,abc123,wasm,k,folder:/d,kv,test,${name},,,${structure},${ptype},${prompt},0.5,10,10,${dice},0.1`;

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and newlines, CRLF and a BOM', () => {
    const t = '\ufeffa,b,c\r\n1,"x, y","he said ""hi"""\r\n2,"two\nlines",\n';
    expect(parseCsv(t)).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'he said "hi"'],
      ['2', 'two\nlines', ''],
    ]);
  });
  it('refuses a file cut inside a quote', () => {
    expect(() => parseCsv('a,b\n1,"open')).toThrow(StudyFileError);
  });
});

describe('parseStudyCsv', () => {
  it('names the missing columns', () => {
    expect(() => parseStudyCsv('name,dice\nx.png,0.5\n', 'rows.csv')).toThrow(/rows\.csv is not a study result: it lacks the columns prompt_type, prompt/);
  });
  it('rejects a Dice outside 0..1 with its line', () => {
    expect(() => parseStudyCsv(`${HEADER}\n${row('a.png', 'p0', 'polyp', '1.7')}\n`, 'rows.csv')).toThrow(/line 2: Dice "1.7"/);
  });
  it('reads the study columns, an empty Dice as NaN, prompts with commas', () => {
    const rows = parseStudyCsv(`${HEADER}\n${row('a.png', 'p0', '"one polyp, at the left"', '0.25')}\n${row('b.png', 'p0', 'polyp', '')}\n`);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ modelId: 'compact-vlsm', modelHash: 'abc123', dataset: 'kv', name: 'a.png', promptType: 'p0', prompt: 'one polyp, at the left', dice: 0.25 });
    expect(rows[1].dice).toBeNaN();
  });
});

describe('cases and their order', () => {
  const csv = [
    HEADER,
    row('a.png', 'p0', 'polyp', '0.90'),
    row('a.png', 'p1', 'one polyp', '0.10'), // a: worst 0.10, disagreement 0.80
    row('b.png', 'p0', 'polyp', '0.05'),
    row('b.png', 'p1', 'one polyp', '0.07'), // b: worst 0.05, disagreement 0.02
    row('c.png', 'p0', 'polyp', '0.50'),
    row('c.png', 'p1', 'one polyp', '0.60'), // c: worst 0.50, disagreement 0.10
    row('d.png', 'p0', 'polyp', ''), // no Dice: not a case
  ].join('\n');
  const cases = casesOf(parseStudyCsv(csv));

  it('one case per image and structure, prompts worst first', () => {
    expect(cases.map((c) => c.name).sort()).toEqual(['a.png', 'b.png', 'c.png']);
    const a = cases.find((c) => c.name === 'a.png')!;
    expect(a.prompts.map((p) => p.promptType)).toEqual(['p1', 'p0']);
    expect(a.worst).toBeCloseTo(0.1);
    expect(a.disagreement).toBeCloseTo(0.8);
  });
  it('sorts by worst Dice and by disagreement between prompt types', () => {
    expect(sortCases(cases, 'worst').map((c) => c.name)).toEqual(['b.png', 'a.png', 'c.png']);
    expect(sortCases(cases, 'disagreement').map((c) => c.name)).toEqual(['a.png', 'c.png', 'b.png']);
  });
  it('keeps structures of one image apart', () => {
    const two = casesOf(parseStudyCsv([HEADER, row('x.png', 'class', 'left lung', '0.3', 'left lung'), row('x.png', 'class', 'right lung', '0.9', 'right lung')].join('\n')));
    expect(two).toHaveLength(2);
    expect(two.every((c) => c.disagreement === 0)).toBe(true);
  });
});

describe('matchFiles', () => {
  const cases = casesOf(parseStudyCsv([HEADER, row('a.png', 'p0', 'polyp', '0.2'), row('b.jpg', 'p0', 'polyp', '0.3'), row('gone.png', 'p0', 'polyp', '0.4')].join('\n')));
  it('finds images by name and masks in a masks folder by the study’s rules', () => {
    const files = [{ path: 'study/images/a.png' }, { path: 'study/masks/a.png' }, { path: 'study/images/b.jpg' }, { path: 'study/masks/b_mask.png' }, { path: 'study/rows.csv' }];
    const m = matchFiles(cases, files);
    const id = (n: string) => cases.find((c) => c.name === n)!.id;
    expect(m.images.get(id('a.png'))!.path).toBe('study/images/a.png');
    expect(m.masks.get(id('a.png'))!.path).toBe('study/masks/a.png');
    expect(m.masks.get(id('b.jpg'))!.path).toBe('study/masks/b_mask.png');
    expect(m.missing).toEqual(['gone.png']);
  });
  it('in a flat pick, x_mask.png is the mask of x.png', () => {
    const m = matchFiles(cases, [{ path: 'a.png' }, { path: 'a_mask.png' }, { path: 'b.jpg' }]);
    const id = (n: string) => cases.find((c) => c.name === n)!.id;
    expect(m.images.get(id('a.png'))!.path).toBe('a.png');
    expect(m.masks.get(id('a.png'))!.path).toBe('a_mask.png');
    expect(m.masks.has(id('b.jpg'))).toBe(false);
  });
  it('mask candidates follow vlsm.study._find_mask', () => {
    expect(maskCandidates('dir/x.jpg')).toEqual(['x.jpg', 'x_mask.jpg', 'x.png', 'x_mask.png']);
  });
});
