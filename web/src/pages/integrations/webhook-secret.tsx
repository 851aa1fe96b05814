// A signing secret, shown in full with a copy button (the receiver verifies signatures with it).
import { useState } from 'react';

export function WebhookSecret({ secret }: { secret: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="webhook-secret">
      <code data-testid="webhook-secret">{secret}</code>
      <button
        type="button"
        className="button secondary"
        onClick={() => {
          void navigator.clipboard
            .writeText(secret)
            .then(() => {
              setCopied(true);
            })
            .catch(() => undefined);
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}
