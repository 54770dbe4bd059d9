import { useEffect, useMemo, useState } from 'react';
import { createApi, type ConnectionState } from './api';
import { ApiContext } from './context';
import { I18nProvider, useI18n } from './i18n';
import { ErrorBoundary } from './components/ErrorBoundary';
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

function Route({ hash }: { hash: string }) {
  const [path, query] = hash.replace(/^#/, '').split('?');
  const run = /^\/run\/(\d+)$/.exec(path);
  if (run) return <RunPage key={run[1]} runId={Number(run[1])} />;
  const dataset = /^\/data\/(\d+)$/.exec(path);
  if (dataset) return <DatasetPage key={dataset[1]} datasetId={Number(dataset[1])} />;
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
  if (path === '/runs') return <RunsPage />;
  if (path === '/compare') {
    const ids = (new URLSearchParams(query).get('ids') ?? '')
      .split(',')
      .map(Number)
      .filter((n) => n > 0);
    return <ComparePage key={ids.join()} ids={ids} />;
  }
  return <DataPage />;
}

function Shell({ connection }: { connection: ConnectionState }) {
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
      {connection === 'closed' && <div className="banner error">{t('conn.lost')}</div>}
      <main>
        <ErrorBoundary
          key={hash}
          fallback={(message) => (
            <div className="page">
              <p className="error" role="alert">
                {t('app.pageFailed', { message })}
              </p>
            </div>
          )}
        >
          <Route hash={hash} />
        </ErrorBoundary>
      </main>
    </div>
  );
}

export function App() {
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const api = useMemo(() => createApi(setConnection), []);
  return (
    <ApiContext.Provider value={api}>
      <I18nProvider>
        <Shell connection={connection} />
      </I18nProvider>
    </ApiContext.Provider>
  );
}
