import { registerToySpec } from './spec';
import { registerToyView } from './view';

registerToySpec();
registerToyView();
