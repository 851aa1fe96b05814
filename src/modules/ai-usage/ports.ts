// What the AI quality figures need of the modules that hold AI output, declared here and handed
// in by runtime.ts (ai-usage imports no module but businesses): content's piece provenance and
// approved drafts (modules/content createContentProvenance), and the chat's assistant messages
// (the agents module).

/** Which task, provider, model and prompt version produced a piece of AI output. */
export interface AiProvenance {
  task: string;
  provider: string | null;
  model: string | null;
  /** Herald keeps no prompt versions yet: null until it does. */
  promptVersion: string | null;
}

/** An AI-written content piece that reached approval, with its last AI draft. */
export interface ApprovedDraft {
  contentId: string;
  provenance: AiProvenance;
  /** The whole text of the last AI version before the approved one. */
  draftText: string;
  /** The whole text approved (still the piece's current text). */
  approvedText: string;
  approvedAt: Date;
}

export interface ContentSubjects {
  /** Undefined when the business has no such piece; null when no AI ever wrote it. */
  provenance(businessId: string, contentId: string): Promise<AiProvenance | null | undefined>;
  approvedSince(businessId: string, since: Date): Promise<ApprovedDraft[]>;
}

export interface ChatMessageSubjects {
  /**
   * The provenance of an assistant message `userId` may rate: undefined when the business has no
   * such message (or it is not one the user can see), null when it is not an AI answer.
   */
  provenance(
    businessId: string,
    messageId: string,
    userId: string,
  ): Promise<AiProvenance | null | undefined>;
}
