// Moved to src/shared so the renderer and the CLI can read a saved model too.
export * from '../../../shared/model-artifact';
