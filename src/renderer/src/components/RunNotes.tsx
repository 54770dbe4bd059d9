import type { RunInfo } from '../../../shared/api';
import { isMessageKey, languages, type LocalText } from '../../../shared/i18n';
import { useI18n } from '../i18n';

/** Notes that concern the tensor backend: said of a run that used none, they are noise. */
const backendNotes = new Set(['note.noTensorflow']);

/**
 * The text of a note kept without one (a run from before notes had texts, or imported from such
 * a run): the note whose English is exactly this, among the notes without values to fill in.
 */
function textOfEnglish(note: string): LocalText | null {
  const key = Object.keys(languages.en).find(
    (k) => k.startsWith('note.') && isMessageKey(k) && languages.en[k] === note,
  );
  return key && isMessageKey(key) ? { key } : null;
}

/** A run's notes (a backend fallback, trouble seen), each in the page's language when it can be. */
export function RunNotes({ run }: { run: Pick<RunInfo, 'notes' | 'noteTexts' | 'backend'> }) {
  const { t } = useI18n();
  const notes = run.notes
    .map((note, i) => ({ note, text: run.noteTexts[i] ?? textOfEnglish(note) }))
    // A sampler runs on plain JavaScript (backend "js"): what tfjs lacks does not concern it.
    .filter(({ text }) => !(run.backend === 'js' && text && backendNotes.has(text.key)));
  if (notes.length === 0) return null;
  return (
    <>
      <h3>{t('run.notes')}</h3>
      <ul>
        {notes.map(({ note, text }, i) => (
          // A note with no text this version knows stays English.
          <li key={i} className="muted" data-testid="run-note-item">
            {text ? t(text.key, text.vars) : note}
          </li>
        ))}
      </ul>
    </>
  );
}
