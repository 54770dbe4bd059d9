import { useEffect, useMemo, useState } from 'react';
import { createApi, type ConnectionState } from './api';
import { ApiContext } from './context';
import { I18nProvider, useI18n } from './i18n';
import { ErrorBoundary } from './components/ErrorBoundary';
import { PageMessage } from './components/PageMessage';
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
function Route({ hash, epoch }: { hash: string; epoch: number }) {
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
  return <DataPage key={epoch} />;
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
          <Route hash={hash} epoch={epoch} />
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
