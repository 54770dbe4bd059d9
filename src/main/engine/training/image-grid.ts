// Moved to src/shared so the renderer and the CLI can make image grids too.
export * from '../../../shared/image-grid';
