import { useState } from 'react';
import { ApiError, type ExportResult } from '../../../shared/api';
import { useApi } from '../context';
import { useI18n } from '../i18n';
import { folderProblem, LimitMessage } from './TextLimit';
import { useInFlight } from '../hooks/useInFlight';

/**
 * Export a run (one id) or a comparison: in the desktop app to a folder picked natively (or
 * typed); in the web shell as a zip download first, or into a folder typed as a full path on the
 * machine the server runs on (this one: it listens on 127.0.0.1 only). Never overwrites without
 * asking.
 */
export function ExportPanel({ ids }: { ids: number[] }) {
  const api = useApi();
  const { t } = useI18n();
  const [dir, setDir] = useState('');
  const [canPick, setCanPick] = useState(true);
  const [busy, setBusy] = useState(false);
  // One export at a time from this panel: a double click must not write the folder twice.
  const { guard } = useInFlight();
  const [result, setResult] = useState<ExportResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function exportTo(target: string, overwrite = false): Promise<void> {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api.call('runs.export', { ids, dir: target, overwrite }));
    } catch (e) {
      if (
        e instanceof ApiError &&
        e.code === 'exists' &&
        !overwrite &&
        confirm(t('export.confirmOverwrite', { dir: target }))
      )
        return exportTo(target, true);
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function pick(): Promise<void> {
    try {
      const { dir: chosen } = await api.call('app.chooseFolder', {});
      if (chosen) {
        setDir(chosen);
        await exportTo(chosen);
      }
    } catch (e) {
      if (e instanceof ApiError && e.code === 'unsupported') setCanPick(false);
      else setError((e as Error).message);
    }
  }

  /**
   * The browser downloads the zip straight to disk as the server streams it. Asked first with
   * HEAD, so a run deleted meanwhile is said here rather than as a failed download.
   */
  async function zip(url: string): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      const answer = await fetch(url, { method: 'HEAD' });
      if (!answer.ok) throw new Error(t('export.zipRefused', { status: answer.status }));
      const a = document.createElement('a');
      a.href = url;
      a.download = '';
      a.click();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }
  const zipUrl = api.zipUrl?.(ids);

  return (
    <section className="card" data-testid="export-panel">
      <h2>{t(ids.length > 1 ? 'export.titleCompare' : 'export.title')}</h2>
      <div className="row">
        {/* In the browser the download is the main action; the folder chooser cannot work there. */}
        {zipUrl && (
          <button
            className="primary"
            disabled={busy}
            onClick={() => void guard('export', () => zip(zipUrl))}
            data-testid="export-zip"
          >
            {t('export.zip')}
          </button>
        )}
        {!zipUrl && canPick && (
          <button onClick={() => void guard('export', pick)} disabled={busy}>
            {t('export.choose')}
          </button>
        )}
        <label className="field grow">
          <span className="field-label">{t(zipUrl ? 'export.folderHere' : 'export.folder')}</span>
          <input
            value={dir}
            aria-invalid={folderProblem(dir, t) !== null}
            onChange={(e) => setDir(e.target.value)}
            data-testid="export-dir"
          />
          <LimitMessage message={folderProblem(dir, t)} testId="export-dir-problem" />
        </label>
        <button
          className={zipUrl ? undefined : 'primary'}
          disabled={busy || !dir.trim() || folderProblem(dir, t) !== null}
          onClick={() => void guard('export', () => exportTo(dir.trim()))}
          data-testid="export-button"
        >
          {t('export.toFolder')}
        </button>
      </div>
      <p className="muted">{t('export.help')}</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <div role="status" data-testid="export-result">
          <p className="ok">{t('export.done', { n: result.files.length, dir: result.dir })}</p>
          <ul className="file-list">
            {result.files.map((f) => (
              <li key={f}>
                <code>{f}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
