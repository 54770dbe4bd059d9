import { useI18n } from '../i18n';

/** A page that has nothing to show yet (loading) or cannot show itself (an error). */
export function PageMessage({ error }: { error?: string | null }) {
  const { t } = useI18n();
  return (
    <div className="page">
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : (
        <p>{t('common.loading')}</p>
      )}
    </div>
  );
}
