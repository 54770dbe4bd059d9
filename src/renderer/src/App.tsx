import { useEffect, useMemo, useRef, useState } from 'react';
import { isTableFile } from '../../shared/desktop';
import { createApi, type ConnectionState } from './api';
import { ApiContext } from './context';
import { I18nProvider, useI18n } from './i18n';
import type { Language } from '../../shared/i18n';
import { ErrorBoundary } from './components/ErrorBoundary';
import { PageMessage } from './components/PageMessage';
import { desktopBridge, type IncomingTable } from './desktop';
import { ComparePage } from './pages/ComparePage';
import { DataPage } from './pages/DataPage';
import { DatasetPage } from './pages/DatasetPage';
import { NewRunPage } from './pages/NewRunPage';
import { RunPage } from './pages/RunPage';
import { RunsPage } from './pages/RunsPage';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
}

/**
 * The page of the address. `epoch` counts reconnections: a page showing what the store holds is
 * made afresh after one (it fetches again what it missed); the new-run form keeps what was typed.
 */
function Route({
  hash,
  epoch,
  incoming,
}: {
  hash: string;
  epoch: number;
  incoming: IncomingTable | null;
}) {
  const [path, query] = hash.replace(/^#/, '').split('?');
  const run = /^\/run\/(\d+)$/.exec(path);
  if (run) return <RunPage key={`${run[1]}:${epoch}`} runId={Number(run[1])} />;
  const dataset = /^\/data\/(\d+)$/.exec(path);
  if (dataset) return <DatasetPage key={`${dataset[1]}:${epoch}`} datasetId={Number(dataset[1])} />;
  if (path === '/new') {
    const q = new URLSearchParams(query);
    const number = (key: string) => (q.get(key) ? Number(q.get(key)) : null);
    return (
      <NewRunPage
        key={query ?? ''}
        datasetId={number('dataset')}
        forkOf={number('fork')}
        sampleGmm={number('sampleGmm')}
      />
    );
  }
  if (path === '/runs') return <RunsPage key={epoch} />;
  if (path === '/compare') {
    const ids = (new URLSearchParams(query).get('ids') ?? '')
      .split(',')
      .map(Number)
      .filter((n) => n > 0);
    return <ComparePage key={`${ids.join()}:${epoch}`} ids={ids} />;
  }
  return <DataPage key={epoch} incoming={incoming} />;
}

/**
 * Tables handed to the import from outside its picker: files dropped on the window (both shells)
 * and the desktop shell's commands (menu, command line, OS), which also navigate and set the
 * language. The data page, where the import is, is shown for a table.
 */
function useIncomingTables(setLang: (l: Language) => void, lang: Language) {
  const [incoming, setIncoming] = useState<IncomingTable | null>(null);
  const [dragging, setDragging] = useState(false);
  const seq = useRef(0);
  const langRef = useRef(lang);
  langRef.current = lang;
  useEffect(() => {
    const take = (table: { path: string } | { file: File }) => {
      setIncoming({ ...table, seq: ++seq.current });
      if (!location.hash.startsWith('#/data') || /^#\/data\/\d/.test(location.hash))
        location.hash = '#/data';
    };
    const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      // Without this the browser opens the file in place of the app.
      e.preventDefault();
      setDragging(true);
    };
    const leave = (e: DragEvent) => {
      if (e.relatedTarget === null) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      setDragging(false);
      const file = [...(e.dataTransfer?.files ?? [])].find((f) => isTableFile(f.name));
      if (file) take({ file });
    };
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    const off = desktopBridge()?.onDesktop(langRef.current, (command) => {
      if (command.kind === 'open-table') take({ path: command.path });
      else if (command.kind === 'navigate') location.hash = command.hash;
      else if (command.kind === 'language') setLang(command.lang);
    });
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
      off?.();
    };
  }, [setLang]);
  return { incoming, dragging };
}

function Shell({ connection, epoch }: { connection: ConnectionState; epoch: number }) {
  const { t, lang, setLang } = useI18n();
  const hash = useHash();
  const section =
    hash.startsWith('#/run') || hash.startsWith('#/compare')
      ? 'runs'
      : hash.startsWith('#/new')
        ? 'new'
        : 'data';
  useEffect(() => {
    document.title = t('app.title');
  }, [t]);
  const { incoming, dragging } = useIncomingTables(setLang, lang);
  return (
    <div className="app">
      <nav className="topbar">
        <span className="brand">
          {t('app.title')} <small>{t('app.tagline')}</small>
        </span>
        <a href="#/data" className={section === 'data' ? 'active' : ''}>
          {t('nav.data')}
        </a>
        <a href="#/new" className={section === 'new' ? 'active' : ''}>
          {t('nav.newRun')}
        </a>
        <a href="#/runs" className={section === 'runs' ? 'active' : ''}>
          {t('nav.runs')}
        </a>
        <span className="spacer" />
        <button
          className="lang"
          onClick={() => setLang(lang === 'en' ? 'zh' : 'en')}
          data-testid="lang-switch"
        >
          {t('lang.switch')}
        </button>
      </nav>
      {dragging && (
        <div className="drop-overlay" data-testid="drop-overlay">
          {t('desktop.dropHere')}
        </div>
      )}
      {connection === 'closed' && (
        <div className="banner error" data-testid="connection-lost">
          {t('conn.lost')}
        </div>
      )}
      <main>
        <ErrorBoundary
          key={hash}
          fallback={(message) => <PageMessage error={t('app.pageFailed', { message })} />}
        >
          <Route hash={hash} epoch={epoch} incoming={incoming} />
        </ErrorBoundary>
      </main>
    </div>
  );
}

export function App() {
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [epoch, setEpoch] = useState(0);
  const api = useMemo(() => createApi(setConnection, () => setEpoch((e) => e + 1)), []);
  return (
    <ApiContext.Provider value={api}>
      <I18nProvider>
        <Shell connection={connection} epoch={epoch} />
      </I18nProvider>
    </ApiContext.Provider>
  );
}
