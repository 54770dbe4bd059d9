import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import {
  isMessageKey,
  languages,
  translate,
  type Language,
  type MessageKey,
} from '../../shared/i18n';
import { desktopBridge } from './desktop';

interface I18n {
  lang: Language;
  setLang(lang: Language): void;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
}

const I18nContext = createContext<I18n | null>(null);

/** The reader's language: the one chosen in the app, else the browser's. */
export function currentLanguage(): Language {
  const saved = localStorage.getItem('latent-lab.lang');
  if (saved && saved in languages) return saved as Language;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Language>(currentLanguage);
  const setLang = useCallback((l: Language) => {
    localStorage.setItem('latent-lab.lang', l);
    document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
    setLangState(l);
    desktopBridge()?.languageChanged(l); // the desktop menu follows
  }, []);
  const t = useCallback(
    (key: MessageKey, vars?: Record<string, string | number>) => translate(lang, key, vars),
    [lang],
  );
  const value = useMemo(() => ({ lang, setLang, t }), [lang, setLang, t]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(I18nContext);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}

/** An algorithm's name in the reader's language ("Gaussian mixture (EM)"), else its id. */
export function algorithmName(t: I18n['t'], id: string): string {
  const key = `algo.${id}`;
  return isMessageKey(key) ? t(key) : id;
}
