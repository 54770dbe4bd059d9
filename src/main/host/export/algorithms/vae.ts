/** A variational autoencoder: its galleries, its weights and a line chart per metric (the generic files). */
import type { RunExporter } from '../exporter';
import { genericFiles } from './shared-files';

export const vaeExporter: RunExporter = { files: genericFiles };
