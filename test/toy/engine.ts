/** The toy's engine module: a seeded random walk with drift, one checkpoint per step. */
import { engineAlgorithms } from '../../src/main/engine/algorithms';
import type { Algorithm } from '../../src/main/engine/algorithm';
import { TOY, TOY_WITHOUT_VIEWS, toyParams, type ToyParams, type ToySummary } from './spec';

const toyWalk: Algorithm<ToyParams, ToySummary> = {
  id: TOY,
  tensors: false,
  params: toyParams,
  async run(ctx) {
    const { steps, drift } = ctx.params;
    const path = new Float32Array(2 * (steps + 1));
    let position = 0;
    for (let step = 1; step <= steps; step++) {
      position += drift + ctx.rng.normal();
      path[2 * step] = step;
      path[2 * step + 1] = position;
      ctx.emit.metrics(step, { position });
      ctx.emit.artifact(
        'points2d',
        step,
        { role: 'walk', count: step + 1 },
        path.slice(0, 2 * (step + 1)),
      );
      ctx.emit.progress(step / steps);
      await ctx.checkpoint('step', step);
    }
    return { finalPosition: position, steps };
  },
};

export function registerToyEngine(): void {
  engineAlgorithms[TOY] = toyWalk;
  engineAlgorithms[TOY_WITHOUT_VIEWS] = { ...toyWalk, id: TOY_WITHOUT_VIEWS };
}
