// Test data shaped like what the core sends (used by the Vitest files only). The steps a dossier
// allows are given by each test, as the core would: the UI must not work them out.
import type { Dossier } from './bindings/Dossier';
import type { DossierView } from './bindings/DossierView';
import type { Procedure } from './bindings/Procedure';
import type { ProcedureView } from './bindings/ProcedureView';
import type { Step } from './bindings/Step';
import { STATUS_LABELS, STEPS } from './bindings/facts';

/** The dossier as the core sends it, allowing exactly `steps`. */
export function view(d: Dossier, steps: Step[] = []): DossierView {
  return { ...d, status_label: STATUS_LABELS[d.status], allowed_steps: steps.map((s) => STEPS[s]) };
}

/** The procedure as the catalog search sends it. */
export function procedureView(p: Procedure, time_limit_label: string): ProcedureView {
  return { ...p, time_limit_label };
}
