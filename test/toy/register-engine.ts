import { registerToyEngine } from './engine';
import { registerToySpec } from './spec';

registerToySpec();
registerToyEngine();
