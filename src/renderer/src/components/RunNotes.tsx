import type { RunInfo } from '../../../shared/api';
import { useI18n } from '../i18n';

/** A run's notes (a backend fallback, trouble seen), each in the page's language when it can be. */
export function RunNotes({ run }: { run: Pick<RunInfo, 'notes' | 'noteTexts'> }) {
  const { t } = useI18n();
  if (run.notes.length === 0) return null;
  return (
    <>
      <h3>{t('run.notes')}</h3>
      <ul>
        {run.notes.map((n, i) => {
          // A note the engine gave no text (or one this version does not know) stays English.
          const text = run.noteTexts[i];
          return (
            <li key={i} className="muted">
              {text ? t(text.key, text.vars) : n}
            </li>
          );
        })}
      </ul>
    </>
  );
}
