import { beforeEach, describe, expect, it, vi } from 'vitest';

// the one module that calls the shell, with Tauri's invoke replaced
const { invoke } = vi.hoisted(() => ({ invoke: vi.fn() }));
vi.mock('@tauri-apps/api/core', () => ({ invoke }));
vi.mock('@tauri-apps/api/event', () => ({ listen: vi.fn() }));

import { api } from './api';

describe('api: the electronic dossier', () => {
  beforeEach(() => {
    invoke.mockReset();
    invoke.mockResolvedValue({ items: [], bytes: 0 });
  });

  it('a citizen\'s file goes as the raw body, its item and name percent-encoded in headers', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    await api.stagingImport('intake/to-khai', 'Tờ khai (bản 2).pdf', bytes);
    expect(invoke).toHaveBeenCalledWith('staging_import', bytes, {
      headers: { 'x-key': 'intake%2Fto-khai', 'x-name': encodeURIComponent('Tờ khai (bản 2).pdf') },
    });
  });

  it('names its arguments as the commands take them; a refusal arrives as an AppError', async () => {
    await api.stagingScan('intake/to-khai');
    expect(invoke).toHaveBeenLastCalledWith('staging_scan', { key: 'intake/to-khai', device: null, settings: null }, undefined);
    await api.stagingPageMove('A/result', 2, 0);
    expect(invoke).toHaveBeenLastCalledWith('staging_page_move', { key: 'A/result', from: 2, to: 0 }, undefined);
    await api.documentsSave('A', 'A/result', null);
    expect(invoke).toHaveBeenLastCalledWith('documents_save', { code: 'A', key: 'A/result', name: null }, undefined);
    await api.documentBytes('A', 'ab12');
    expect(invoke).toHaveBeenLastCalledWith('document_bytes', { code: 'A', sha256: 'ab12' }, undefined);
    invoke.mockRejectedValueOnce({ code: 'scanner', reason: 'scanner_cover_open', message: 'Nắp máy quét đang mở' });
    await expect(api.stagingScan('intake/to-khai')).rejects.toEqual({ code: 'scanner', reason: 'scanner_cover_open', message: 'Nắp máy quét đang mở' });
  });
});
