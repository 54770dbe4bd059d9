/**
 * The .xlsx reader on a 100,000 × 10 sheet (a header, 8 columns of full-precision doubles, a date
 * column, a text column of 100 distinct labels): seconds (wall and CPU) to read it and the reading
 * process's peak RSS, measured in a fresh process of its own (`--read FILE` reads one file and reports).
 * `XLSX_BENCH_ROWS` changes the row count; `--write FILE` only writes the workbook (to measure a
 * reader with `/usr/bin/time -v`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSheet } from '../src/main/host/xlsx';
import { buildWorkbook } from '../test/fixtures/xlsx/build';

const columns = 10;

async function readOne(path: string): Promise<void> {
  const baseline = process.memoryUsage().rss;
  const start = performance.now();
  const cpu = process.cpuUsage();
  const { rows } = await readSheet(path);
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  console.log(
    JSON.stringify({
      rows: rows.length,
      columns: rows[0].length,
      seconds: Math.round(seconds * 100) / 100,
      cpuSeconds: Math.round((used.user + used.system) / 1e4) / 100,
      baselineRssMB: Math.round(baseline / 2 ** 20),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      heapUsedMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    }),
  );
}

function generate(path: string, n: number): void {
  let seed = 1;
  const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647) * 2 - 1;
  const labels = Array.from({ length: 100 }, (_, i) => `<t>类别 ${i}</t>`);
  const header = Array.from({ length: columns }, (_, j) => `<t>列 ${j + 1}</t>`);
  const sharedStrings = [...labels, ...header];
  const letters = 'ABCDEFGHIJ';
  const parts: string[] = ['<sheetData><row r="1">'];
  for (let j = 0; j < columns; j++) parts.push(`<c r="${letters[j]}1" t="s"><v>${100 + j}</v></c>`);
  parts.push('</row>');
  for (let i = 2; i <= n + 1; i++) {
    parts.push(`<row r="${i}">`);
    for (let j = 0; j < 8; j++)
      parts.push(`<c r="${letters[j]}${i}"><v>${random() * 1000}</v></c>`);
    parts.push(`<c r="I${i}" s="1"><v>${45000 + (i % 3000)}</v></c>`);
    parts.push(`<c r="J${i}" t="s"><v>${i % 100}</v></c></row>`);
  }
  parts.push('</sheetData>');
  writeFileSync(
    path,
    buildWorkbook({
      sheets: [{ name: 'Data', body: parts.join('') }],
      sharedStrings,
      styles: '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>',
    }),
  );
}

if (process.argv[2] === '--read') {
  await readOne(process.argv[3]);
} else if (process.argv[2] === '--write') {
  generate(process.argv[3], Number(process.env.XLSX_BENCH_ROWS ?? 100_000));
} else {
  const n = Number(process.env.XLSX_BENCH_ROWS ?? 100_000);
  const dir = mkdtempSync(join(tmpdir(), 'latent-lab-xlsx-bench-'));
  try {
    const path = join(dir, 'big.xlsx');
    generate(path, n);
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--read', path],
      { encoding: 'utf8' },
    );
    const read = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number>;
    console.log(
      JSON.stringify({
        benchmark: 'xlsx',
        sheet: `${n} × ${columns}`,
        fileMB: Math.round(statSync(path).size / 1e5) / 10,
        ...read,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
