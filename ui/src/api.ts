// The only module that talks to the Rust side (Tauri invoke, and the `dashboard` event the shell
// pushes). Every failure arrives as an AppError {code, reason, message, field?}: the UI switches on
// `reason` (or `code`), never on the message. Tests replace this module with vi.mock.
import { invoke, type InvokeArgs, type InvokeOptions } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { AppError } from './bindings/AppError';
import type { CounterStatus } from './bindings/CounterStatus';
import type { Dashboard } from './bindings/Dashboard';
import type { DossierView } from './bindings/DossierView';
import type { IntakePreview } from './bindings/IntakePreview';
import type { IntakeRequest } from './bindings/IntakeRequest';
import type { ProcedureView } from './bindings/ProcedureView';
import type { ContactOutcome } from './bindings/ContactOutcome';
import type { ContactRequest } from './bindings/ContactRequest';
import type { Step } from './bindings/Step';
import type { SearchPage } from './bindings/SearchPage';
import type { CounterSettings } from './bindings/CounterSettings';
import type { FormInput } from './bindings/FormInput';
import type { FormKind } from './bindings/FormKind';
import type { PrintEntry } from './bindings/PrintEntry';
import type { PrinterInfo } from './bindings/PrinterInfo';
import type { PrintOutcome } from './bindings/PrintOutcome';
import type { Command } from './bindings/Command';
import type { WorkCounts } from './bindings/WorkCounts';
import type { WorkItem } from './bindings/WorkItem';
import type { WorkList } from './bindings/WorkList';
import type { SyncStatus } from './bindings/SyncStatus';
import type { ParkedEvent } from './bindings/ParkedEvent';
import type { ConflictItem } from './bindings/ConflictItem';
import type { DossierSync } from './bindings/DossierSync';
import type { AuthState } from './bindings/AuthState';
import type { Session } from './bindings/Session';
import type { CardReading } from './bindings/CardReading';
import type { AddressMapping } from './bindings/AddressMapping';
import type { UnitView } from './bindings/UnitView';
import type { ReturningCitizen } from './bindings/ReturningCitizen';
import type { FeeUnits } from './bindings/FeeUnits';
import type { ScannerInfo } from './bindings/ScannerInfo';
import type { ScanSettings } from './bindings/ScanSettings';
import type { StagingView } from './bindings/StagingView';
import type { SetupState } from './bindings/SetupState';
import type { SetupStep } from './bindings/SetupStep';
import type { SetupDraft } from './bindings/SetupDraft';
import type { JobTicket } from './bindings/JobTicket';
import type { DocumentView } from './bindings/DocumentView';
import type { UploadSummary } from './bindings/UploadSummary';

/** A scan from a scanner in serial (USB COM) mode, as the shell pushes it: the text, or the device's problem. */
export type SerialScan = { text?: string; error?: string };

/** What to print: a dossier's form, or the logbook for a date range. */
export type FormTarget = { form: FormKind; code?: string; input?: FormInput | null; from?: string; to?: string };

/** Normalises whatever a rejected invoke gives into an AppError. */
export function toAppError(e: unknown): AppError {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) return { reason: 'internal', ...(e as Omit<AppError, 'reason'>) };
  return { code: 'internal', reason: 'internal', message: `Lỗi không xác định: ${String(e)}` };
}

/** Stops listening. */
export type Unlisten = () => void;

async function call<T>(cmd: string, args?: InvokeArgs, options?: InvokeOptions): Promise<T> {
  try {
    return await invoke<T>(cmd, args, options);
  } catch (e) {
    throw toAppError(e);
  }
}

export const api = {
  appStatus: () => call<CounterStatus>('app_status'),
  /** Header, status bar, work counts and sync badge in one (also pushed: `onDashboard`). */
  dashboard: () => call<Dashboard>('dashboard'),
  /** Calls `cb` with every dashboard the shell pushes (after commands, sync rounds, as the clock moves). */
  onDashboard: (cb: (d: Dashboard) => void): Promise<Unlisten> => listen<Dashboard>('dashboard', (ev) => cb(ev.payload)),
  catalogSearch: (query: string) => call<ProcedureView[]>('catalog_search', { query }),
  /** Fee, appointment and terms of a procedure received now; `caseId` is the case chosen (procedures with cases). */
  intakePreview: (procedureCode: string, caseId?: string | null, feeUnits?: FeeUnits | null) =>
    call<IntakePreview>('intake_preview', { procedureCode, caseId: caseId ?? null, feeUnits: feeUnits ?? null }),
  /** A card's QR string (any scanner mode) read and checked by the core, with its address's current form. */
  cardRead: (text: string) => call<CardReading>('card_read', { text }),
  /** A picture of the card (PNG/JPEG bytes): its QR decoded, then read like a scan. */
  cardFromImage: (image: number[]) => call<CardReading>('card_from_image', { image }),
  addressMap: (address: string) => call<AddressMapping>('address_map', { address }),
  unitsSearch: (query: string) => call<UnitView[]>('units_search', { query }),
  /** Earlier phone, e-mail and address of an ID number at this office (offered, never filled silently). */
  applicantReturning: (idNumber: string) => call<ReturningCitizen | null>('applicant_returning', { idNumber }),
  /** Calls `cb` with every scan of a serial-mode scanner. */
  onScan: (cb: (s: SerialScan) => void): Promise<Unlisten> => listen<SerialScan>('scan', (ev) => cb(ev.payload)),
  /** The mandatory checklist items the form leaves unticked (prefills a guidance slip). */
  intakeMissing: (request: IntakeRequest) => call<string[]>('intake_missing', { request }),
  /** Guidance (Mẫu 02) or refusal (Mẫu 03) at intake: recorded under a slip number, no dossier code; the slip is printed. */
  intakeContact: (contact: ContactRequest) => call<ContactOutcome>('intake_contact', { contact }),
  /** The applicant's date of birth goes as typed: the core reads it. */
  intakeSubmit: (request: IntakeRequest) => call<DossierView>('intake_submit', { request }),
  dossierSearch: (query: string, cursor?: number) => call<SearchPage>('dossier_search', { query, cursor: cursor ?? null }),
  dossierGet: (code: string) => call<DossierView>('dossier_get', { code }),
  /** Renders, saves, logs and (send=true) prints; a printer failure comes back in `outcome.error`. */
  formPrint: (t: FormTarget, send: boolean, copies?: number) =>
    call<PrintOutcome>('form_print', { form: t.form, code: t.code ?? null, input: t.input ?? null, from: t.from ?? null, to: t.to ?? null, copies: copies ?? null, send }),
  formPreview: (t: FormTarget) =>
    call<ArrayBuffer>('form_preview', { form: t.form, code: t.code ?? null, input: t.input ?? null, from: t.from ?? null, to: t.to ?? null }),
  printersList: () => call<PrinterInfo[]>('printers_list'),
  printsOf: (code: string) => call<PrintEntry[]>('prints_of', { code }),
  settingsGet: () => call<CounterSettings>('settings_get'),
  settingsSave: (settings: CounterSettings) => call<CounterSettings>('settings_save', { settings }),
  pdfOpen: (path: string) => call<void>('pdf_open', { path }),
  /** A lifecycle command on one or more dossiers (all or nothing); returns them after it. */
  lifecycleApply: (codes: string[], command: Command) => call<DossierView[]>('lifecycle_apply', { codes, command }),
  /** A step from its small form: the values by `StepField.name`, as typed; the core makes the command. */
  lifecycleStep: (code: string, step: Step, values: Record<string, string>) => call<DossierView>('lifecycle_step', { code, step, values }),
  workCounts: () => call<WorkCounts>('work_counts'),
  workList: (list: WorkList) => call<WorkItem[]>('work_list', { list }),
  syncStatus: () => call<SyncStatus>('sync_status'),
  /** Wakes the background sync; the status shows the round's outcome when it is in. */
  syncNow: () => call<SyncStatus>('sync_now'),
  syncParked: () => call<ParkedEvent[]>('sync_parked'),
  syncRetryParked: () => call<number>('sync_retry_parked'),
  syncConflicts: () => call<ConflictItem[]>('sync_conflicts'),
  syncSettle: (eventUid: string) => call<void>('sync_settle', { eventUid }),
  syncEnrol: (portal: string, code: string) => call<SyncStatus>('sync_enrol', { portal, code }),
  dossierSync: (code: string) => call<DossierSync>('dossier_sync', { code }),
  authState: () => call<AuthState>('auth_state'),
  authSetupAdmin: (id: string, name: string, password: string, pin: string | null) => call<Session>('auth_setup_admin', { id, name, password, pin }),
  authLogin: (id: string, password: string) => call<Session>('auth_login', { id, password }),
  authLock: () => call<AuthState>('auth_lock'),
  authUnlockPin: (pin: string) => call<Session>('auth_unlock_pin', { pin }),
  authUnlockPassword: (password: string) => call<Session>('auth_unlock_password', { password }),
  authLogout: () => call<AuthState>('auth_logout'),
  // the electronic dossier: pages wait in the shell's staging under a key the screen chooses
  // (`intake/<item id>` at intake, `<code>/<item id>` or `<code>/result` later) until saved
  scannersList: () => call<ScannerInfo[]>('scanners_list'),
  /** Scans into an item; on a scanner's error the pages read before it are kept (read `stagingView` again). */
  stagingScan: (key: string, device?: string | null, settings?: ScanSettings | null) =>
    call<StagingView>('staging_scan', { key, device: device ?? null, settings: settings ?? null }),
  /** A citizen's file (picked or dropped) into an item: its bytes as the raw body, key and name in headers. */
  stagingImport: (key: string, fileName: string, bytes: Uint8Array) =>
    call<StagingView>('staging_import', bytes, { headers: { 'x-key': encodeURIComponent(key), 'x-name': encodeURIComponent(fileName) } }),
  stagingView: () => call<StagingView>('staging_view'),
  stagingPageRemove: (key: string, index: number) => call<StagingView>('staging_page_remove', { key, index }),
  stagingPageMove: (key: string, from: number, to: number) => call<StagingView>('staging_page_move', { key, from, to }),
  /** Forgets every item whose key starts with `prefix` (`intake/` for a new citizen). */
  stagingClear: (prefix: string) => call<StagingView>('staging_clear', { prefix }),
  /** One page larger (a data: URL), to check it on screen. */
  stagingPageImage: (key: string, index: number) => call<string>('staging_page_image', { key, index }),
  /** Saves an item waiting under `key` to a dossier already taken in; `name` describes a result. */
  documentsSave: (code: string, key: string, name?: string | null) => call<DocumentView[]>('documents_save', { code, key, name: name ?? null }),
  documentsOf: (code: string) => call<DocumentView[]>('documents_of', { code }),
  /** A document's PDF for the viewer (the core audits the opening). */
  documentBytes: (code: string, sha256: string) => call<ArrayBuffer>('document_bytes', { code, sha256 }),
  uploadsSummary: () => call<UploadSummary>('uploads_summary'),
  /** The first-run set-up: where it stands, a step saved, the test page, the portal's answer, the end. */
  setupState: () => call<SetupState>('setup_state'),
  setupSave: (step: SetupStep, draft: SetupDraft) => call<SetupState>('setup_save', { step, draft }),
  setupTestPrint: (printer: string) => call<JobTicket>('setup_test_print', { printer }),
  setupTestPortal: (url: string) => call<string>('setup_test_portal', { url }),
  setupFinish: (password: string, pin: string, enrolmentCode: string | null) => call<SetupState>('setup_finish', { password, pin, enrolmentCode }),
  setupEnrol: (code: string, url: string | null) => call<SetupState>('setup_enrol', { code, url }),
  setupOffline: (first: number, last: number) => call<SetupState>('setup_offline', { first, last }),
  /** "Gửi chẩn đoán": the recent log and crash records to the portal; the portal's number for them. */
  diagnosticsSend: () => call<number>('diagnostics_send'),
};
export type Api = typeof api;
