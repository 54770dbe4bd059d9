import { useI18n } from '../i18n';

/**
 * A page that has nothing to show yet (loading) or cannot show itself (an error): an error says
 * so and links back to the list it came from, so the reader is never left at a dead end.
 */
export function PageMessage({
  error,
  back = 'data',
}: {
  error?: string | null;
  /** Where the link under an error leads: the run library or the data sets. */
  back?: 'runs' | 'data';
}) {
  const { t } = useI18n();
  return (
    <div className="page">
      {error ? (
        <>
          <p className="error" role="alert" data-testid="page-error">
            {error}
          </p>
          <a href={back === 'runs' ? '#/runs' : '#/data'} data-testid="page-back">
            {t(back === 'runs' ? 'state.backToRuns' : 'state.backToData')}
          </a>
        </>
      ) : (
        <p>{t('common.loading')}</p>
      )}
    </div>
  );
}
