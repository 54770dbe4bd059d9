/**
 * The layering rules of eslint.config.js, run on fixtures: a wrong-way import fails lint, the
 * right-way one passes. (The source tree itself is linted by `npm run lint`.)
 */
import { ESLint } from 'eslint';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const eslint = new ESLint({ cwd: root });

/** The restricted-import messages lint gives `code` as if it were the file at `path`. */
async function refusals(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, path) });
  return result.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message);
}

describe('layering is enforced by lint', () => {
  it('src/shared imports nothing from src/main or src/renderer, and nothing Node-only', async () => {
    const fromMain = await refusals(
      'src/shared/fixture.ts',
      "import { createHost } from '../main/host/host';\nexport const x = createHost;\n",
    );
    expect(fromMain).toHaveLength(1);
    expect(fromMain[0]).toMatch(/src\/main/);
    expect(
      await refusals(
        'src/shared/algorithms/fixture.ts',
        "import { DataError } from '../../main/engine/algorithm';\nexport const x = DataError;\n",
      ),
    ).toHaveLength(1);
    expect(
      await refusals(
        'src/shared/fixture.ts',
        "import { api } from '../renderer/src/api';\nexport const x = api;\n",
      ),
    ).toHaveLength(1);
    expect(
      await refusals(
        'src/shared/fixture.ts',
        "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
      ),
    ).toHaveLength(1);
    // Nor by a dynamic import, nor by a bare built-in module.
    expect(
      await refusals(
        'src/shared/fixture.ts',
        "export const load = () => import('../main/engine/algorithms/gmm');\n",
      ),
    ).toHaveLength(1);
    expect(
      await refusals(
        'src/shared/fixture.ts',
        "import { createHash } from 'crypto';\nexport const x = createHash;\n",
      ),
    ).toHaveLength(1);
    // The right way round is fine, and so are local files that share a name with a layer or a
    // Node module.
    expect(
      await refusals(
        'src/shared/fixture.ts',
        "import { createRng } from './rng';\nimport { x as p } from './path';\nexport const x = [createRng, p];\n",
      ),
    ).toEqual([]);
    expect(
      await refusals('src/renderer/src/fixture.ts', "import './main';\nexport const x = 1;\n"),
    ).toEqual([]);
  });

  it('the page imports nothing from src/main and nothing Node-only', async () => {
    expect(
      await refusals(
        'src/renderer/src/fixture.ts',
        "import { Store } from '../../main/host/store';\nexport const x = Store;\n",
      ),
    ).toHaveLength(1);
    expect(
      await refusals(
        'src/renderer/src/fixture.ts',
        "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n",
      ),
    ).toHaveLength(1);
    expect(
      await refusals(
        'src/renderer/src/fixture.ts',
        "import { createRng } from '../../shared/rng';\nexport const x = createRng;\n",
      ),
    ).toEqual([]);
  });

  it('the engine does not reach into the host; the host does not import Electron', async () => {
    expect(
      await refusals(
        'src/main/engine/algorithms/fixture.ts',
        "import { Store } from '../../host/store';\nexport const x = Store;\n",
      ),
    ).toHaveLength(1);
    expect(
      await refusals(
        'src/main/host/fixture.ts',
        "import { app } from 'electron';\nexport const x = app;\n",
      ),
    ).toHaveLength(1);
    expect(
      await refusals(
        'src/main/host/fixture.ts',
        "import type { EngineData } from '../engine/algorithm';\nexport type X = EngineData;\n",
      ),
    ).toEqual([]);
  });
});
