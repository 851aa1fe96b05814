// Where the user writes to the agents: Enter sends, Shift+Enter starts a new line. The text is
// cleared when it is sent and put back if the message fails, so nothing typed is lost.
import { type SubmitEvent, useEffect, useRef, useState } from 'react';

export function Composer(props: {
  /** Resolves false when the message was not answered: the text comes back. */
  onSend: (content: string) => Promise<boolean>;
  disabled: boolean;
  placeholder?: string;
}) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const busy = props.disabled || sending;
  // Disabling the box while the reply streams took the focus away: give it back after a send.
  const refocus = useRef(false);
  useEffect(() => {
    if (busy || !refocus.current) return;
    refocus.current = false;
    input.current?.focus();
  }, [busy]);

  async function send() {
    const content = text.trim();
    if (!content || busy) return;
    setSending(true);
    setText('');
    refocus.current = true;
    try {
      const answered = await props.onSend(content);
      // Nothing could be typed meanwhile (the box is disabled): put the message back as it was.
      if (!answered) setText((current) => current || text);
    } finally {
      setSending(false);
    }
  }

  return (
    <form
      className="chat-composer"
      onSubmit={(event: SubmitEvent) => {
        event.preventDefault();
        void send();
      }}
    >
      <label className="visually-hidden" htmlFor="chat-input">
        Your message
      </label>
      <textarea
        id="chat-input"
        ref={input}
        rows={3}
        value={text}
        disabled={busy}
        maxLength={8000}
        placeholder={
          props.placeholder ?? 'Ask the agents… (Enter sends, Shift+Enter for a new line)'
        }
        aria-describedby="chat-input-hint"
        onChange={(event) => {
          setText(event.target.value);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
            event.preventDefault();
            void send();
          }
        }}
      />
      <div className="chat-composer-bar">
        <span id="chat-input-hint" className="muted small">
          Enter sends · Shift+Enter adds a line
        </span>
        <button type="submit" className="button" disabled={busy || !text.trim()}>
          {busy ? 'Answering…' : 'Send'}
        </button>
      </div>
    </form>
  );
}
