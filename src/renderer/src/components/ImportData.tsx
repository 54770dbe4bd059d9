/**
 * Importing a table: choose a file (or paste cells from a spreadsheet), see what the host read —
 * encoding, delimiter, decimal mark, missing-value spellings, each overridable — and every column's
 * cells counted, with a sentence for anything odd; choose the columns, what stray cells become, a
 * label column; import, and read what the import did.
 */
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import {
  csvDelimiters,
  textEncodings,
  type CsvPreview,
  type CsvSource,
  type DatasetMeta,
  type PreviewColumn,
  type ReadOptions,
  type TextEncoding,
} from '../../../shared/api';
import type { LocalText } from '../../../shared/i18n';
import { useApi } from '../context';
import { useI18n } from '../i18n';
import { LimitMessage, nameProblem } from './TextLimit';
import { sendFile } from '../send-file';
import { useInFlight } from '../hooks/useInFlight';
import { claimIncoming, fileName, type IncomingTable } from '../desktop';

const encodingNames: Record<TextEncoding, string> = {
  'utf-8': 'UTF-8',
  'utf-16le': 'UTF-16 LE',
  'utf-16be': 'UTF-16 BE',
  gb18030: 'GB18030 / GBK',
  big5: 'Big5',
  shift_jis: 'Shift-JIS',
  'windows-1252': 'Windows-1252',
};
const delimiterNames: Record<string, string> = { ',': ',', ';': ';', '\t': 'Tab', '|': '|' };

const isNumeric = (c: PreviewColumn) => c.type === 'number' || c.type === 'integer';
/** Every numeric column without strays: what is kept unless the reader says otherwise. */
const defaultColumns = (p: CsvPreview) =>
  p.columns.filter((c) => isNumeric(c) && c.other.count === 0).map((c) => c.name);

type Busy = { what: 'sending' | 'reading' | 'importing'; fraction: number } | null;
/** A pasted table up to this long is sent in one request (≤ 3 MB as UTF-8); longer, as a file. */
const PASTE_INLINE_CHARS = 1_000_000;

export function ImportData({
  onImported,
  incoming,
}: {
  onImported(d: DatasetMeta): void;
  /** A file dropped on the window or opened from the desktop shell: previewed as if chosen. */
  incoming?: IncomingTable | null;
}) {
  const api = useApi();
  const { t } = useI18n();
  const [title, setTitle] = useState('');
  const [preview, setPreview] = useState<CsvPreview | null>(null);
  const [name, setName] = useState('');
  const [columns, setColumns] = useState<string[]>([]);
  const [labelColumn, setLabelColumn] = useState('');
  const [dropInvalid, setDropInvalid] = useState(false);
  const [naText, setNaText] = useState('');
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<{ message: string; notes: LocalText[] } | null>(null);
  const [pasted, setPasted] = useState('');
  // The newest file chosen: an older file's preview answering late must not replace its preview
  // (the import names the previewed file by the preview's id).
  const chosen = useRef(0);
  const { guard } = useInFlight();

  /** Reads a source (or the current preview with other options) and shows what it holds. */
  async function read(source: CsvSource, options: ReadOptions | undefined, mine: number) {
    const progressId = crypto.randomUUID();
    const off = api.on('dataset.importProgress', (p) => {
      if (p.importId === progressId && mine === chosen.current)
        setBusy({ what: 'reading', fraction: p.fraction });
    });
    try {
      if (mine === chosen.current) setBusy({ what: 'reading', fraction: 0 });
      const p = await api.call('datasets.preview', { source, read: options, progressId });
      if (mine !== chosen.current) return;
      setPreview(p);
      setColumns(defaultColumns(p));
      setLabelColumn('');
      setNaText(naTextOf(p));
    } finally {
      off();
      if (mine === chosen.current) setBusy(null);
    }
  }

  async function start(label: string, source: (mine: number) => Promise<CsvSource>) {
    const mine = ++chosen.current;
    setError(null);
    setDone(null);
    setPreview(null);
    setTitle(label);
    try {
      await read(await source(mine), undefined, mine);
    } catch (e) {
      if (mine === chosen.current) {
        setError((e as Error).message);
        setBusy(null);
      }
    }
  }

  function chooseFile(f: File) {
    setName(f.name.replace(/\.[^.]+$/, ''));
    // A file still being sent when another is chosen no longer shows its progress.
    void start(f.name, (mine) =>
      sendFile(
        api,
        f,
        (fraction) => mine === chosen.current && setBusy({ what: 'sending', fraction }),
      ),
    );
  }

  /** A path from the desktop shell: the host reads the file itself, as for a chosen one. */
  function choosePath(path: string) {
    const name = fileName(path);
    setName(name.replace(/\.[^.]+$/, ''));
    void start(name, async () => ({ kind: 'path', path }));
  }

  const takeIncoming = useEffectEvent((table: IncomingTable) => {
    if ('file' in table) chooseFile(table.file);
    else choosePath(table.path);
  });
  useEffect(() => {
    if (incoming && claimIncoming(incoming)) takeIncoming(incoming);
  }, [incoming]);

  function usePasted() {
    setName(t('data.pastedName'));
    // A large paste is sent as a file is, in chunks: one request frame holds a few MB at most.
    void start(t('data.pastedTable'), async (mine) =>
      pasted.length <= PASTE_INLINE_CHARS
        ? { kind: 'text', text: pasted }
        : sendFile(
            api,
            new File([pasted], 'pasted.tsv'),
            (fraction) => mine === chosen.current && setBusy({ what: 'sending', fraction }),
          ),
    );
  }

  /** Reads the previewed file again with one reading option changed. */
  function reread(change: ReadOptions) {
    if (!preview) return;
    const mine = ++chosen.current;
    setError(null);
    const options: ReadOptions = {
      ...(preview.encoding ? { encoding: preview.encoding } : {}),
      delimiter: preview.delimiter as ReadOptions['delimiter'],
      decimal: preview.decimal,
      naValues: preview.naValues,
      ...(preview.sheet ? { sheet: preview.sheet } : {}),
      ...change,
    };
    read({ kind: 'preview', id: preview.previewId }, options, mine).catch((e: Error) => {
      if (mine === chosen.current) setError(e.message);
    });
  }

  async function doImport() {
    if (!preview) return;
    const mine = chosen.current;
    const importId = crypto.randomUUID();
    const off = api.on(
      'dataset.importProgress',
      (p) => p.importId === importId && setBusy({ what: 'importing', fraction: p.fraction }),
    );
    setError(null);
    setBusy({ what: 'importing', fraction: 0 });
    try {
      const kept = preview.columns.filter((c) => columns.includes(c.name));
      const { dataset, notes } = await api.call('datasets.import', {
        // The file as previewed: the host kept it read.
        source: { kind: 'preview', id: preview.previewId },
        name,
        columns,
        dropInvalidRows: dropInvalid,
        strayCellsAsMissing: kept.some((c) => c.other.count > 0),
        ...(labelColumn ? { labelColumn } : {}),
        importId,
      });
      setDone({ message: t('data.imported', { name: dataset.name, rows: dataset.rows }), notes });
      // Unless another file was chosen meanwhile: its preview stays.
      if (mine === chosen.current) {
        setPreview(null);
        setPasted('');
      }
      onImported(dataset);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      off();
      setBusy(null);
    }
  }

  const toggle = (column: string, keep: boolean) =>
    setColumns((cs) =>
      keep ? [...cs.filter((c) => c !== column), column] : cs.filter((c) => c !== column),
    );
  // Missing values edited but not applied: the preview (and an import) would not use them.
  const naPending = preview !== null && naText !== naTextOf(preview);
  const labelCandidates = preview?.columns.filter(
    (c) => c.distinct !== null && !columns.includes(c.name) && c.type !== 'empty',
  );

  return (
    <section className="card">
      <h2>{t('data.import')}</h2>
      <div className="row import-sources">
        <label className="file-button">
          {t('data.chooseFile')}
          <input
            type="file"
            accept=".csv,.tsv,.txt,.xlsx,text/csv,text/tab-separated-values"
            data-testid="csv-input"
            onChange={(e) => {
              const f = e.target.files?.[0];
              // Cleared, so choosing the same file again (after editing it) reads it again.
              e.target.value = '';
              if (f) chooseFile(f);
            }}
          />
        </label>
        <details className="paste">
          <summary>{t('data.paste')}</summary>
          <textarea
            data-testid="paste-input"
            value={pasted}
            placeholder={t('data.pastePlaceholder')}
            onChange={(e) => setPasted(e.target.value)}
            rows={5}
          />
          <button disabled={!pasted.trim() || busy !== null} onClick={usePasted}>
            {t('data.readPasted')}
          </button>
        </details>
      </div>
      {busy && busy.what !== 'importing' && (
        <p className="muted" role="status">
          {t(busy.what === 'sending' ? 'data.sending' : 'data.reading', {
            pct: Math.round(busy.fraction * 100),
          })}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {done && (
        <div role="status">
          <p className="ok">{done.message}</p>
          {done.notes.length > 0 && (
            <ul className="notes" data-testid="import-notes">
              {done.notes.map((n, i) => (
                <li key={i}>{t(n.key, n.vars)}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {preview && (
        <div className="preview">
          <p className="preview-title">
            {t('data.preview', {
              file: title,
              rows: preview.rowCount,
              cols: preview.columns.length,
            })}{' '}
            · {preview.hasHeader ? t('data.header') : t('data.noHeader')}
          </p>
          <div className="row reading" data-testid="reading-options">
            {preview.encoding && (
              <label className="field">
                <span className="field-label">
                  {t('data.encoding')}
                  {preview.encodingDetected && <span className="badge">{t('data.detected')}</span>}
                </span>
                <select
                  data-testid="encoding"
                  value={preview.encoding}
                  onChange={(e) => reread({ encoding: e.target.value as TextEncoding })}
                >
                  {textEncodings.map((e) => (
                    <option key={e} value={e}>
                      {encodingNames[e]}
                    </option>
                  ))}
                </select>
              </label>
            )}
            {preview.format === 'csv' && (
              <>
                <label className="field">
                  <span className="field-label">{t('data.delimiter')}</span>
                  <select
                    data-testid="delimiter"
                    value={preview.delimiter}
                    onChange={(e) =>
                      reread({ delimiter: e.target.value as ReadOptions['delimiter'] })
                    }
                  >
                    {csvDelimiters.map((d) => (
                      <option key={d} value={d}>
                        {delimiterNames[d]}
                      </option>
                    ))}
                  </select>
                </label>
                <label className="field">
                  <span className="field-label">{t('data.decimal')}</span>
                  <select
                    data-testid="decimal"
                    value={preview.decimal}
                    onChange={(e) => reread({ decimal: e.target.value as '.' | ',' })}
                  >
                    <option value=".">1.5</option>
                    <option value=",">1,5</option>
                  </select>
                </label>
              </>
            )}
            {preview.sheets.length > 1 && (
              <label className="field">
                <span className="field-label">{t('data.sheet')}</span>
                <select
                  data-testid="sheet"
                  value={preview.sheet ?? ''}
                  onChange={(e) => reread({ sheet: e.target.value })}
                >
                  {preview.sheets.map((s) => (
                    <option key={s} value={s}>
                      {s}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <label className="field na-values">
              <span className="field-label">{t('data.naValues')}</span>
              <input
                data-testid="na-values"
                value={naText}
                onChange={(e) => setNaText(e.target.value)}
                title={t('data.naValuesHelp')}
              />
            </label>
            <button onClick={() => reread({ naValues: parseNaValues(naText) })}>
              {t('data.apply')}
            </button>
          </div>
          {preview.warnings.length > 0 && (
            <ul className="warnings" data-testid="preview-warnings">
              {preview.warnings.map((w, i) => (
                <li key={i}>{t(w.key, w.vars)}</li>
              ))}
            </ul>
          )}
          <div className="table-scroll">
            <table className="data-table">
              <thead>
                <tr>
                  {preview.columns.map((c) => (
                    <ColumnHead
                      key={c.name}
                      column={c}
                      kept={columns.includes(c.name)}
                      onKeep={(keep) => toggle(c.name, keep)}
                    />
                  ))}
                </tr>
              </thead>
              <tbody>
                {preview.head.slice(preview.hasHeader ? 1 : 0, 11).map((row, i) => (
                  <tr key={i}>
                    {row.map((cell, j) => (
                      <td key={j}>{cell}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="row">
            <label className="field">
              <span className="field-label">{t('data.name')}</span>
              <input
                value={name}
                aria-invalid={nameProblem(name, t) !== null}
                onChange={(e) => setName(e.target.value)}
                data-testid="dataset-name"
              />
              <LimitMessage message={nameProblem(name, t)} testId="dataset-name-limit" />
            </label>
            {labelCandidates && labelCandidates.length > 0 && (
              <label className="field">
                <span className="field-label" title={t('data.labelsHelp')}>
                  {t('data.labels')}
                </span>
                <select
                  data-testid="label-column"
                  value={labelColumn}
                  onChange={(e) => setLabelColumn(e.target.value)}
                >
                  <option value="">{t('data.noLabels')}</option>
                  {labelCandidates.map((c) => (
                    <option key={c.name} value={c.name}>
                      {c.name} ({t('data.distinct', { n: c.distinct ?? 0 })})
                    </option>
                  ))}
                </select>
              </label>
            )}
            <label className="check">
              <input
                type="checkbox"
                checked={dropInvalid}
                onChange={(e) => setDropInvalid(e.target.checked)}
              />
              {t('data.dropInvalid')}
            </label>
            <button
              className="primary"
              disabled={
                columns.length === 0 ||
                !name.trim() ||
                nameProblem(name, t) !== null ||
                busy !== null ||
                naPending
              }
              onClick={() => void guard('import', doImport)}
            >
              {busy?.what === 'importing'
                ? t('data.importing', { pct: Math.round(busy.fraction * 100) })
                : t('data.doImport')}
            </button>
          </div>
          {columns.length === 0 && <p className="muted">{t('data.nothingToImport')}</p>}
          {naPending && <p className="muted">{t('data.applyNaFirst')}</p>}
        </div>
      )}
    </section>
  );
}

/** A preview's missing-value list as the field shows it. */
const naTextOf = (p: CsvPreview) => p.naValues.map((v) => (v === '' ? '""' : v)).join(' ');

/** "NA N/A "" ?" → ['NA', 'N/A', '', '?']: spaces separate, "" is the empty cell. */
function parseNaValues(text: string): string[] {
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map((v) => (v === '""' ? '' : v));
}

/** A column's head: keep it or not (for stray cells: as missing, or left out), and its counts. */
function ColumnHead({
  column: c,
  kept,
  onKeep,
}: {
  column: PreviewColumn;
  kept: boolean;
  onKeep(keep: boolean): void;
}) {
  const { t } = useI18n();
  const strays = isNumeric(c) && c.other.count > 0;
  const counts = [
    t(`data.type.${c.type}`),
    c.missing > 0 && t('data.missing', { n: c.missing }),
    c.nonFinite > 0 && t('data.nonFinite', { n: c.nonFinite }),
    strays && t('data.other', { n: c.other.count }),
  ].filter(Boolean);
  return (
    <th className={strays ? 'has-strays' : undefined}>
      <label>
        <input
          type="checkbox"
          disabled={!isNumeric(c)}
          checked={kept}
          onChange={(e) => onKeep(e.target.checked)}
        />{' '}
        <span className="col-name">{c.name}</span>
      </label>
      <div className="col-type">{counts.join(' · ')}</div>
      {strays && (
        <div className="stray-choice" role="radiogroup" aria-label={t('data.strayChoice')}>
          <label>
            <input type="radio" checked={kept} onChange={() => onKeep(true)} />
            {t('data.strayAsMissing')}
          </label>
          <label>
            <input type="radio" checked={!kept} onChange={() => onKeep(false)} />
            {t('data.strayLeaveOut')}
          </label>
        </div>
      )}
    </th>
  );
}
