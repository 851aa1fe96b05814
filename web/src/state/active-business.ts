// The business the user last worked on, remembered in this browser so the dashboard opens on it.
// The URL (/businesses/:businessId/…) is the source of truth; this only picks where `/` goes.
const KEY = 'herald.activeBusinessId';

export function rememberedBusinessId(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: nothing remembered
  }
}

export function rememberBusiness(businessId: string | null): void {
  try {
    if (businessId) localStorage.setItem(KEY, businessId);
    else localStorage.removeItem(KEY);
  } catch {
    // storage disabled or full: the switcher still works for this visit
  }
}
