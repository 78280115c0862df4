import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateTextWidth, htmlTable, linePlot } from '../../src/viz/plot.js';

// Default geometry worked by hand: 480×320, margins left 56, right 16, top 12 (no title), bottom 44
// → plot area x ∈ [56, 464] (408 px), y ∈ [12, 276] (264 px).
const points = (svg: string, k = 0) => [...svg.matchAll(/<polyline[^>]*points="([^"]*)"/g)][k][1];
const texts = (svg: string) => [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)<\/text>/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]), label: m[3] }));

test('linePlot maps data to the plot area: (0,0) → (56,276), (1,1) → (464,12); steps hold the previous value', () => {
  const svg = linePlot([{ label: 'a', xs: [0, 1], ys: [0, 1] }], { xRange: [0, 1], yRange: [0, 1] });
  assert.equal(points(svg), '56,276 464,12');
  const step = linePlot([{ label: 's', xs: [0, 0.5, 1], ys: [1, 0.5, 0], step: true }], { xRange: [0, 1], yRange: [0, 1] });
  assert.equal(points(step), '56,12 260,12 260,144 464,144 464,276');
});

test('markers: a dot per point; line: false draws the dots only; the legend sample shows both', () => {
  const svg = linePlot([
    { label: 'curve', xs: [0, 0.5, 1], ys: [0, 0.5, 1], marker: true },
    { label: 'samples', xs: [0, 1], ys: [1, 0], line: false },
  ], { xRange: [0, 1], yRange: [0, 1] });
  assert.equal((svg.match(/<polyline/g) ?? []).length, 1);
  const dots = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)" r="3"/g)].map((m) => `${m[1]},${m[2]}`);
  // 3 + 2 data points, then one legend dot per series
  assert.deepEqual(dots.slice(0, 5), ['56,276', '260,144', '464,12', '56,12', '464,276']);
  assert.equal(dots.length, 7);
});

test('legend placements: inside top-right (default), inside bottom-left, none; dashed series get a dashed sample', () => {
  const series = [{ label: 'first', xs: [0, 1], ys: [0, 1] }, { label: 'second', xs: [0, 1], ys: [1, 0], dashed: true }];
  const inside = linePlot(series, { xRange: [0, 1], yRange: [0, 1] });
  const labels = texts(inside).filter((t) => t.label === 'first' || t.label === 'second');
  assert.equal(labels.length, 2);
  for (const t of labels) {
    assert.ok(t.x > 260 && t.x + estimateTextWidth(t.label) <= 464, `inside the right half of the plot: ${t.x}`);
    assert.ok(t.y > 12 && t.y < 60, `at the top: ${t.y}`);
  }
  assert.match(inside, /<line[^>]*stroke-dasharray="5,3"[^>]*\/>/, 'the dashed series has a dashed legend sample');
  const bottomLeft = texts(linePlot(series, { xRange: [0, 1], yRange: [0, 1], legend: 'inside-bottom-left' })).filter((t) => t.label === 'first');
  assert.ok(bottomLeft[0].x < 140 && bottomLeft[0].y > 220, `bottom-left: ${bottomLeft[0].x}, ${bottomLeft[0].y}`);
  const none = linePlot(series, { xRange: [0, 1], yRange: [0, 1], legend: 'none' });
  assert.ok(!texts(none).some((t) => t.label === 'first' || t.label === 'second'));
  assert.equal((none.match(/<polyline/g) ?? []).length, 2);
});

test("legend 'right': 20 series in columns beside the plot, every label inside the figure; the plot keeps its size", () => {
  const series = Array.from({ length: 20 }, (_, k) => ({ label: `class number ${k}`, xs: [0, 1], ys: [k / 20, 1 - k / 20] }));
  const svg = linePlot(series, { xRange: [0, 1], yRange: [0, 1], legend: 'right' });
  const width = Number(svg.match(/<svg[^>]* width="(\d+)"/)![1]);
  const height = Number(svg.match(/<svg[^>]* height="(\d+)"/)![1]);
  assert.equal(height, 320);
  // rows per column: floor((320 − 12 − 44 − 8) / 16) = 16 → 2 columns
  const entry = 20 + 4 + estimateTextWidth('class number 10');
  assert.equal(width, 480 + 2 * (entry + 12));
  const labels = texts(svg).filter((t) => t.label.startsWith('class number'));
  assert.equal(labels.length, 20);
  for (const t of labels) {
    assert.ok(t.x >= 464, `outside the plot frame: ${t.label} at ${t.x}`);
    assert.ok(t.x + estimateTextWidth(t.label) <= width && t.y <= height - 44, `${t.label} fits`);
  }
  assert.equal(new Set(labels.map((t) => t.x)).size, 2, 'two columns');
  // the data still map to the same plot area
  assert.equal(points(svg), '56,276 464,12');
  // the palette has 10 colours: series 10–19 repeat them, dashed 8,3
  const polylines = [...svg.matchAll(/<polyline[^>]*>/g)].map((m) => m[0]);
  assert.equal(polylines.length, 20);
  polylines.forEach((p, k) => assert.equal(p.match(/stroke-dasharray="([^"]*)"/)?.[1], k < 10 ? undefined : '8,3', `series ${k}`));
  assert.equal(polylines[3].match(/stroke="([^"]*)"/)![1], polylines[13].match(/stroke="([^"]*)"/)![1]);
  assert.equal((svg.match(/<line[^>]*stroke-dasharray="8,3"/g) ?? []).length, 10, 'their legend samples are dashed too');
});

test('a series with an empty label is drawn but not listed; the frame is drawn over the grid lines', () => {
  const svg = linePlot([{ label: '', xs: [0, 1], ys: [0, 1] }, { label: 'listed', xs: [0, 1], ys: [1, 1] }], { xRange: [0, 1], yRange: [0, 1] });
  assert.equal((svg.match(/<polyline/g) ?? []).length, 2);
  assert.equal(texts(svg).filter((t) => t.label === 'listed').length, 1);
  const samples = (c: string) => (svg.match(new RegExp(`<line x1="[\\d.]+" y1="[\\d.]+" x2="[\\d.]+" y2="[\\d.]+" stroke="${c}"`, 'g')) ?? []).length;
  assert.equal(samples('#0072B2'), 0, 'no legend sample for the unlabelled series');
  assert.equal(samples('#E69F00'), 1, 'one for the listed one');
  const frame = svg.indexOf('<rect x="56" y="12" width="408" height="264"');
  assert.ok(frame > svg.lastIndexOf('stroke="#eee"'), 'frame after the last grid line');
});

test('htmlTable escapes text and formats numbers to the given digits (integers as they are)', () => {
  assert.equal(
    htmlTable(['a<b', 'n'], [['x&y', 1.23456], ['z', 2]], 2),
    '<table><thead><tr><th>a&lt;b</th><th>n</th></tr></thead><tbody><tr><td>x&amp;y</td><td>1.23</td></tr><tr><td>z</td><td>2</td></tr></tbody></table>',
  );
});
