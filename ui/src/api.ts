// The only module that talks to the Rust side (Tauri invoke). Every failure arrives as an AppError
// {code, message, field?}; tests replace this module with vi.mock.
import { invoke } from '@tauri-apps/api/core';
import type { AppError } from './bindings/AppError';
import type { CounterStatus } from './bindings/CounterStatus';
import type { Dossier } from './bindings/Dossier';
import type { IntakePreview } from './bindings/IntakePreview';
import type { IntakeRequest } from './bindings/IntakeRequest';
import type { Procedure } from './bindings/Procedure';
import type { SearchPage } from './bindings/SearchPage';

/** Normalises whatever a rejected invoke gives into an AppError. */
export function toAppError(e: unknown): AppError {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) return e as AppError;
  return { code: 'internal', message: `Lỗi không xác định: ${String(e)}` };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toAppError(e);
  }
}

export const api = {
  appStatus: () => call<CounterStatus>('app_status'),
  catalogSearch: (query: string) => call<Procedure[]>('catalog_search', { query }),
  intakePreview: (procedureCode: string) => call<IntakePreview>('intake_preview', { procedureCode }),
  intakeSubmit: (request: IntakeRequest) => call<Dossier>('intake_submit', { request }),
  dossierSearch: (query: string, cursor?: number) => call<SearchPage>('dossier_search', { query, cursor: cursor ?? null }),
  dossierGet: (code: string) => call<Dossier>('dossier_get', { code }),
};
export type Api = typeof api;
