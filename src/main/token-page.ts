/**
 * The page a browser gets from the web shell without the token (a copied address opened in
 * another browser or profile): what happened and how to get in, in English and Chinese, the
 * reader's language first. It quotes nothing of the request and holds no script.
 */
import { translate, type Language, type MessageKey } from '../shared/i18n';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Chinese first when the browser prefers it to English (Accept-Language order). */
export function readerLanguages(acceptLanguage: string | undefined): Language[] {
  const tags = (acceptLanguage ?? '').toLowerCase().split(',');
  const zh = tags.findIndex((t) => t.trim().startsWith('zh'));
  const en = tags.findIndex((t) => t.trim().startsWith('en'));
  return zh >= 0 && (en < 0 || zh < en) ? ['zh', 'en'] : ['en', 'zh'];
}

function section(lang: Language, origin: string): string {
  const t = (key: MessageKey) => escapeHtml(translate(lang, key, { origin }));
  return `<section lang="${lang === 'zh' ? 'zh-CN' : 'en'}">
<h1>${t('token.title')}</h1>
<p>${t('token.lead')}</p>
<p>${t('token.how')}</p>
<ol><li>${t('token.step1')}</li><li>${t('token.step2')}</li><li>${t('token.step3')}</li></ol>
<p class="why">${t('token.why')}</p>
</section>`;
}

/** The whole HTML page; `origin` is the server's own (never the request's) address. */
export function tokenPage(acceptLanguage: string | undefined, origin: string): string {
  const langs = readerLanguages(acceptLanguage);
  return `<!doctype html>
<html lang="${langs[0] === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(translate(langs[0], 'token.title'))}</title>
<style>
body { font: 16px/1.55 system-ui, sans-serif; color: #1f2933; background: #f4f6f8; margin: 0; }
main { max-width: 46rem; margin: 2.5rem auto; padding: 0 1.25rem; }
section { background: #fff; border: 1px solid #d9e0e6; border-radius: 8px; padding: 0.5rem 1.5rem 1rem; margin-bottom: 1.25rem; }
h1 { font-size: 1.3rem; }
li { margin: 0.4rem 0; }
.why { color: #52606d; }
</style>
</head>
<body><main>
${langs.map((l) => section(l, origin)).join('\n')}
</main></body>
</html>
`;
}
