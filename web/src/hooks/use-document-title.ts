// Every page names itself in the browser tab and history: "Campaigns · Blue Door Bakery · Herald".
// A page calls this once, at its top, with what it knows so far (a detail page passes its generic
// name until its data has loaded).
import { useEffect } from 'react';

/** The page's name, the business's and Herald's, from the most specific. */
export function documentTitle(page: string, business?: string | null): string {
  return [page, business, 'Herald'].filter((part) => part).join(' · ');
}

/**
 * Sets the document title while the page is shown. `null` sets nothing, for a frame whose page
 * below names itself (a parent's effect runs after its child's and would overwrite it).
 */
export function useDocumentTitle(page: string | null, business?: string | null): void {
  const title = page === null ? null : documentTitle(page, business);
  useEffect(() => {
    if (title !== null) document.title = title;
  }, [title]);
}
