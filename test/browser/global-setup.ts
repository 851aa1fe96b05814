// Checked once before any browser test: Chromium and the dashboard build must be there.
import { requireChromium } from './harness.ts';

export default function setup(): void {
  requireChromium();
}
